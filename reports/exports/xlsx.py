"""The XLSX export: claims, monthly figures and the transparency report in one workbook."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.roles import Actor
from reports.exports.rows import Progress, claim_rows, neutralise
from reports.metrics import (
    DEFINITIONS,
    METRIC_KEYS,
    ReportFilters,
    report_summary,
)
from reports.transparency import transparency_report, transparency_rows

XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header


# --- XLSX ----------------------------------------------------------------------------------------------
def _xlsx_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return neutralise(value)


def _append(sheet, row: list) -> None:
    """openpyxl refuses a cell with control characters, which a brand name, a listing title or a note may
    hold (they come from users and from the marketplace): they are dropped, so one such text cannot break
    the whole export."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])


def write_xlsx(actor: Actor, filters: ReportFilters, out, progress: Progress | None = None) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Summary")
    _append(sheet, ["Takedown Desk report"])
    _append(sheet, ["Period", filters.period_label()])
    _append(
        sheet,
        ["Brands", neutralise(", ".join(sorted(filters.brand_names))) if filters.brand_names else "All"],
    )
    _append(sheet, ["Generated", timezone.now().astimezone(dt.UTC).replace(tzinfo=None)])
    _append(sheet, [])
    _append(sheet, ["Figure", "Value", "Definition"])
    summary = report_summary(actor=actor, filters=filters, group_by="month")
    for key in METRIC_KEYS:
        _append(sheet, [key, summary.totals[key], DEFINITIONS[key]])
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
            else report_summary(actor=actor, filters=filters, group_by=group_by, totals=summary.totals).rows
        )
        sheet = workbook.create_sheet(title)
        _append(sheet, [group_by, *METRIC_KEYS])
        for row in rows:
            _append(sheet, [neutralise(row["group"]), *(row[key] for key in METRIC_KEYS)])
    sheet = workbook.create_sheet("DSA transparency")
    _append(sheet, ["Section", "Figure", "Value", "Definition"])
    for row in transparency_rows(transparency_report(actor=actor, filters=filters)):
        _append(sheet, list(row))
    sheet = workbook.create_sheet("Claims")
    for n, row in enumerate(claim_rows(actor, filters, progress)):
        if n > XLSX_MAX_ROWS:
            _append(
                sheet,
                [f"Only the first {XLSX_MAX_ROWS} claims fit in a worksheet; use the CSV export for all."],
            )
            break
        _append(sheet, [_xlsx_value(c) for c in row])
    workbook.save(out)
