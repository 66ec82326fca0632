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
