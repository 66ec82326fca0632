"""What every API view shares: pagination, the error shape, the request's actor."""

from __future__ import annotations

import json
import logging
from functools import cached_property

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, Invalid, TooManyAttempts
from core.outages import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable
from core.parsers import JSONParser
from core.roles import actor_for
from core.tokens import api_token_issue
from core.twofactor import second_factor_required, second_factor_verify
from core.uploads import FileTooLarge

log = logging.getLogger(__name__)


class CappedCountPaginator(DjangoPaginator):
    """`count` without scanning a large table: exact up to `EXACT_COUNT_LIMIT` rows (counting at most that many
    index entries), and beyond that the planner's estimate of the rows, which the page marks as one. At a
    million claims an exact count costs more than the page it describes (docs/scaling.md)."""

    EXACT_COUNT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        # A page read as rows with joined columns is counted on the query it came from (`count_from`), without
        # the joins.
        queryset = getattr(self.object_list, "count_from", self.object_list)
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        bounded = queryset.order_by().values("pk")[: self.EXACT_COUNT_LIMIT + 1].count()
        if bounded <= self.EXACT_COUNT_LIMIT:
            self.estimated = False
            return bounded
        self.estimated = True
        return max(planned_rows(queryset), bounded)

    estimated = False


def planned_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows a query returns (PostgreSQL; the exact count elsewhere)."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count()
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.page.paginator.estimated,
                "page_size": self.get_page_size(self.request),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"]["page_size"] = {"type": "integer"}
        base["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "True when `count` is the database's estimate (above 10,000 rows), not exact.",
        }
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
    if database_unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return Response(
            {"detail": UNAVAILABLE_MESSAGE, "code": "service_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DomainError):
        body = {"detail": exc.detail, "code": exc.code}
        extra = dict(exc.extra)
        fields = extra.pop("fields", None)
        if fields:
            body.update(fields)
        body.update(extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Upload limits raise while DRF parses the body; they are the client's fault, not ours.
        return Response(
            {
                "detail": str(exc) if isinstance(exc, FileTooLarge) else "The request body is too large.",
                "code": getattr(exc, "code", "request_too_large"),
            },
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


# The largest id a row can have: primary keys are signed 64-bit integers. A larger number names nothing, and
# the database refuses to bind it (SQLite with an OverflowError).
MAX_ROW_ID = 2**63 - 1


def is_row_id(value) -> bool:
    """A URL's id that can name a row: decimal digits up to `MAX_ROW_ID`. Anything else names nothing (404),
    rather than reaching the database."""
    text = str(value)
    return text.isdecimal() and text.isascii() and int(text) <= MAX_ROW_ID


def request_actor(request):
    return actor_for(request.user)


class UsernameRateThrottle(SimpleRateThrottle):
    """Guesses at one account, from however many addresses: keyed by the user name tried."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username.strip().casefold()[:150]}


class TokenView(APIView):
    """`POST {"username", "password"}` → `{"token", "expiry"}`. Throttled per address (behind `NUM_PROXIES`
    trusted proxies, so a forged X-Forwarded-For changes nothing) and per user name; repeated failures lock
    the account and the address out (django-axes). Staff who must use a second factor send `otp` too."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = AuthTokenSerializer
    throttle_classes = [ScopedRateThrottle, UsernameRateThrottle]
    throttle_scope = "login"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", {"request": self.request})
        return AuthTokenSerializer(*args, **kwargs)

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                raise TooManyAttempts(
                    "Too many failed sign-ins for this account or address; sign-in is locked for a while."
                )
            raise Invalid("Unable to log in with the provided credentials.", code="authentication_failed")
        user = serializer.validated_data["user"]
        otp = request.data.get("otp") if hasattr(request.data, "get") else None
        if second_factor_required(user) and not second_factor_verify(user, otp):
            raise Invalid(
                "This account must confirm a code from its authenticator app: send it as `otp`.",
                code="otp_required",
            )
        token, expiry = api_token_issue(user=user)
        return Response({"token": token, "expiry": expiry})
