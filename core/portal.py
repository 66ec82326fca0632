"""What every portal view shares: error messages from services, pagination, the role check."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.cache import patch_cache_control

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


def carries_a_secret(view):
    """For pages whose URL or body carries a credential (the merchant's signed link, an API token): never
    cached by a browser or proxy, and the URL never sent to another site as a Referer. (`no-referrer` would
    also make the browser send `Origin: null` with the page's own form, which CSRF protection refuses.)"""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_cache=True, no_store=True, must_revalidate=True, private=True)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
