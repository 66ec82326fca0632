"""Reports API (docs/contract.md §8): `GET /api/v1/reports/summary/`, `GET /api/v1/reports/export/` and the poll/download
URL of background exports. Views only read parameters, call the selectors and pick the response type."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import request_actor
from core.dispatch import task_send
from core.errors import Failed, Forbidden, Gone, Invalid, NotFound
from core.models import AuditEvent
from reports.exports.jobs import (
    FORMATS,
    export_chunks,
    export_filename,
    export_note,
    export_request,
    needs_background,
)
from reports.exports.pdf import pdf_identity
from reports.metrics import GROUPINGS, report_filters, report_summary
from reports.models import Export
from reports.selectors import audit_events
from reports.tasks import BUILD_EXPORT_TASK


class JsonOnly(BaseContentNegotiation):
    """`?format=` names the export here, not a DRF renderer: always answer (and fail) in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period (inclusive)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period (inclusive)."),
    OpenApiParameter("brand", OpenApiTypes.STR, description="A brand id, or ids separated by commas."),
]


# The file of each format, in its own content type (`FORMATS`); the JSON formats are one JSON object.
EXPORT_FILE_RESPONSES = {
    (200, media_type): OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.BINARY
    for media_type in dict.fromkeys(content_type.split(";")[0] for content_type, _ in FORMATS.values())
}


class ReportSummaryView(APIView):
    content_negotiation_class = JsonOnly

    @extend_schema(
        operation_id="reports_summary",
        parameters=[*FILTER_PARAMETERS, OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPINGS))],
        responses={200: OpenApiTypes.OBJECT},
        description="Totals and one row per group: claims filed, decided, taken down, rejected, take-down rate "
        "(0–1), median hours to decision and to takedown, counter-notices, reinstatements, decided claims backed by "
        "a test purchase and their take-down rate (0–1).",
    )
    def get(self, request):
        actor = request_actor(request)
        filters = report_filters(actor=actor, params=request.query_params)
        return Response(report_summary(actor=actor, filters=filters).api())


class ReportExportView(APIView):
    content_negotiation_class = JsonOnly

    @extend_schema(
        operation_id="reports_export",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), required=True),
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["en", "zh-hans"],
                description="PDF only: the report's language (default: the requester's, from Accept-Language).",
            ),
            OpenApiParameter(
                "background",
                OpenApiTypes.BOOL,
                description="Build in the background even when small (202 with a URL to poll).",
            ),
        ],
        responses={
            **EXPORT_FILE_RESPONSES,
            (202, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description='{"url": …}'),
        },
    )
    def get(self, request):
        actor = request_actor(request)
        fmt = (request.query_params.get("format") or "").strip()
        if fmt not in FORMATS:
            raise Invalid(
                f"format must be one of {', '.join(FORMATS)}.",
                code="invalid_format",
                extra={"fields": {"format": [f"One of {', '.join(FORMATS)}."]}},
            )
        filters = report_filters(actor=actor, params=request.query_params)
        params = {
            k: request.query_params.get(k)
            for k in ("from", "to", "brand", "group_by")
            if request.query_params.get(k)
        }
        if fmt == "pdf":
            params.update(pdf_identity(request.query_params.get("lang"), default=translation.get_language()))
        background = str(request.query_params.get("background", "")).lower() in ("1", "true", "yes")
        if background or needs_background(fmt, actor, filters):
            with transaction.atomic():
                export = export_request(actor=actor, fmt=fmt, params=params)
                transaction.on_commit(lambda: task_send(BUILD_EXPORT_TASK, export.pk))
            url = request.build_absolute_uri(reverse("report-export-download", args=[export.pk]))
            return Response({"url": url, "id": export.pk, "status": export.status, "progress": 0}, status=202)
        AuditEvent.objects.create(
            action="report_export",
            actor=actor.user,
            actor_label=actor.label,
            object_type="report",
            object_id=fmt,
            note=export_note(fmt, params),
            data={"params": params},
        )
        content_type, _ = FORMATS[fmt]
        # A generator: the rows are read while the response is sent, a chunk at a time.
        response = StreamingHttpResponse(
            export_chunks(fmt, actor, filters, lang=params.get("lang"), report_id=params.get("report_id")),
            content_type=content_type,
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt, filters)}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReportExportDownloadView(APIView):
    """Poll here: 202 with progress while the file is built, then the file itself. Only its requester may
    see an export (anyone else: 404); after EXPORT_KEEP_HOURS the file is gone (410)."""

    content_negotiation_class = JsonOnly

    @extend_schema(
        operation_id="reports_export_download",
        responses={
            **EXPORT_FILE_RESPONSES,
            (202, "application/json"): OpenApiTypes.OBJECT,
            (410, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, pk: int):
        export = Export.objects.filter(pk=pk, requested_by=request.user).first()
        if export is None:
            raise NotFound("No such export.")
        if export.status in (Export.Status.PENDING, Export.Status.RUNNING):
            url = request.build_absolute_uri()
            return Response(
                {"url": url, "id": export.pk, "status": export.status, "progress": export.progress},
                status=202,
                headers={"Retry-After": "2"},
            )
        if export.status == Export.Status.FAILED:
            # The cause is in the export row and the worker's log; the caller gets no internals.
            raise Failed(
                "The export failed; it has been logged. Request it again, or ask an operator.",
                code="export_failed",
            )
        if (export.expires_at and export.expires_at <= timezone.now()) or not export.file:
            raise Gone("The export has expired; request it again.")
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type=FORMATS.get(export.format, ("application/octet-stream",))[0],
        )
        response["Cache-Control"] = "no-store"
        return response


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField(source="created_at")
    brand = serializers.IntegerField(source="brand_id", allow_null=True)
    merchant = serializers.IntegerField(source="merchant_id", allow_null=True)
    claim = serializers.IntegerField(source="claim_id", allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "action",
            "actor",
            "at",
            "object_type",
            "object_id",
            "brand",
            "merchant",
            "claim",
            "note",
            "data",
        ]


class AuditEventFilter(filters.FilterSet):
    after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    brand = filters.NumberFilter(field_name="brand_id")
    merchant = filters.NumberFilter(field_name="merchant_id")
    claim = filters.NumberFilter(field_name="claim_id")

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "brand", "merchant", "claim"]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every non-transition action (claim transitions are in each claim's `events`). Compliance and reviewers."""

    queryset = AuditEvent.objects.none()  # for the schema; get_queryset decides what the caller reads
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        actor = request_actor(self.request)
        if not (actor.compliance or actor.reviewer):
            raise Forbidden("Only compliance officers and reviewers read the audit trail.")
        return audit_events(actor)
