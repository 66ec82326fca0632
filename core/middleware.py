"""Request-level guards that run before any view reads the body."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from core.uploads import FileTooLarge, request_max_bytes


class RequestSizeLimitMiddleware:
    """Refuse a body larger than `MAX_REQUEST_BYTES` (more for bulk filing's evidence ZIP) from its declared length, before a byte of it is read:
    a 46 MB upload must not cost a web worker 400 MB to refuse."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_max_bytes(request.path)
        if length > limit:
            message = f"The request body is larger than {limit // (1024 * 1024)} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A portal form whose file passed the limit while it arrived: a 413 page that says so (the API's
        exception handler answers its own requests in JSON)."""
        if isinstance(exception, RequestDataTooBig) and not request.path.startswith("/api/"):
            return too_large(exception)
        return None


def too_large(exception: RequestDataTooBig) -> HttpResponse:
    """The portal's answer to a body or file past its limit: 413, saying which limit."""
    message = str(exception) if isinstance(exception, FileTooLarge) else "The request body is too large."
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class NullCharacterMiddleware:
    """A portal form or search with a NUL character gets a 400 that says so: PostgreSQL cannot store or
    compare it, and the query would fail with a 500. (The API's fields refuse it themselves, with a 400.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = not request.path.startswith("/api/") and _has_nul(request)
        except RequestDataTooBig as exc:  # reading the form met a file past its limit: say so, not "400"
            return too_large(exc)
        if refused:
            return HttpResponse(
                "Null characters are not allowed in a form or a search.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    params = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        params.append(request.POST)
    return any("\x00" in key or any("\x00" in v for v in values) for q in params for key, values in q.lists())
