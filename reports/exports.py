"""Report exports (docs/contract.md §7): CSV and audit trail streamed row by row, XLSX, PDF, DSA statements of reasons,
the transparency report and Lumen notices, each with the report filters.

Memory stays flat however many claims there are: rows come from `.iterator(chunk_size=…)` (a server-side
cursor on PostgreSQL) and leave as soon as a few kilobytes are ready. Text that a brand, a merchant or a
marketplace typed is data, never markup or formulas: cells starting with = + - @ (or a tab or carriage
return) get a leading apostrophe in CSV and XLSX, the PDF template autoescapes, and the PDF renderer may
fetch nothing but the project's own static files.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import json
import logging
import mimetypes
import os
import posixpath
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from core.roles import Actor, actor_for
from reports.charts import bar_chart, line_chart
from reports.dsa.statements import statements
from reports.lumen import lumen_notices
from reports.metrics import (
    DEFINITIONS,
    METRIC_KEYS,
    HoursBetween,
    ReportFilters,
    report_claims,
    report_filters,
    report_summary,
    top_repeat_infringers,
)
from reports.models import Export
from reports.transparency import transparency_report, transparency_rows
from takedowns.models import Claim, ClaimEvent, ClaimState, CounterNotice

log = logging.getLogger(__name__)

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "dsa-sor": ("application/json", "json"),
    "transparency": ("application/json", "json"),
    "lumen": ("application/json", "json"),
    "audit": ("text/csv; charset=utf-8", "csv"),
}
# Built in memory or a temporary file before the first byte leaves: above this many claims, a Celery task.
HEAVY_FORMATS = ("xlsx", "pdf")
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header
CHUNK_BYTES = 64 * 1024

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int, int], None]


def neutralise(value):
    """A spreadsheet must show what the user typed, never run it (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def export_filename(fmt: str, filters: ReportFilters) -> str:
    start = filters.date_from.isoformat() if filters.date_from else "start"
    end = filters.date_to.isoformat() if filters.date_to else timezone.localdate().isoformat()
    name = {
        "dsa-sor": "dsa-statements",
        "audit": "audit-trail",
        "transparency": "dsa-transparency",
        "lumen": "lumen-notices",
    }.get(fmt, "takedown-report")
    return f"{name}_{start}_{end}.{FORMATS[fmt][1]}"


# --- claims, row by row --------------------------------------------------------------------------------
CLAIM_FIELDS = (
    ("reference", "reference"),
    ("state", "state"),
    ("brand", "brand__name"),
    ("ip_right", "ip_right__mark"),
    ("ip_office", "ip_right__office"),
    ("ip_registration_number", "ip_right__registration_number"),
    ("infringement_type", "infringement_type"),
    ("listing_ref", "listing__platform_ref"),
    ("listing_url", "listing__url"),
    ("listing_title", "listing__title"),
    ("merchant_ref", "listing__merchant__platform_ref"),
    ("merchant", "listing__merchant__name"),
    ("merchant_country", "listing__merchant__country"),
    ("description", "description"),
    ("submitted_at", "submitted_at"),
    ("decided_at", "decided_at"),
    ("fast_tracked", "fast_tracked"),
    ("decided_by", "decided_by__username"),
    ("decision_reason", "decision_reason"),
    ("taken_down_at", "taken_down_at"),
    ("reinstated_at", "reinstated_at"),
    ("retracted", "retracted"),
    ("counter_notices", "_counter_notices"),
    ("counter_notice_outcome", "_counter_outcome"),
    ("hours_to_decision", "_hours_to_decision"),
    ("hours_to_takedown", "_hours_to_takedown"),
)
CLAIM_HEADER = (
    [name for name, _ in CLAIM_FIELDS[:16]] + ["decision"] + [name for name, _ in CLAIM_FIELDS[16:]]
)


def export_claims(actor: Actor, filters: ReportFilters):
    """Claims with anything happening in the period: filed, decided, taken down or reinstated."""
    activity = (
        filters.period_q("submitted_at")
        | filters.period_q("decided_at")
        | filters.period_q("taken_down_at")
        | filters.period_q("reinstated_at")
    )
    counters = CounterNotice.objects.filter(claim=OuterRef("pk"))
    return (
        report_claims(actor, filters)
        .filter(activity)
        .annotate(
            _counter_notices=Subquery(
                counters.order_by().values("claim").annotate(n=Count("pk")).values("n")[:1]
            ),
            _counter_outcome=Subquery(counters.order_by("-filed_at", "-pk").values("outcome")[:1]),
            _hours_to_decision=HoursBetween("decided_at", "submitted_at"),
            _hours_to_takedown=HoursBetween("taken_down_at", "submitted_at"),
        )
        .order_by("submitted_at", "pk")
    )


def _decision(state: str, decided_at, fast_tracked: bool) -> str:
    if decided_at is None:
        return ""
    if state == ClaimState.REJECTED:
        return "rejected"
    return "fast-tracked" if fast_tracked else "approved"


def claim_rows(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[list]:
    """The header, then one list of cells per claim, formula-safe."""
    yield CLAIM_HEADER
    claims = export_claims(actor, filters)
    total = claims.count() if progress else 0
    for done, values in enumerate(
        claims.values_list(*(path for _, path in CLAIM_FIELDS)).iterator(chunk_size=2000), 1
    ):
        row = [_cell(v) for v in values]
        row[16:16] = [_decision(values[1], values[15], values[16])]
        row[-4] = values[-4] or 0  # counter-notices: a number, even when there are none
        row[-2] = _round(values[-2])
        row[-1] = _round(values[-1])
        yield row
        if progress and done % 5000 == 0:
            progress(done, total)


def _round(value):
    return "" if value is None else round(float(value), 4)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


AUDIT_HEADER = [
    "at",
    "source",
    "action",
    "claim_reference",
    "from_state",
    "to_state",
    "actor",
    "object_type",
    "object_id",
    "reason",
    "note",
]


def audit_rows(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[list]:
    """Every claim transition and every other audited action, with actor and time, oldest first: two
    ordered cursors merged, so nothing is held in memory."""
    yield AUDIT_HEADER
    claims = report_claims(actor, filters)
    events = (
        ClaimEvent.objects.filter(claim__in=claims)
        .filter(filters.period_q("created_at"))
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "pk",
            "transition",
            "claim__reference",
            "from_state",
            "to_state",
            "actor_label",
            "claim_id",
            "reason",
            "note",
        )
    )
    audits = AuditEvent.objects.filter(filters.period_q("created_at"))
    if filters.brand_ids is not None or not actor.sees_everything:
        audits = audits.filter(Q(brand_id__in=filters.brand_ids or ()) | Q(claim_id__in=claims.values("pk")))
    audits = (
        audits.annotate(
            claim_ref=Subquery(Claim.objects.filter(pk=OuterRef("claim_id")).values("reference")[:1])
        )
        .order_by("created_at", "pk")
        .values_list(
            "created_at", "pk", "action", "claim_ref", "actor_label", "object_type", "object_id", "note"
        )
    )

    def from_claims():
        for at, pk, transition, ref, src, dst, who, claim_id, reason, note in events.iterator(
            chunk_size=2000
        ):
            yield (
                (at, 0, pk),
                [
                    _iso(at),
                    "claim_event",
                    transition,
                    ref or "",
                    src,
                    dst,
                    who,
                    "claim",
                    claim_id,
                    reason,
                    neutralise(note),
                ],
            )

    def from_audit():
        for at, pk, action, ref, who, otype, oid, note in audits.iterator(chunk_size=2000):
            yield (
                (at, 1, pk),
                [_iso(at), "audit_event", action, ref or "", "", "", who, otype, oid, "", neutralise(note)],
            )

    for _, row in heapq.merge(from_claims(), from_audit(), key=lambda item: item[0]):
        yield [neutralise(c) if isinstance(c, str) else c for c in row]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    buffer: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow(row)
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def json_chunks(key: str, items: Iterable[dict], head: dict | None = None) -> Iterator[bytes]:
    """`{…head, "<key>": [item, item, …]}` written as the items come."""
    opening = json.dumps(head or {}, ensure_ascii=False)[:-1]
    yield (opening + (", " if head else "") + json.dumps(key) + ": [").encode()
    first, buffer = True, []
    for item in items:
        buffer.append(("" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
        if len(buffer) >= 200:
            yield "".join(buffer).encode()
            buffer = []
    yield ("".join(buffer) + "]}\n").encode()


# --- XLSX ----------------------------------------------------------------------------------------------
def _xlsx_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return neutralise(value)


def write_xlsx(actor: Actor, filters: ReportFilters, out, progress: Progress | None = None) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Summary")
    sheet.append(["Takedown Desk report"])
    sheet.append(["Period", filters.period_label()])
    sheet.append(
        ["Brands", neutralise(", ".join(sorted(filters.brand_names))) if filters.brand_names else "All"]
    )
    sheet.append(["Generated", timezone.now().astimezone(dt.UTC).replace(tzinfo=None)])
    sheet.append([])
    sheet.append(["Figure", "Value", "Definition"])
    summary = report_summary(actor=actor, filters=filters, group_by="month")
    for key in METRIC_KEYS:
        sheet.append([key, summary.totals[key], DEFINITIONS[key]])
    for group_by, title in (
        ("month", "By month"),
        ("brand", "By brand"),
        ("merchant", "By merchant"),
        ("infringement_type", "By infringement type"),
        ("reviewer", "By reviewer"),
    ):
        rows = (
            summary.rows
            if group_by == "month"
            else report_summary(actor=actor, filters=filters, group_by=group_by).rows
        )
        sheet = workbook.create_sheet(title)
        sheet.append([group_by, *METRIC_KEYS])
        for row in rows:
            sheet.append([neutralise(row["group"]), *(row[key] for key in METRIC_KEYS)])
    sheet = workbook.create_sheet("DSA transparency")
    sheet.append(["Section", "Figure", "Value", "Definition"])
    for row in transparency_rows(transparency_report(actor=actor, filters=filters)):
        sheet.append(list(row))
    sheet = workbook.create_sheet("Claims")
    for n, row in enumerate(claim_rows(actor, filters, progress)):
        if n > XLSX_MAX_ROWS:
            sheet.append(
                [f"Only the first {XLSX_MAX_ROWS} claims fit in a worksheet; use the CSV export for all."]
            )
            break
        sheet.append([_xlsx_value(c) for c in row])
    workbook.save(out)


# --- PDF -----------------------------------------------------------------------------------------------
class StaticOnlyFetcher:
    """WeasyPrint's URL fetcher: the project's own static files, nothing else (no http, no data: URLs, no
    other files). Every request is recorded, so a test can prove nothing else was asked for."""

    def __init__(self):
        self.requested: list[str] = []
        self.refused: list[str] = []

    def __call__(self, url: str, timeout=10, ssl_context=None, http_headers=None):
        self.requested.append(url)
        path = self.static_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url[:200]}: only the project's static files may be used")
        return {
            "file_obj": open(path, "rb"),
            "mime_type": mimetypes.guess_type(str(path))[0],  # noqa: SIM115
            "redirected_url": url,
        }

    @staticmethod
    def static_path(url: str) -> Path | None:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = posixpath.normpath(unquote(parsed.path))  # "/static/../config" is not a static file
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if path.startswith(static_prefix):
            try:
                found = finders.find(path[len(static_prefix) :])
            except SuspiciousFileOperation:
                return None
            return Path(found).resolve() if found else None
        real = Path(os.path.realpath(path))
        roots = [Path(os.path.realpath(d)) for d in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]]
        if any(real.is_file() and real.is_relative_to(root) for root in roots):
            return real
        return None


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _percent(rate):
    return None if rate is None else round(rate * 100, 1)


def _nice_ceiling(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, 5000, 10000):
        if value <= step * 10:
            return step * (int(value // step) + 1)
    return value * 1.1


def _display(row: dict) -> dict:
    out = dict(row)
    for key in METRIC_KEYS:
        value = row.get(key)
        out[f"{key}_text"] = _pct(value) if key.endswith("_rate") else _num(value)
    return out


def pdf_context(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> dict:
    def step(n):
        if progress:
            progress(n, 10)

    months = report_summary(actor=actor, filters=filters, group_by="month")
    step(2)
    brands = report_summary(actor=actor, filters=filters, group_by="brand")
    types = report_summary(actor=actor, filters=filters, group_by="infringement_type")
    reviewers = report_summary(actor=actor, filters=filters, group_by="reviewer")
    step(5)
    merchants = top_repeat_infringers(actor=actor, filters=filters, limit=25)
    transparency = transparency_report(actor=actor, filters=filters)
    step(7)
    labels = [row["group"] for row in months.rows]
    charts = {}
    if labels:
        charts["per_month"] = bar_chart(
            title="Claims per month",
            labels=labels,
            series={
                "Filed": [r["claims_filed"] for r in months.rows],
                "Decided": [r["claims_decided"] for r in months.rows],
                "Taken down": [r["claims_taken_down"] for r in months.rows],
            },
            width=760,
            height=270,
        )
        charts["rate_by_month"] = line_chart(
            title="Take-down rate by month of decision (%)",
            labels=labels,
            unit="%",
            y_max=100,
            series={"Take-down rate": [_percent(r["takedown_rate"]) for r in months.rows]},
            width=760,
            height=250,
        )
        hours = [
            r[k]
            for r in months.rows
            for k in ("median_hours_to_decision", "median_hours_to_takedown")
            if r[k] is not None
        ]
        charts["hours_by_month"] = line_chart(
            title="Median hours from submission",
            labels=labels,
            unit=" h",
            y_max=_nice_ceiling(
                max(hours, default=1)
            ),  # from zero, so a small change does not look like a cliff
            series={
                "to decision": [r["median_hours_to_decision"] for r in months.rows],
                "to takedown": [r["median_hours_to_takedown"] for r in months.rows],
            },
            width=760,
            height=250,
        )
    if brands.rows:
        charts["rate_by_brand"] = bar_chart(
            title="Take-down rate by brand (%)",
            labels=[r["group"] for r in brands.rows],
            unit="%",
            horizontal=True,
            series={"Take-down rate": [_percent(r["takedown_rate"]) for r in brands.rows]},
            width=760,
            height=min(520, max(170, 34 * len(brands.rows) + 90)),
        )
    if types.rows:
        charts["by_type"] = bar_chart(
            title="Claims decided by infringement type",
            labels=[r["group"] for r in types.rows],
            series={
                "Taken down": [r["claims_taken_down"] for r in types.rows],
                "Rejected": [r["claims_rejected"] for r in types.rows],
            },
            width=760,
            height=250,
        )
    # pygal gives every legend entry the same ids in every chart; a PDF needs unique anchors.
    charts = {name: re.sub(r' id="activate-serie-\d+"', "", svg) for name, svg in charts.items()}
    step(8)
    return {
        "title": "Takedown report",
        "platform": getattr(settings, "PLATFORM_NAME", "") or "Takedown Desk",
        "filters": filters,
        "period": filters.period_label(),
        "brands": ", ".join(sorted(filters.brand_names)) if filters.brand_names else "All brands",
        "generated_at": timezone.now(),
        "generated_by": actor.label,
        "totals": _display(months.totals),
        "months": [_display(r) for r in months.rows],
        "by_brand": [_display(r) for r in brands.rows],
        "by_type": [_display(r) for r in types.rows],
        "by_reviewer": [_display(r) for r in reviewers.rows],
        "merchants": merchants,
        "charts": charts,
        "transparency": transparency,
        "transparency_rows": [
            (section, figure, _num(value), definition)
            for section, figure, value, definition in transparency_rows(transparency)
        ],
        "definitions": [(key, DEFINITIONS[key]) for key in METRIC_KEYS],
        "strikes_to_ban": settings.STRIKES_TO_BAN,
    }


def render_report_html(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> str:
    return render_to_string("reports/report.html", pdf_context(actor, filters, progress))


def render_report_pdf(
    actor: Actor,
    filters: ReportFilters,
    *,
    fetcher: StaticOnlyFetcher | None = None,
    progress: Progress | None = None,
) -> bytes:
    from weasyprint import HTML

    html = render_report_html(actor, filters, progress)
    fetcher = fetcher or StaticOnlyFetcher()
    # base_url: relative links resolve to file:///static/…, which the fetcher maps to the static files.
    pdf = HTML(string=html, base_url="file:///", url_fetcher=fetcher).write_pdf()
    if progress:
        progress(10, 10)
    return pdf


# --- one entry point per format ------------------------------------------------------------------------
def export_chunks(
    fmt: str, actor: Actor, filters: ReportFilters, progress: Progress | None = None
) -> Iterator[bytes]:
    """The export as a stream of bytes (the PDF and XLSX come in one piece, built first)."""
    if fmt == "csv":
        yield from csv_chunks(claim_rows(actor, filters, progress))
    elif fmt == "audit":
        yield from csv_chunks(audit_rows(actor, filters, progress))
    elif fmt == "dsa-sor":
        yield from json_chunks("statements", statements(actor, filters))
    elif fmt == "lumen":
        yield from json_chunks("notices", lumen_notices(actor, filters), head={"filters": filters.describe()})
    elif fmt == "transparency":
        yield json.dumps(
            transparency_report(actor=actor, filters=filters), ensure_ascii=False, indent=2
        ).encode()
    elif fmt == "xlsx":
        with tempfile.TemporaryFile() as fh:
            write_xlsx(actor, filters, fh, progress)
            fh.seek(0)
            while chunk := fh.read(CHUNK_BYTES):
                yield chunk
    elif fmt == "pdf":
        yield render_report_pdf(actor, filters, progress=progress)
    else:
        raise ValueError(fmt)


def needs_background(fmt: str, actor: Actor, filters: ReportFilters) -> bool:
    if fmt not in HEAVY_FORMATS:
        return False
    limit = getattr(settings, "EXPORT_INLINE_MAX_CLAIMS", 20000)
    return report_claims(actor, filters).filter(submitted_at__isnull=False)[: limit + 1].count() > limit


# --- background exports (the Export model) --------------------------------------------------------------
def export_request(*, actor: Actor, fmt: str, params: dict) -> Export:
    """Record a background export; the caller sends `build_export` when the transaction commits."""
    export = Export.objects.create(requested_by=actor.user, format=fmt, params=params)
    audit(
        actor=actor, action="report_export", obj=export, note=fmt, data={"params": params, "background": True}
    )
    return export


def export_build(*, export_id: int) -> Export | None:
    """Build the file of a pending export. Safe to run twice: only one run takes it from pending."""
    if not Export.objects.filter(pk=export_id, status=Export.Status.PENDING).update(
        status=Export.Status.RUNNING
    ):
        return None
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    actor = actor_for(export.requested_by)

    def progress(done: int, total: int) -> None:
        pct = min(99, int(done * 100 / total)) if total else 0
        Export.objects.filter(pk=export_id).update(progress=pct)

    try:
        filters = report_filters(actor=actor, params=export.params)
        filename = export_filename(export.format, filters)
        Path(settings.EXPORT_ROOT).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.EXPORT_ROOT, suffix=".part", delete=False) as fh:
            for chunk in export_chunks(export.format, actor, filters, progress):
                fh.write(chunk)
            temp = fh.name
        try:
            with open(temp, "rb") as fh:
                export.file.save(filename, File(fh), save=False)
        finally:
            os.unlink(temp)
        now = timezone.now()
        export.filename, export.status, export.progress = filename, Export.Status.DONE, 100
        export.finished_at = now
        export.expires_at = now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
        export.save(update_fields=["file", "filename", "status", "progress", "finished_at", "expires_at"])
    except Exception as exc:
        log.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    return Export.objects.get(pk=export_id)


def exports_purge_expired(now=None) -> int:
    """Delete the files of exports past their keeping time; the rows stay as a record."""
    now = now or timezone.now()
    purged = 0
    for export in Export.objects.filter(expires_at__lt=now).exclude(file=""):
        export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(file="")
        purged += 1
    return purged


def export_payload_bytes(fmt: str, actor: Actor, filters: ReportFilters) -> bytes:
    """The whole export in memory: for tests and the command's small outputs."""
    buffer = io.BytesIO()
    for chunk in export_chunks(fmt, actor, filters):
        buffer.write(chunk)
    return buffer.getvalue()


def exports_pending(older_than_seconds: int = 120) -> list[int]:
    """Exports whose build task was lost (broker down when they were requested)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        Export.objects.filter(status=Export.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:100]
    )
