"""Errors that services raise and the API and portal turn into answers (status code, code, message)."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra or {}


class Invalid(DomainError):
    """Bad input or an unmet condition; `extra["errors"]` may list every failed condition."""


class Forbidden(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Gone(DomainError):
    status_code = 410
    code = "gone"


class TooManyAttempts(DomainError):
    """Sign-in locked after repeated failures (django-axes): 429, so a client backs off."""

    status_code = 429
    code = "locked_out"


class Failed(DomainError):
    """Work that failed on our side (a background export): 500, with a message and no internals."""

    status_code = 500
    code = "failed"
