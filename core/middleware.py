"""Request-level guards that run before any view reads the body."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from core.uploads import FileTooLarge


class RequestSizeLimitMiddleware:
    """Refuse a body larger than `MAX_REQUEST_BYTES` from its declared length, before a byte of it is read:
    a 46 MB upload must not cost a web worker 400 MB to refuse."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            message = f"The request body is larger than {settings.MAX_REQUEST_BYTES // (1024 * 1024)} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A portal form whose file passed the limit while it arrived: a 413 page that says so (the API's
        exception handler answers its own requests in JSON)."""
        if isinstance(exception, RequestDataTooBig) and not request.path.startswith("/api/"):
            message = (
                str(exception) if isinstance(exception, FileTooLarge) else "The request body is too large."
            )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return None
