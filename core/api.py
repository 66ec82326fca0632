"""What every API view shares: pagination, the error shape, the request's actor."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, Invalid
from core.roles import actor_for

log = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page_size": self.get_page_size(self.request),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"]["page_size"] = {"type": "integer"}
        return base


def _first_message(data) -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


def exception_handler(exc, context):
    """Every error is JSON `{"detail", "code"}`; field errors are also keyed by field. Never a traceback."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.detail, "code": exc.code}
        extra = dict(exc.extra)
        fields = extra.pop("fields", None)
        if fields:
            body.update(fields)
        body.update(extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Django's upload limits raise while DRF parses the body; they are the client's fault, not ours.
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # too many fields or files in a form
        log.warning("refused a request: %s", exc)
        return Response(
            {"detail": f"The request was refused: {exc}", "code": "bad_request"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("unhandled API error", exc_info=exc)
        return Response(
            {"detail": "Internal error; it has been logged.", "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        body = {"detail": _first_message(data), "code": "invalid"}
        if isinstance(data, dict):
            body.update({k: v for k, v in data.items() if k not in ("detail", "code")})
        else:
            body["errors"] = data
        response.data = body
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", None) or exc.default_code}
    return response


def request_actor(request):
    return actor_for(request.user)


class TokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token"}`."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            raise Invalid("Unable to log in with the provided credentials.", code="authentication_failed")
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
