"""The PDF report: figures, charts and definitions, rendered by WeasyPrint from the project's own files, in
English or Simplified Chinese.

Each report carries an ID (recorded with the export in the audit trail), the product version, a sign-off
block and the SHA-256 of its data: the figures as printed, serialised as canonical JSON (`report_data`,
`report_data_bytes`) and attached to the PDF as `report-data.json`, so that anyone can recompute the hash
(docs/contract.md §8)."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import io
import json
import mimetypes
import os
import posixpath
import re
import secrets
import tomllib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.db import router
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from core.errors import Invalid
from core.reads import read_concurrently
from core.roles import Actor
from reports.charts import bar_chart, line_chart
from reports.exports.rows import Progress
from reports.metrics import (
    DEFINITIONS,
    METRIC_KEYS,
    ReportFilters,
    Summary,
    report_summary,
    top_repeat_infringers,
)
from reports.transparency import SECTIONS, transparency_report
from takedowns.models import Claim, CounterReason, InfringementType


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


# --- what the PDF says of itself: ID, version, language, the hash of its data ----------------------------
LANGUAGES = dict(settings.LANGUAGES)
DATA_ATTACHMENT = "report-data.json"


def report_language(raw: str | None, *, default: str) -> str:
    """The language of a PDF export (`lang`): `en` or `zh-hans`, in any case and with `_` or `-`; without
    one, `default` (the requester's language)."""
    if raw is None or not str(raw).strip():
        return default if default in LANGUAGES else settings.LANGUAGE_CODE
    code = str(raw).strip().lower().replace("_", "-")
    if code not in LANGUAGES:
        raise Invalid(
            f"lang must be one of {', '.join(LANGUAGES)}.",
            code="invalid_lang",
            extra={"fields": {"lang": [f"One of {', '.join(LANGUAGES)}."]}},
        )
    return code


def pdf_identity(raw_lang: str | None, *, default: str) -> dict[str, str]:
    """A PDF export's language and new report ID, chosen before anything is written: the audit trail records
    them with the export's filters, and the PDF prints the same ID."""
    return {"lang": report_language(raw_lang, default=default), "report_id": report_id_new()}


def report_id_new() -> str:
    """`TDR-7F3A-09C2-D41E-88B0`: 64 random bits, so no two reports share an ID; the audit trail records it
    with the export, so a printed report leads back to who exported it, when and with which filters."""
    raw = secrets.token_hex(8).upper()
    return "TDR-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@functools.cache
def product_version() -> str:
    """The version in pyproject.toml (an editable install's metadata keeps the version it was installed at)."""
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    return importlib.metadata.version("takedown-desk")


def report_data_bytes(data: dict) -> bytes:
    """The canonical serialisation the hash is taken over: UTF-8 JSON, keys sorted, no spaces, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def report_sha256(data: dict) -> str:
    return hashlib.sha256(report_data_bytes(data)).hexdigest()


# --- the figures as the tables show them ----------------------------------------------------------------
# One label per figure: its column heading, its row in the summary and the heading of its definition (the
# portal's report table uses the same words).
LABELS = {
    "claims_filed": gettext_lazy("Filed"),
    "claims_decided": gettext_lazy("Decided"),
    "claims_taken_down": gettext_lazy("Taken down"),
    "claims_rejected": gettext_lazy("Rejected"),
    "fast_tracked": pgettext_lazy("compliance report", "Fast-tracked"),
    "takedown_rate": gettext_lazy("Take-down rate"),
    "median_hours_to_decision": gettext_lazy("Median h to decision"),
    "median_hours_to_takedown": gettext_lazy("Median h to takedown"),
    "counter_notices": gettext_lazy("Counter-notices"),
    "successful_counter_notices": pgettext_lazy("compliance report", "Successful counter-notices"),
    "counter_notice_rate": pgettext_lazy("compliance report", "Counter-notice rate"),
    "reinstated": gettext_lazy("Reinstated"),
    "retracted": pgettext_lazy("compliance report", "Retracted by the brand"),
    "reinstatement_rate": pgettext_lazy("compliance report", "Reinstatement rate"),
    "claims_with_test_purchase": pgettext_lazy("compliance report", "Backed by a test purchase"),
    "test_purchase_takedown_rate": pgettext_lazy("compliance report", "Take-down rate with a test purchase"),
    "listings_removed": pgettext_lazy("compliance report", "Listings removed"),
    "merchants_banned": gettext_lazy("Merchants banned"),
}
# The summary's order, which the definitions follow.
SUMMARY_ORDER = tuple(LABELS)
# Figures that count something; rates and medians are not counts.
COUNT_KEYS = frozenset(k for k in METRIC_KEYS if not k.endswith("_rate") and not k.startswith("median_"))

MONTH_COLUMNS = (
    "claims_filed",
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_decision",
    "median_hours_to_takedown",
    "counter_notices",
    "reinstated",
    "merchants_banned",
)
BRAND_COLUMNS = (
    "claims_filed",
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_takedown",
    "counter_notices",
    "successful_counter_notices",
    "reinstated",
)
TYPE_COLUMNS = (
    "claims_filed",
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_decision",
    "counter_notices",
    "reinstated",
)
# The brands the PDF prints (and charts): the busiest, by claims decided and then filed. A platform has
# thousands of brands, which no one reads in a PDF (and which took most of its pages and most of its
# rendering time); the XLSX export's “By brand” sheet and the summary API list every one.
BRANDS_PRINTED = 25
REVIEWER_COLUMNS = (
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_decision",
    "counter_notices",
    "reinstated",
)
# The reviewer grouping's two rows that are not a user.
REVIEWER_PLACEHOLDERS = {
    "(fast track)": pgettext_lazy("compliance report", "(fast track)"),
    "(unassigned)": pgettext_lazy("compliance report", "(unassigned)"),
}
# What the data attached to the PDF says of each merchant (the status label depends on the language).
MERCHANT_FIELDS = (
    "merchant",
    "platform_ref",
    "country",
    "status",
    "takedowns",
    "listings",
    "brands",
    "reinstated",
)


# The DSA transparency section as the PDF words it (`transparency_rows` words it for the spreadsheets, in
# English from the figures' names); its definitions are translated under their English text.
TRANSPARENCY_SECTIONS = {
    "notices": pgettext_lazy("compliance report", "Notices"),
    "actions": pgettext_lazy("compliance report", "Actions"),
    "complaints": pgettext_lazy("compliance report", "Complaints"),
    "notifier_complaints": pgettext_lazy("compliance report", "Notifiers' complaints"),
    "suspensions": pgettext_lazy("compliance report", "Suspensions"),
}
TRANSPARENCY_FIGURES = {
    "received": pgettext_lazy("compliance report", "received"),
    "by_type": pgettext_lazy("compliance report", "by type"),
    "from_trusted_flaggers": pgettext_lazy("compliance report", "from trusted flaggers"),
    "processed_by_automated_means": pgettext_lazy("compliance report", "processed by automated means"),
    "decided": pgettext_lazy("compliance report", "decided"),
    "rejected": pgettext_lazy("compliance report", "rejected"),
    "withdrawn": pgettext_lazy("compliance report", "withdrawn"),
    "on_legal_grounds": pgettext_lazy("compliance report", "on legal grounds"),
    "on_legal_grounds_by_type": pgettext_lazy("compliance report", "on legal grounds by type"),
    "on_terms_and_conditions_grounds": pgettext_lazy("compliance report", "on terms and conditions grounds"),
    "automated": pgettext_lazy("compliance report", "automated"),
    "median_hours_to_action": pgettext_lazy("compliance report", "median hours to action"),
    "by_basis": pgettext_lazy("compliance report", "by basis"),
    "upheld": pgettext_lazy("compliance report", "upheld"),
    "reversed": pgettext_lazy("compliance report", "reversed"),
    "pending": pgettext_lazy("compliance report", "pending"),
    "median_hours_to_decision": pgettext_lazy("compliance report", "median hours to decision"),
    "retractions": pgettext_lazy("compliance report", "retractions"),
    "sellers_for_manifestly_illegal_content": pgettext_lazy(
        "compliance report", "sellers for manifestly illegal content"
    ),
    "sellers_reinstated": pgettext_lazy("compliance report", "sellers reinstated"),
    "notifiers_warned": pgettext_lazy("compliance report", "notifiers warned"),
    "notifiers_for_manifestly_unfounded_notices": pgettext_lazy(
        "compliance report", "notifiers for manifestly unfounded notices"
    ),
}
BREAKDOWN_LABELS = {**dict(InfringementType.choices), **dict(CounterReason.choices)}


def _transparency_rows(report: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for section in SECTIONS:
        for name, value in report[section].items():
            key = f"{section}.{name}"
            figure = str(TRANSPARENCY_FIGURES.get(name, name.replace("_", " ")))
            definition = _(report["definitions"][key]) if key in report["definitions"] else ""
            parts = value.items() if isinstance(value, dict) else [(None, value)]
            for sub, n in parts:
                label = f"{figure}: {BREAKDOWN_LABELS.get(sub, sub)}" if sub is not None else figure
                rows.append((str(TRANSPARENCY_SECTIONS[section]), label, _num(n), definition))
                definition = ""  # a breakdown's definition once, on its first row
    return rows


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _text(key: str, value) -> str:
    return _pct(value) if key.endswith("_rate") else _num(value)


def _percent(rate):
    return None if rate is None else round(rate * 100, 1)


def _nice_ceiling(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, 5000, 10000):
        if value <= step * 10:
            return step * (int(value // step) + 1)
    return value * 1.1


def _shown(rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    """The rows a table prints: a group whose every count in the table's columns is zero says nothing (an
    "(unassigned)" reviewer whose claims are merely filed, a month without activity) and is left out."""
    return [row for row in rows if any(row[key] for key in columns if key in COUNT_KEYS)]


def _busiest(rows: list[dict], limit: int) -> list[dict]:
    """The `limit` rows with the most claims decided, then filed, in their order."""
    ranked = sorted(rows, key=lambda row: (-row["claims_decided"], -row["claims_filed"], str(row["group"])))
    kept = {id(row) for row in ranked[:limit]}
    return [row for row in rows if id(row) in kept]


def _type_label(code: str) -> str:
    return str(InfringementType(code).label) if code in InfringementType.values else code


def _table(rows: list[dict], columns: tuple[str, ...], group: str, label_of=str) -> dict:
    return {
        "group": group,
        "columns": [LABELS[key] for key in columns],
        "rows": [(label_of(row["group"]), [_text(key, row[key]) for key in columns]) for row in rows],
    }


def _period(filters: ReportFilters) -> str:
    end = (filters.date_to or timezone.localdate()).isoformat()
    if filters.date_from is None:
        return pgettext("compliance report", "until %(end)s") % {"end": end}
    return f"{filters.date_from.isoformat()} – {end}"


def report_data(
    *,
    filters: ReportFilters,
    totals: dict,
    tables: dict[str, list[dict]],
    merchants: list,
    transparency: dict,
) -> dict:
    """The report's figures as printed (the rows of each table, the merchants, the transparency figures),
    without anything that depends on the language or the time it was made: what the SHA-256 is taken over."""
    return {
        "period": {
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
        },
        "brands": sorted(filters.brand_names) if filters.brand_names else None,
        "totals": {key: totals[key] for key in METRIC_KEYS},
        **{
            name: [{"group": row["group"], **{key: row[key] for key in METRIC_KEYS}} for row in rows]
            for name, rows in tables.items()
        },
        "top_repeat_infringers": [{key: m[key] for key in MERCHANT_FIELDS} for m in merchants],
        "transparency": {section: transparency[section] for section in SECTIONS},
    }


def pdf_context(
    actor: Actor,
    filters: ReportFilters,
    progress: Progress | None = None,
    *,
    report_id: str | None = None,
) -> dict:
    """What the PDF prints, in the active language (`render_report_pdf` chooses it)."""

    def step(n):
        if progress:
            progress(n, 10)

    months = report_summary(actor=actor, filters=filters, group_by="month")
    step(2)
    totals = months.totals  # the same for every grouping

    def summary(group_by: str) -> Callable[[], Summary]:
        return lambda: report_summary(actor=actor, filters=filters, group_by=group_by, totals=totals)

    # The rest depends on nothing but the totals: read on two connections at once (`core.reads`).
    read = read_concurrently(
        {
            "brands": summary("brand"),
            "types": summary("infringement_type"),
            "reviewers": summary("reviewer"),
            "merchants": lambda: top_repeat_infringers(actor=actor, filters=filters, limit=25),
            "transparency": lambda: transparency_report(actor=actor, filters=filters),
        },
        using=router.db_for_read(Claim),
    )
    brands, types, reviewers = read["brands"], read["types"], read["reviewers"]
    merchants, transparency = read["merchants"], read["transparency"]
    step(7)
    brand_rows = _shown(brands.rows, BRAND_COLUMNS)
    shown = {
        "by_month": _shown(months.rows, MONTH_COLUMNS),
        "by_brand": _busiest(brand_rows, BRANDS_PRINTED),
        "by_infringement_type": _shown(types.rows, TYPE_COLUMNS),
        "by_reviewer": _shown(reviewers.rows, REVIEWER_COLUMNS),
    }
    data = report_data(
        filters=filters, totals=totals, tables=shown, merchants=merchants, transparency=transparency
    )
    charts = _charts(months.rows, shown["by_brand"], types.rows)
    step(8)
    user = actor.user
    return {
        "title": pgettext("compliance report", "Takedown report"),
        "lang": translation.get_language(),
        "platform": getattr(settings, "PLATFORM_NAME", "") or "Takedown Desk",
        "period": _period(filters),
        "brands": ", ".join(sorted(filters.brand_names)) if filters.brand_names else _("All brands"),
        "generated_at": timezone.now(),
        "generated_by": actor.label,
        "prepared_by": (user.get_full_name() if user else "") or actor.label,
        "report_id": report_id or report_id_new(),
        "version": product_version(),
        "data": data,
        "data_bytes": report_data_bytes(data),
        "sha256": report_sha256(data),
        "totals": [(LABELS[key], _text(key, totals[key])) for key in SUMMARY_ORDER],
        "kpis": {key: _text(key, totals[key]) for key in METRIC_KEYS},
        "by_month": _table(shown["by_month"], MONTH_COLUMNS, _("Month")),
        "month_totals": [_text(key, totals[key]) for key in MONTH_COLUMNS],
        "by_brand": _table(shown["by_brand"], BRAND_COLUMNS, _("Brand")),
        "brands_not_printed": len(brand_rows) - len(shown["by_brand"]),
        "by_type": _table(shown["by_infringement_type"], TYPE_COLUMNS, _("Infringement type"), _type_label),
        "by_reviewer": _table(
            shown["by_reviewer"],
            REVIEWER_COLUMNS,
            _("Reviewer"),
            lambda g: str(REVIEWER_PLACEHOLDERS.get(g, g)),
        ),
        "merchants": merchants,
        "charts": charts,
        "transparency": transparency,
        "transparency_rows": _transparency_rows(transparency),
        # The metric definitions are written once, in English, in reports.metrics; their translations are
        # in the catalogue under the English text.
        "definitions": [(LABELS[key], _(DEFINITIONS[key])) for key in SUMMARY_ORDER],
        "strikes_to_ban": settings.STRIKES_TO_BAN,
    }


def _charts(months: list[dict], brands: list[dict], types: list[dict]) -> dict[str, str]:
    labels = [row["group"] for row in months]
    charts = {}
    if labels:
        charts["per_month"] = bar_chart(
            title=pgettext("compliance report", "Claims per month"),
            labels=labels,
            series={
                str(LABELS["claims_filed"]): [r["claims_filed"] for r in months],
                str(LABELS["claims_decided"]): [r["claims_decided"] for r in months],
                str(LABELS["claims_taken_down"]): [r["claims_taken_down"] for r in months],
            },
            counts=True,
            width=760,
            height=270,
        )
        charts["rate_by_month"] = line_chart(
            title=pgettext("compliance report", "Take-down rate by month of decision (%)"),
            labels=labels,
            unit="%",
            y_max=100,
            series={str(LABELS["takedown_rate"]): [_percent(r["takedown_rate"]) for r in months]},
            width=760,
            height=250,
        )
        hours = [
            r[k]
            for r in months
            for k in ("median_hours_to_decision", "median_hours_to_takedown")
            if r[k] is not None
        ]
        charts["hours_by_month"] = line_chart(
            title=pgettext("compliance report", "Median hours from submission"),
            labels=labels,
            unit=" h",
            # from zero, so a small change does not look like a cliff
            y_max=_nice_ceiling(max(hours, default=1)),
            series={
                str(LABELS["median_hours_to_decision"]): [r["median_hours_to_decision"] for r in months],
                str(LABELS["median_hours_to_takedown"]): [r["median_hours_to_takedown"] for r in months],
            },
            width=760,
            height=250,
        )
    if brands:
        charts["rate_by_brand"] = bar_chart(
            title=pgettext("compliance report", "Take-down rate by brand (%)"),
            labels=[r["group"] for r in brands],
            unit="%",
            horizontal=True,
            series={str(LABELS["takedown_rate"]): [_percent(r["takedown_rate"]) for r in brands]},
            width=760,
            height=min(520, max(170, 34 * len(brands) + 90)),
        )
    if types:
        charts["by_type"] = bar_chart(
            title=pgettext("compliance report", "Claims decided by infringement type"),
            labels=[_type_label(r["group"]) for r in types],
            series={
                str(LABELS["claims_taken_down"]): [r["claims_taken_down"] for r in types],
                str(LABELS["claims_rejected"]): [r["claims_rejected"] for r in types],
            },
            counts=True,
            width=760,
            height=250,
        )
    # pygal gives every legend entry the same ids in every chart; a PDF needs unique anchors.
    return {name: re.sub(r' id="activate-serie-\d+"', "", svg) for name, svg in charts.items()}


def render_report_html(
    actor: Actor,
    filters: ReportFilters,
    progress: Progress | None = None,
    *,
    lang: str | None = None,
    report_id: str | None = None,
) -> str:
    return _render(actor, filters, progress, lang=lang, report_id=report_id)[0]


def _render(actor, filters, progress, *, lang, report_id) -> tuple[str, dict]:
    with translation.override(lang or translation.get_language() or settings.LANGUAGE_CODE):
        context = pdf_context(actor, filters, progress, report_id=report_id)
        return render_to_string("reports/report.html", context), context


def render_report_pdf(
    actor: Actor,
    filters: ReportFilters,
    *,
    fetcher: StaticOnlyFetcher | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
    report_id: str | None = None,
) -> bytes:
    """The PDF in `lang` (default: the active language), with its data attached as `report-data.json`: the
    bytes whose SHA-256 the report prints."""
    from weasyprint import HTML, Attachment

    html, context = _render(actor, filters, progress, lang=lang, report_id=report_id)
    fetcher = fetcher or StaticOnlyFetcher()
    data = Attachment(
        file_obj=io.BytesIO(context["data_bytes"]),
        url_fetcher=fetcher,
        name=DATA_ATTACHMENT,
        description=f"{context['report_id']} SHA-256 {context['sha256']}",
    )
    # base_url: relative links resolve to file:///static/…, which the fetcher maps to the static files.
    pdf = HTML(string=html, base_url="file:///", url_fetcher=fetcher).write_pdf(attachments=[data])
    if progress:
        progress(10, 10)
    return pdf
