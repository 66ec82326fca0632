"""Export formats and jobs: the streamed body of each format, and exports built in the background."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection
from django.utils import timezone

from core.audit import audit
from core.replica import replica_chunks
from core.roles import Actor, actor_for
from reports.dsa.statements import statements
from reports.exports.pdf import render_report_pdf
from reports.exports.rows import (
    CHUNK_BYTES,
    Progress,
    audit_rows,
    claim_csv_copy,
    claim_rows,
    csv_chunks,
    json_chunks,
)
from reports.exports.xlsx import write_xlsx
from reports.lumen import lumen_notices
from reports.metrics import (
    ReportFilters,
    report_claims,
    report_filters,
)
from reports.models import Export
from reports.transparency import transparency_report

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


def export_filename(fmt: str, filters: ReportFilters) -> str:
    """`takedown-report_2026-01-01_2026-06-30.csv`: the period in the name; with no start date, everything up
    to the end (`…_until_2026-06-30.csv`), never a placeholder word."""
    end = filters.date_to.isoformat() if filters.date_to else timezone.localdate().isoformat()
    period = f"{filters.date_from.isoformat()}_{end}" if filters.date_from else f"until_{end}"
    name = {
        "dsa-sor": "dsa-statements",
        "audit": "audit-trail",
        "transparency": "dsa-transparency",
        "lumen": "lumen-notices",
    }.get(fmt, "takedown-report")
    return f"{name}_{period}.{FORMATS[fmt][1]}"


# --- one entry point per format ------------------------------------------------------------------------
def export_chunks(
    fmt: str,
    actor: Actor,
    filters: ReportFilters,
    progress: Progress | None = None,
    *,
    lang: str | None = None,
    report_id: str | None = None,
) -> Iterator[bytes]:
    """The export as a stream of bytes (the PDF and XLSX come in one piece, built first), read from the
    replica when there is one (progress is a write: it goes to the primary). `lang` and `report_id` are the
    PDF's: its language and the ID the audit trail recorded for it."""
    return replica_chunks(_chunks(fmt, actor, filters, progress, lang=lang, report_id=report_id))


def _chunks(
    fmt: str,
    actor: Actor,
    filters: ReportFilters,
    progress: Progress | None,
    *,
    lang: str | None,
    report_id: str | None,
) -> Iterator[bytes]:
    if fmt == "csv" and connection.vendor == "postgresql":
        yield from claim_csv_copy(actor, filters, progress)
    elif fmt == "csv":
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
        yield render_report_pdf(actor, filters, progress=progress, lang=lang, report_id=report_id)
    else:
        raise ValueError(fmt)


def needs_background(fmt: str, actor: Actor, filters: ReportFilters) -> bool:
    if fmt not in HEAVY_FORMATS:
        return False
    limit = getattr(settings, "EXPORT_INLINE_MAX_CLAIMS", 20000)
    return report_claims(actor, filters).filter(submitted_at__isnull=False)[: limit + 1].count() > limit


# --- background exports (the Export model) --------------------------------------------------------------
def export_note(fmt: str, params: dict) -> str:
    """What the audit trail says of an export: the format and every filter used (`csv · from 2026-01-01 ·
    to 2026-06-30 · brand 3`), and for a PDF its language and report ID (`… · lang zh-hans · report
    TDR-…`), so that the trail alone tells which figures left the system."""
    shown = [f"{name} {params[name]}" for name in ("from", "to", "brand", "group_by") if params.get(name)]
    pdf = [
        f"{label} {params[name]}"
        for name, label in (("lang", "lang"), ("report_id", "report"))
        if params.get(name)
    ]
    return " · ".join([fmt, *(shown or ["all dates, every brand the requester sees"]), *pdf])


def export_request(*, actor: Actor, fmt: str, params: dict) -> Export:
    """Record a background export; the caller sends `build_export` when the transaction commits."""
    export = Export.objects.create(requested_by=actor.user, format=fmt, params=params)
    audit(
        actor=actor,
        action="report_export",
        obj=export,
        note=export_note(fmt, params),
        data={"params": params, "background": True},
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
            chunks = export_chunks(
                export.format,
                actor,
                filters,
                progress,
                lang=export.params.get("lang"),
                report_id=export.params.get("report_id"),
            )
            for chunk in chunks:
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
