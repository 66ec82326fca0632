"""Compliance pages (reports, audit trail) and the brand's dashboard, all from the report selectors."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from brands.models import Brand, IPRight
from brands.selectors import brands_visible_to, ip_rights_visible_to
from core.errors import DomainError
from core.portal import error_messages, page_of, require
from core.replica import from_replica
from core.roles import actor_for
from reports.charts import bar_chart, line_chart
from reports.metrics import GROUPINGS, report_claims, report_filters, report_summary, top_repeat_infringers
from reports.selectors import audit_trail_search, brand_dashboard, time_to_decision_distribution
from takedowns.models import S
from takedowns.selectors import claim_list
from takedowns.templatetags.claims import ACTION_LABELS, TRANSITION_LABELS


# --- brand dashboard --------------------------------------------------------------------------------------
@login_required
@from_replica()
def dashboard(request):
    actor = actor_for(request.user)
    require(bool(actor.brand_ids))
    brands = list(brands_visible_to(actor).order_by("name"))
    selected = request.GET.get("brand")
    brand_ids = [b.pk for b in brands if str(b.pk) == selected] or [b.pk for b in brands]
    figures = brand_dashboard(actor, brand_ids)
    chart = line_chart(
        title=_("Claims per month, last 12 months"),
        labels=figures.months,
        series={_("Submitted"): figures.filed_by_month, _("Taken down"): figures.taken_down_by_month},
        width=760,
        height=300,
    )
    rate_chart = line_chart(
        title=_("Take-down rate per month (%)"),
        labels=figures.months,
        series={_("Take-down rate"): figures.rate_by_month},
        unit="%",
        width=760,
        height=260,
        y_max=100,
    )
    states = [(value, label, figures.by_state.get(value, 0)) for value, label in S.choices]
    attention = claim_list(actor).filter(
        brand_id__in=brand_ids, state__in=(S.INFO_REQUESTED, S.COUNTER_NOTICED, S.DRAFT)
    )[:10]
    return render(
        request,
        "takedowns/dashboard.html",
        {
            "brands": brands,
            "selected": selected,
            "figures": figures,
            "chart": chart,
            "rate_chart": rate_chart,
            "states": states,
            "attention": attention,
            "rights_expiring": ip_rights_visible_to(actor).filter(
                brand_id__in=brand_ids,
                status=IPRight.Status.VERIFIED,
                valid_until__lt=timezone.localdate() + timedelta(days=90),
            ),
        },
    )


# --- compliance -------------------------------------------------------------------------------------------
EXPORT_FORMATS = (
    ("csv", "CSV"),
    ("xlsx", "XLSX"),
    ("pdf", "PDF"),
    ("dsa-sor", gettext_lazy("DSA statements of reasons")),
    ("transparency", gettext_lazy("DSA transparency report")),
    ("lumen", "Lumen"),
    ("audit", gettext_lazy("audit trail")),
)


def _date(value):
    """A date from the query string; a malformed or impossible one (2026-13-45) is ignored."""
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


def period_presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The periods compliance asks for most: this and last month, this and last quarter, and the DSA's
    half-years (transparency reports cover January–June and July–December)."""
    month_start = today.replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    last_quarter_end = quarter_start - dt.timedelta(days=1)
    last_quarter_start = last_quarter_end.replace(month=3 * ((last_quarter_end.month - 1) // 3) + 1, day=1)
    half_start = today.replace(month=1 if today.month <= 6 else 7, day=1)
    last_half_end = half_start - dt.timedelta(days=1)
    last_half_start = last_half_end.replace(month=1 if last_half_end.month <= 6 else 7, day=1)

    def half(start: dt.date) -> str:
        return _("H%(half)s %(year)s (DSA)") % {"half": 1 if start.month == 1 else 2, "year": start.year}

    return [
        (_("This month"), month_start, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This quarter"), quarter_start, today),
        (_("Last quarter"), last_quarter_start, last_quarter_end),
        (half(half_start), half_start, today),
        (half(last_half_start), last_half_start, last_half_end),
    ]


@login_required
@from_replica()
def reports(request):
    """Figures from the reporting backend (`reports.metrics`, the same numbers as the API and the exports);
    only the distribution of decision times is counted here."""
    actor = actor_for(request.user)
    require(actor.compliance or actor.reviewer)

    filters = {key: request.GET.get(key, "") for key in ("from", "to", "brand", "group_by")}
    filters["group_by"] = filters["group_by"] if filters["group_by"] in GROUPINGS else "month"
    problems = []
    try:
        chosen = report_filters(actor=actor, params={k: v for k, v in filters.items() if v})
    except DomainError as exc:
        problems = error_messages(exc)
        chosen = report_filters(actor=actor, params={})
    monthly = report_summary(actor=actor, filters=chosen, group_by="month")
    grouped = (
        monthly
        if chosen.group_by == "month"
        else report_summary(actor=actor, filters=chosen, totals=monthly.totals)
    )
    months = [row["group"] for row in monthly.rows][-24:]
    recent = monthly.rows[-24:]
    claims_qs = report_claims(actor, chosen).filter(chosen.period_q("submitted_at"))
    distribution = time_to_decision_distribution(claims_qs)
    infringers = top_repeat_infringers(actor=actor, filters=chosen, limit=10)
    charts = {
        "rate": line_chart(
            title=_("Take-down rate per month (%)"),
            labels=months,
            series={
                _("Take-down rate"): [
                    None if r["takedown_rate"] is None else 100 * r["takedown_rate"] for r in recent
                ]
            },
            unit="%",
            y_max=100,
            width=760,
            height=280,
        ),
        "volume": bar_chart(
            title=_("Claims filed and taken down per month"),
            labels=months,
            series={
                _("Filed"): [r["claims_filed"] for r in recent],
                _("Taken down"): [r["claims_taken_down"] for r in recent],
            },
            counts=True,
            width=760,
            height=280,
        ),
        "distribution": bar_chart(
            title=_("Time from submission to decision"),
            labels=[label for label, _n in distribution],
            series={_("Decisions"): [n for _label, n in distribution]},
            counts=True,
            width=560,
            height=260,
        ),
        "infringers": bar_chart(
            title=_("Top repeat infringers (listings taken down)"),
            labels=[row["merchant"] for row in infringers],
            series={_("Takedowns"): [row["takedowns"] for row in infringers]},
            counts=True,
            horizontal=True,
            width=560,
            height=320,
        ),
    }
    kept = {k: v for k, v in filters.items() if v and k in ("brand", "group_by")}
    presets = [
        {
            "label": label,
            "url": "?" + urlencode({**kept, "from": start.isoformat(), "to": end.isoformat()}),
            "active": filters["from"] == start.isoformat() and filters["to"] == end.isoformat(),
        }
        for label, start, end in period_presets(timezone.localdate())
    ]
    query = urlencode({k: v for k, v in filters.items() if v and k != "group_by"})
    exports = [
        (label, f"/api/v1/reports/export/?format={fmt}" + (f"&{query}" if query else ""))
        for fmt, label in EXPORT_FORMATS
        if fmt != "pdf"
    ]
    # The PDF in each language, named in that language; the reader's own comes first.
    languages = sorted(settings.LANGUAGES, key=lambda item: item[0] != get_language())
    exports[2:2] = [
        (f"PDF ({name})", f"/api/v1/reports/export/?format=pdf&lang={code}" + (f"&{query}" if query else ""))
        for code, name in languages
    ]
    return render(
        request,
        "takedowns/reports.html",
        {
            "filters": filters,
            "totals": monthly.totals,
            "rows": grouped.rows,
            "charts": charts,
            "infringers": infringers,
            "exports": exports,
            "distribution": distribution,
            "brands": Brand.objects.order_by("name"),
            "groupings": GROUPINGS,
            "problems": problems,
            "presets": presets,
            "period": {
                "from": chosen.date_from,
                "to": chosen.date_to or timezone.localdate(),
            },
            "summary_url": "/api/v1/reports/summary/?" + urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@login_required
def audit_trail(request):
    actor = actor_for(request.user)
    require(actor.compliance or actor.reviewer)
    filters = {key: request.GET.get(key, "") for key in ("q", "kind", "from", "to")}
    until = _date(filters["to"])
    term = filters["q"].strip().casefold()
    labelled = [
        code
        for code, label in {**TRANSITION_LABELS, **ACTION_LABELS}.items()
        if term and term in str(label).casefold()
    ]
    rows = audit_trail_search(
        q=filters["q"],
        kind=filters["kind"],
        since=_date(filters["from"]),
        until=until + timedelta(days=1) if until else None,
        actions=labelled,
    )
    return render(request, "takedowns/audit.html", {"page": page_of(request, rows), "filters": filters})
