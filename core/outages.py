"""When a service the app needs is briefly gone: the answer is a clean 503 that says to retry, never a 500.

PostgreSQL restarting, a connection cut, SQLite busy ("database is locked") all surface as Django's
OperationalError or InterfaceError. Nothing is half-written: every write runs in a transaction that the
error rolls back.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The service is briefly unavailable; nothing was saved. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request) -> HttpResponse:
    log.warning("database unavailable for %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE, "code": "service_unavailable"}, status=503
        )
    else:
        response = HttpResponse(UNAVAILABLE_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
