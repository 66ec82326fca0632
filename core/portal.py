"""What every portal view shares: error messages from services, pagination, the role check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from core.errors import DomainError


# --- helpers ----------------------------------------------------------------------------------------------
def error_messages(exc: DomainError) -> list[str]:
    """Every unmet condition the service reported, or its one message; a field error that repeats one of
    them is not shown twice."""
    found = [str(message) for message in (exc.extra.get("errors") or [exc.detail])]
    for name, field_errors in (exc.extra.get("fields") or {}).items():
        found.extend(f"{name}: {error}" for error in field_errors if str(error) not in found)
    return found


def flash_errors(request, exc: DomainError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


PAGE_SIZE = 50


def page_of(request, items, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
