"""The PDF report: figures, charts and definitions, rendered by WeasyPrint from the project's own files."""

from __future__ import annotations

import mimetypes
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone

from core.roles import Actor
from reports.charts import bar_chart, line_chart
from reports.exports.rows import Progress
from reports.metrics import (
    DEFINITIONS,
    METRIC_KEYS,
    ReportFilters,
    report_summary,
    top_repeat_infringers,
)
from reports.transparency import transparency_report, transparency_rows


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
    totals = months.totals  # the same for every grouping
    brands = report_summary(actor=actor, filters=filters, group_by="brand", totals=totals)
    types = report_summary(actor=actor, filters=filters, group_by="infringement_type", totals=totals)
    reviewers = report_summary(actor=actor, filters=filters, group_by="reviewer", totals=totals)
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
