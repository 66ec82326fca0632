"""Report selectors (docs/contract.md §7): take-down rates, decision times, counter-notices, bans, per month, brand,
merchant, infringement type or reviewer. Every figure is an SQL aggregate; Python only merges the few rows
each query returns (one per group), it never walks the claims.

How each figure is counted (the PDF prints the same definitions, `DEFINITIONS`):
- a claim is *filed* when it is submitted (drafts are not notices);
- the take-down rate is a cohort figure: of the claims *decided* in the period (approved, fast-tracked or
  rejected, by decision date), the share that were taken down; so `claims_taken_down` and
  `claims_rejected` count claims of that same cohort, and the rate is always a fraction 0–1;
- counter-notices and reinstatements are counted on the day they happen.

Medians use PostgreSQL's `percentile_cont(0.5)`. SQLite has no ordered-set aggregates, so there the median
is the mean of the middle one or two values picked with `ROW_NUMBER()` over the ordered group: the same
definition (continuous percentile), and a test runs both on PostgreSQL to hold them equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from brands.models import Brand
from core.api import MAX_ROW_ID
from core.errors import Forbidden, Invalid, NotFound
from core.models import AuditEvent
from core.replica import from_replica
from core.roles import Actor
from merchants.models import Merchant
from takedowns.models import REJECTED, Claim, CounterNotice, TestPurchase
from takedowns.selectors import claims_visible_to

GROUPINGS = ("month", "brand", "merchant", "infringement_type", "reviewer")

# The figures of the API summary (docs/contract.md §8), in order; `totals` has the same keys without `group`.
SUMMARY_KEYS = (
    "claims_filed",
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_decision",
    "median_hours_to_takedown",
    "counter_notices",
    "reinstated",
    "claims_with_test_purchase",
    "test_purchase_takedown_rate",
)
# Everything the selectors compute; the exports and the PDF show these.
METRIC_KEYS = SUMMARY_KEYS + (
    "fast_tracked",
    "successful_counter_notices",
    "counter_notice_rate",
    "reinstatement_rate",
    "retracted",
    "listings_removed",
    "merchants_banned",
)

DEFINITIONS = {
    "claims_filed": "Claims submitted in the period (a draft is not a notice until it is submitted).",
    "claims_decided": "Claims decided in the period: approved by a reviewer, fast-tracked, or rejected "
    "(including rejections because the brand did not answer a request for information).",
    "claims_taken_down": "Of the claims decided in the period, those whose listing was taken down "
    "(even if later reinstated).",
    "claims_rejected": "Of the claims decided in the period, those rejected.",
    "takedown_rate": "Claims taken down ÷ claims decided, by decision date; empty when nothing was decided.",
    "median_hours_to_decision": "Median hours from submission to decision, over the claims decided in the "
    "period (the mean of the two middle values when their number is even).",
    "median_hours_to_takedown": "Median hours from submission to the listing's removal, over the claims "
    "decided in the period that were taken down.",
    "counter_notices": "Counter-notices filed by merchants in the period.",
    "successful_counter_notices": "Of the counter-notices filed in the period, those that led to the listing's "
    "reinstatement.",
    "reinstated": "Claims whose listing was reinstated in the period, after a counter-notice or because the "
    "brand retracted its claim.",
    "retracted": "Of the reinstatements in the period, those caused by the brand retracting its claim.",
    "counter_notice_rate": "Of the claims decided in the period and taken down, the share that received a "
    "counter-notice.",
    "reinstatement_rate": "Of the claims decided in the period and taken down, the share later reinstated.",
    "fast_tracked": "Of the claims decided in the period, those approved automatically for a brand in the "
    "good-faith programme.",
    "listings_removed": "Distinct listings taken down on a claim in the period.",
    "claims_with_test_purchase": "Of the claims decided in the period, those backed by a test purchase (one "
    "attached as evidence, whatever its verdict).",
    "test_purchase_takedown_rate": "Of the claims decided in the period and backed by a test purchase, the "
    "share taken down; empty when none was decided.",
    "merchants_banned": "Merchants banned in the period as repeat infringers (with a brand filter: merchants "
    "against which that brand had a listing taken down).",
}


# --- filters -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportFilters:
    """What the caller asked for, already checked against what the caller may see."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    brand_ids: frozenset[int] | None = None  # None: every brand the actor sees
    group_by: str = "month"
    brand_names: tuple[str, ...] = field(default=(), compare=False)

    @property
    def start(self) -> dt.datetime | None:
        if self.date_from is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime | None:
        """Exclusive: midnight after `date_to`, so the whole last day counts."""
        if self.date_to is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    def period_q(self, field_name: str) -> Q:
        q = Q(**{f"{field_name}__isnull": False})
        if self.start is not None:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{field_name}__lt": self.end})
        return q

    def describe(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "group_by": self.group_by,
            "brand": sorted(self.brand_names) if self.brand_names else None,
        }

    def period_label(self) -> str:
        if not self.date_from and not self.date_to:
            return "All time"
        return (
            f"{self.date_from.isoformat() if self.date_from else 'the beginning'} – "
            f"{self.date_to.isoformat() if self.date_to else 'today'}"
        )


# Periods are bounded so that "the midnight after `to`", month labels and time-zone conversions stay valid
# dates (date.max + 1 day, or a three-digit year, would end in a 500).
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


def _parse_date(name: str, raw: str | None) -> dt.date | None:
    if raw is None or str(raw).strip() == "":
        return None
    raw = str(raw).strip()
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        try:
            value = dt.datetime.fromisoformat(raw).date()
        except ValueError:
            raise Invalid(
                f"{name} must be a date as YYYY-MM-DD (got {raw[:40]!r}).",
                code="invalid_date",
                extra={"fields": {name: ["Use YYYY-MM-DD."]}},
            ) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise Invalid(
            f"{name} must be a date from {EARLIEST_DATE} to {LATEST_DATE}.",
            code="invalid_date",
            extra={"fields": {name: [f"From {EARLIEST_DATE} to {LATEST_DATE}."]}},
        )
    return value


def report_filters(*, actor: Actor, params, default_group_by: str = "month") -> ReportFilters:
    """Check the query parameters `from`, `to`, `group_by`, `brand` (an id, or several comma-separated).

    Brand users are held to their own brands: another brand is "not found", as everywhere (docs/contract.md §2).
    """
    if not report_allowed(actor):
        raise Forbidden(
            "Reports are for brands, reviewers and compliance officers.", code="permission_denied"
        )
    date_from = _parse_date("from", params.get("from"))
    date_to = _parse_date("to", params.get("to"))
    if date_from and date_to and date_from > date_to:
        raise Invalid(
            "from must not be after to.",
            code="invalid_period",
            extra={"fields": {"from": ["Must not be after to."]}},
        )
    group_by = (params.get("group_by") or default_group_by).strip()
    if group_by not in GROUPINGS:
        raise Invalid(
            f"group_by must be one of {', '.join(GROUPINGS)}.",
            code="invalid_group_by",
            extra={"fields": {"group_by": [f"One of {', '.join(GROUPINGS)}."]}},
        )
    raw_brand = str(params.get("brand") or "").strip()
    brand_ids: frozenset[int] | None = None
    names: tuple[str, ...] = ()
    if raw_brand:
        try:
            wanted = frozenset(int(part) for part in raw_brand.split(",") if part.strip())
        except ValueError:
            raise Invalid(
                "brand must be a brand id (or ids separated by commas).",
                code="invalid_brand",
                extra={"fields": {"brand": ["A brand id."]}},
            ) from None
        visible = Brand.objects.filter(pk__in=[pk for pk in wanted if 0 < pk <= MAX_ROW_ID])
        if not actor.sees_everything:
            visible = visible.filter(pk__in=actor.brand_ids)
        found = dict(visible.values_list("pk", "name"))
        if set(found) != set(wanted):
            raise NotFound("No such brand.", code="not_found")
        brand_ids, names = frozenset(found), tuple(found.values())
    elif not actor.sees_everything:
        brand_ids = frozenset(actor.brand_ids)
        names = tuple(Brand.objects.filter(pk__in=brand_ids).values_list("name", flat=True))
    return ReportFilters(
        date_from=date_from, date_to=date_to, brand_ids=brand_ids, group_by=group_by, brand_names=names
    )


def report_allowed(actor: Actor) -> bool:
    """Compliance and reviewers see every brand, brand users their own; merchants and the marketplace none."""
    return actor.sees_everything or bool(actor.brand_ids)


def report_claims(actor: Actor, filters: ReportFilters) -> QuerySet[Claim]:
    claims = claims_visible_to(actor)
    if filters.brand_ids is not None:
        claims = claims.filter(brand_id__in=filters.brand_ids)
    return claims


# --- SQL building blocks -------------------------------------------------------------------------------
class HoursBetween(Func):
    """Hours from `start` to `end` as a float, exact to the microsecond on both databases."""

    arity = 2
    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            # `date_part`, not `EXTRACT`: computed in floating point instead of `numeric`, which took a third
            # of a median's time over a million claims; on the benchmark's 850,000 decided claims the two gave
            # the same hours, bit for bit (a float holds a span's microseconds exactly for 285 years).
            template="(date_part('epoch', %(expressions)s) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django's own SQLite function: the difference of two timestamps in whole microseconds.
        return self.as_sql(
            compiler,
            connection,
            template="(django_timestamp_diff(%(expressions)s) / 3600000000.0)",
            arg_joiner=", ",
            **extra,
        )


class Median(Aggregate):
    """PostgreSQL's continuous median; the SQLite path is `_medians_by_window`."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def _reviewer_label(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}decided_by__isnull": False}, then=F(f"{prefix}decided_by__username")),
        When(**{f"{prefix}fast_tracked": True}, then=Value("(fast track)")),
        When(**{f"{prefix}assignee__isnull": False}, then=F(f"{prefix}assignee__username")),
        default=Value("(unassigned)"),
        output_field=CharField(),
    )


def _claim_keys(group_by: str | None, date_field: str, prefix: str = "") -> dict[str, Any]:
    """The GROUP BY columns for a query over claims (or, with `prefix="claim__"`, over counter-notices)."""
    if group_by is None:
        return {}
    if group_by == "month":
        return {"g_key": TruncMonth(date_field)}
    if group_by == "brand":
        return {"g_key": F(f"{prefix}brand_id")}  # the names: `_group_names`
    if group_by == "merchant":
        return {"g_key": F(f"{prefix}listing__merchant_id")}  # the names: `_group_names`
    if group_by == "infringement_type":
        return {"g_key": F(f"{prefix}infringement_type")}
    if group_by == "reviewer":
        return {"g_key": _reviewer_label(prefix)}
    raise ValueError(group_by)


def _month_key(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m")
    return str(value)[:7]


def _row_key(group_by: str | None, row: dict) -> tuple:
    if group_by is None:
        return ()
    key = row["g_key"]
    if group_by == "month":
        return (_month_key(key),)
    return (key,)


def _grouped(qs: QuerySet, keys: dict, group_by: str | None, **aggregates) -> dict[tuple, dict]:
    if keys:
        rows = qs.annotate(**keys).values(*keys).annotate(**aggregates).order_by()
    else:
        rows = [qs.aggregate(**aggregates)]
    out: dict[tuple, dict] = {}
    for row in rows:
        out.setdefault(_row_key(group_by, row), {}).update({name: row[name] for name in aggregates})
    return out


def _medians(qs: QuerySet, keys: dict, group_by: str | None, value, name: str) -> dict[tuple, dict]:
    qs = qs.annotate(_v=value).filter(_v__isnull=False)
    if connection.vendor == "postgresql":
        return _grouped(qs, keys, group_by, **{name: Median("_v")})
    return _medians_by_window(qs, keys, group_by, name)


def _medians_by_window(qs: QuerySet, keys: dict, group_by: str | None, name: str) -> dict[tuple, dict]:
    """The continuous median with window functions: in each group, number the values in order and average
    the middle one (odd count) or two (even count). Runs on SQLite ≥ 3.25 and on PostgreSQL."""
    aliases = list(keys)
    inner = qs.annotate(**keys).values(*aliases, "_v").order_by()
    sql, params = inner.query.sql_with_params()
    cols = ", ".join(f'"{a}"' for a in aliases)
    partition = f"PARTITION BY {cols}" if aliases else ""
    select_keys = f"{cols}, " if aliases else ""
    group = f"GROUP BY {cols}" if aliases else ""
    query = (
        f'SELECT {select_keys}AVG("_v") FROM ('
        f'  SELECT {select_keys}"_v", ROW_NUMBER() OVER ({partition} ORDER BY "_v") AS rn,'
        f"         COUNT(*) OVER ({partition}) AS cnt FROM ({sql}) AS ordered"
        f") AS numbered WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) {group}"
    )
    with connections[qs.db].cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    out: dict[tuple, dict] = {}
    for row in rows:
        values = dict(zip(aliases, row[:-1], strict=True))
        key = _row_key(group_by, values)
        entry = out.setdefault(key, {name: None})
        entry[name] = row[-1]
    if not aliases and not out:
        out[()] = {name: None}
    return out


# --- the figures ---------------------------------------------------------------------------------------
# The claim figures come from one pass over the claims with any activity in the period: each figure counts
# the rows its own date puts in the period (`COUNT(*) FILTER (WHERE …)`). Grouped by month, a claim can
# belong to four months (filed, decided, reinstated, taken down): the pass groups by those months together
# and Python adds each figure to its own month (a few hundred rows), so it stays one pass.
CLAIM_DATES = ("submitted_at", "decided_at", "reinstated_at")


def _claim_counts(decided: Q, filed: Q, reinstated: Q) -> dict[str, Any]:
    taken = Q(taken_down_at__isnull=False)
    # Membership in a set built once (a hashed subplan), not a lookup per claim.
    countered = Q(pk__in=CounterNotice.objects.values("claim_id"))
    backed = Q(pk__in=TestPurchase.claims.through.objects.values("claim_id"))
    return {
        "claims_filed": Count("pk", filter=filed),
        "claims_decided": Count("pk", filter=decided),
        "claims_taken_down": Count("pk", filter=decided & taken),
        "claims_rejected": Count("pk", filter=decided & Q(state__in=REJECTED)),
        "fast_tracked": Count("pk", filter=decided & Q(fast_tracked=True)),
        "_countered": Count("pk", filter=decided & taken & countered),
        "_reinstated_after": Count("pk", filter=decided & taken & Q(reinstated_at__isnull=False)),
        "claims_with_test_purchase": Count("pk", filter=decided & backed),
        "_backed_taken_down": Count("pk", filter=decided & taken & backed),
        "reinstated": Count("pk", filter=reinstated),
        "retracted": Count("pk", filter=reinstated & Q(retracted=True)),
    }


# Which date each figure of `_claim_counts` is counted by, when grouped by month.
FIGURE_DATE = {"claims_filed": "submitted_at", "reinstated": "reinstated_at", "retracted": "reinstated_at"}


# The two medians: name, and the end of the span (from filing). A decided claim without that end (not taken
# down) has no span, and a median leaves out what has none (NULL).
MEDIANS = (
    ("median_hours_to_decision", "decided_at"),
    ("median_hours_to_takedown", "taken_down_at"),
)


def _median_aggregates(decided: Q) -> dict[str, Any]:
    """The medians as aggregates of one pass (PostgreSQL; SQLite counts them by window: `_medians`)."""
    return {name: Median(HoursBetween(end, "submitted_at"), filter=decided) for name, end in MEDIANS}


def _with_overall(
    rows: QuerySet, keys: dict, group_by: str, figures: dict[str, str], *, overall: bool
) -> dict[tuple, dict]:
    """PostgreSQL: the `figures` (SQL aggregates over the columns of `rows`) of each group and, with `overall`,
    of all the rows under the key `()`, in one statement. GROUPING SETS reads the rows once for both; the
    whole selection's medians and distinct counts took a second pass over every claim before (0.55 s of a
    summary's 2.3 s at a million claims). Without `overall` nothing is counted twice: the sets would still
    sort every value once more for the whole."""
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(f'"{alias}"' for alias in keys)
    aggregates = ", ".join(f'{expression} AS "{name}"' for name, expression in figures.items())
    sets, which = (f"GROUPING SETS (({columns}), ())", f"GROUPING({columns})") if overall else (columns, "0")
    query = f'SELECT {columns}, {which} AS "_overall", {aggregates} FROM ({sql}) AS "rows" GROUP BY {sets}'

    with connections[rows.db].cursor() as cursor:
        cursor.execute(query, params)
        names = [column.name for column in cursor.description]
        fetched = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    out: dict[tuple, dict] = {}
    for row in fetched:
        values = {name: row[name] for name in figures}
        if row["_overall"]:
            out[()] = values
            continue
        out[_row_key(group_by, row)] = values
    return out


def _medians_with_overall(
    decided: QuerySet, keys: dict, group_by: str, *, overall: bool
) -> dict[tuple, dict]:
    spans = {f"_span{i}": HoursBetween(end, "submitted_at") for i, (_, end) in enumerate(MEDIANS)}
    rows = decided.annotate(**keys, **spans).values(*keys, *spans).order_by()
    return _with_overall(
        rows,
        keys,
        group_by,
        {
            name: Median.template % {"function": Median.function, "expressions": f'"{span}"'}
            for (name, _), span in zip(MEDIANS, spans, strict=True)
        },
        overall=overall,
    )


def _listings_with_overall(
    removed: QuerySet, keys: dict, group_by: str, *, overall: bool
) -> dict[tuple, dict]:
    rows = removed.annotate(**keys).values(*keys, "listing_id").order_by()
    figures = {"listings_removed": 'COUNT(DISTINCT "listing_id")'}
    return _with_overall(rows, keys, group_by, figures, overall=overall)


def _by_month(rows, figures) -> dict[tuple, dict]:
    """Fold rows grouped by (month filed, month decided, month reinstated) into one row per month."""
    out: dict[tuple, dict] = {}
    for row in rows:
        for name in figures:
            if row[name]:
                month = row[f"m_{FIGURE_DATE.get(name, 'decided_at')}"]
                entry = out.setdefault((_month_key(month),), {})
                entry[name] = entry.get(name, 0) + row[name]
    return out


# Groupings whose groups are many and small (`_claim_figures`).
SMALL_GROUPS = frozenset({"merchant"})


def _claim_figures(
    claims: QuerySet,
    filters: ReportFilters,
    group_by: str | None,
    *,
    counts: bool = True,
    overall: bool = True,
) -> list[dict[tuple, dict]]:
    """`counts=False`: only the figures that are not sums (`ADDITIVE`), for totals whose sums are known.

    On PostgreSQL, grouped by anything but merchant, the medians and the distinct listings come with those of
    the whole selection, under the key `()` (`_with_overall`), so the totals need not count them again;
    `overall=False` when the totals are known already."""
    filed, decided = filters.period_q("submitted_at"), filters.period_q("decided_at")
    reinstated, removed = filters.period_q("reinstated_at"), filters.period_q("taken_down_at")
    active = claims.filter(filed | decided | reinstated | removed)
    counted = _claim_counts(decided, filed, reinstated) if counts else {}
    postgres = connection.vendor == "postgresql"
    listings = {"listings_removed": Count("listing_id", distinct=True, filter=removed)}
    parts: list[dict[tuple, dict]] = []
    if group_by in SMALL_GROUPS:
        # By merchant, one statement: 50,000 groups of about 20 claims sort cheaply, and each statement joins
        # every claim to its listing (5.8 s in one statement, 9.3 s in three).
        medians = _median_aggregates(decided) if postgres else {}
        keys = _claim_keys(group_by, "decided_at")
        parts.append(_grouped(active, keys, group_by, **counted, **medians, **listings))
    elif group_by is None:
        if counted:
            parts.append(_grouped(active, {}, None, **counted))
        if postgres:
            parts.append(_grouped(claims.filter(decided), {}, None, **_median_aggregates(decided)))
        parts.append(_grouped(claims.filter(removed), {}, None, **listings))
    else:
        # The counts are a hashed (and parallel) aggregate of one scan; the medians and the distinct listings
        # each sort their values, and in the counts' statement those sorts made PostgreSQL sort every row by
        # group first (at a million claims: 2.3 s, where the counts alone take 0.3 s and the two medians 1.0 s).
        if counted and group_by == "month":
            # A claim can belong to four months (filed, decided, reinstated, taken down): the pass groups by
            # those months together and Python adds each figure to its own month (a few hundred rows).
            months = {f"m_{name}": TruncMonth(name) for name in CLAIM_DATES}
            rows = active.annotate(**months).values(*months).annotate(**counted).order_by()
            parts.append(_by_month(rows, counted))
        elif counted:
            parts.append(_grouped(active, _claim_keys(group_by, "decided_at"), group_by, **counted))
        if postgres:
            decided_keys = _claim_keys(group_by, "decided_at")
            removed_keys = _claim_keys(group_by, "taken_down_at")
            decided_claims, removed_claims = claims.filter(decided), claims.filter(removed)
            parts.append(_medians_with_overall(decided_claims, decided_keys, group_by, overall=overall))
            parts.append(_listings_with_overall(removed_claims, removed_keys, group_by, overall=overall))
        else:
            parts.append(
                _grouped(claims.filter(removed), _claim_keys(group_by, "taken_down_at"), group_by, **listings)
            )
    if not postgres:
        keys = _claim_keys(group_by, "decided_at")
        for name, end in MEDIANS:
            parts.append(
                _medians(claims.filter(decided), keys, group_by, HoursBetween(end, "submitted_at"), name)
            )
    return parts


# The figures that are sums over claims or counter-notices: each row falls in exactly one group of any
# grouping (by month, each figure's own date falls in one month), so their totals are the sums of the
# groups'. The medians and the distinct counts (listings removed, merchants banned) are not.
ADDITIVE = (
    *(name for name in _claim_counts(Q(), Q(), Q())),
    "counter_notices",
    "successful_counter_notices",
)


def restricted(actor: Actor, filters: ReportFilters) -> bool:
    """Does the selection leave claims out? Then the counter-notices and bans are those of its claims; for
    someone who sees every claim that condition would only cost a semi-join with all of them."""
    return filters.brand_ids is not None or not actor.sees_everything


def _bans(actor: Actor, filters: ReportFilters, group_by: str | None) -> dict[tuple, dict]:
    bans = AuditEvent.objects.filter(action="merchant_ban", merchant_id__isnull=False).filter(
        filters.period_q("created_at")
    )
    if restricted(actor, filters):
        claims = report_claims(actor, filters)
        bans = bans.filter(
            merchant_id__in=claims.filter(taken_down_at__isnull=False).values("listing__merchant_id")
        )
    keys_by_group: dict[str | None, dict[str, Any]] = {
        "month": {"g_key": TruncMonth("created_at")},
        "merchant": {"g_key": F("merchant_id")},
    }
    keys = keys_by_group.get(group_by, {})
    return _grouped(bans, keys, group_by, merchants_banned=Count("merchant_id", distinct=True))


# The groupings keyed by a row id, and what names their groups. The names are read for the groups once
# counted: joined to every claim, they widened each statement's sort (at a million claims, the merchant
# grouping's statement took 2.3 s with the names and 1.8 s without; the brands' distinct listings 0.60 s and
# 0.45 s).
NAMED_GROUPS: dict[str, type[Brand] | type[Merchant]] = {"brand": Brand, "merchant": Merchant}
# Names are read in batches of this many ids (SQLite binds at most 32,766 values in a statement).
NAMES_PER_QUERY = 5000


def _group_names(group_by: str | None, merged: dict[tuple, dict]) -> None:
    """Label each group of a grouping by brand or merchant with its name."""
    model = NAMED_GROUPS.get(group_by or "")
    if model is None:
        return
    ids = sorted(key[0] for key in merged if key)
    for start in range(0, len(ids), NAMES_PER_QUERY):
        batch = ids[start : start + NAMES_PER_QUERY]
        for pk, name in model._default_manager.filter(pk__in=batch).values_list("pk", "name"):
            merged[(pk,)]["_label"] = name


def _raw_figures(
    actor: Actor, filters: ReportFilters, group_by: str | None, *, sums: bool = True, overall: bool = True
) -> dict[tuple, dict]:
    """Every metric for each group (or, with `group_by=None`, for the whole selection), as counted, before
    the rates are worked out (`_finish`). `sums=False`: leave out the `ADDITIVE` figures. With a grouping,
    the key `()` may hold figures of the whole selection that came with the groups' (`_claim_figures`)."""
    claims = report_claims(actor, filters)
    parts = _claim_figures(claims, filters, group_by, counts=sums, overall=overall)

    if sums:
        counters = CounterNotice.objects.filter(filters.period_q("filed_at"))
        if restricted(actor, filters):
            counters = counters.filter(claim__in=claims)
        parts.append(
            _grouped(
                counters,
                _claim_keys(group_by, "filed_at", prefix="claim__"),
                group_by,
                counter_notices=Count("pk"),
                successful_counter_notices=Count("pk", filter=Q(outcome=CounterNotice.Outcome.REINSTATED)),
            )
        )

    if group_by in (None, "month", "merchant"):
        parts.append(_bans(actor, filters, group_by))

    merged: dict[tuple, dict] = {}
    for part in parts:
        for key, values in part.items():
            merged.setdefault(key, {}).update(values)
    _group_names(group_by, merged)
    return merged


def _totals(actor: Actor, filters: ReportFilters, grouped: dict[tuple, dict], overall: dict | None) -> dict:
    """The totals of a selection whose groups' `grouped` figures are known: their sums for the `ADDITIVE`
    figures, and the others counted, unless they came with the groups (`overall`)."""
    if overall is None:
        values = _raw_figures(actor, filters, None, sums=False).get((), {})
    else:
        values = {**overall, **_bans(actor, filters, None).get((), {})}
    for name in ADDITIVE:
        values[name] = sum(row.get(name) or 0 for row in grouped.values())
    return _finish(values, banned_known=True)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hours(value) -> float | None:
    # Rounded to the microsecond's order so that PostgreSQL (numeric) and SQLite (float) print alike.
    return None if value is None else round(float(value), 6)


def _finish(values: dict, *, banned_known: bool) -> dict:
    row = {key: values.get(key) or 0 for key in METRIC_KEYS}
    row["takedown_rate"] = _ratio(row["claims_taken_down"], row["claims_decided"])
    row["median_hours_to_decision"] = _hours(values.get("median_hours_to_decision"))
    row["median_hours_to_takedown"] = _hours(values.get("median_hours_to_takedown"))
    row["counter_notice_rate"] = _ratio(values.get("_countered") or 0, row["claims_taken_down"])
    row["reinstatement_rate"] = _ratio(values.get("_reinstated_after") or 0, row["claims_taken_down"])
    row["test_purchase_takedown_rate"] = _ratio(
        values.get("_backed_taken_down") or 0, row["claims_with_test_purchase"]
    )
    if not banned_known:
        row["merchants_banned"] = None  # a ban belongs to no single brand, type or reviewer
    if "_label" in values:
        row["_label"] = values["_label"]
    return row


def _is_empty(row: dict) -> bool:
    return not any(
        row.get(k)
        for k in (
            "claims_filed",
            "claims_decided",
            "counter_notices",
            "reinstated",
            "listings_removed",
            "merchants_banned",
        )
    )


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(out) < 600:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass
class Summary:
    filters: ReportFilters
    totals: dict
    rows: list[dict]  # each has "group" plus every METRIC_KEYS figure

    def api(self) -> dict:
        """The shape of docs/contract.md §8, exactly."""
        return {
            "totals": {key: self.totals[key] for key in SUMMARY_KEYS},
            "rows": [{"group": row["group"], **{key: row[key] for key in SUMMARY_KEYS}} for row in self.rows],
        }


# Room for a summary's sorts (the medians, the distinct counts): PostgreSQL's default `work_mem` of 4 MB
# sent a median over 850,000 claims to disk (0.73 s; in memory 0.44 s). Set for the summary's own
# transaction only, not for the connection, so that no other query may use as much.
REPORT_WORK_MEM = "128MB"


@contextmanager
def _room_to_sort() -> Iterator[None]:
    db = router.db_for_read(Claim)
    if connections[db].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        yield


@from_replica()
@_room_to_sort()
def report_summary(
    *, actor: Actor, filters: ReportFilters, group_by: str | None = None, totals: dict | None = None
) -> Summary:
    """Totals and one row per group. Months without activity inside the period are listed with zeros, so a
    chart shows the gap; other groupings list only groups with activity. `totals`: those of another summary
    for the same actor and filters (the totals do not depend on the grouping), instead of counting again."""
    group_by = group_by or filters.group_by
    counted = _raw_figures(actor, filters, group_by, overall=totals is None)
    overall = counted.pop((), None)
    totals = _totals(actor, filters, counted, overall) if totals is None else dict(totals)
    banned_known = group_by in ("month", "merchant")
    rows = []
    for key, counts in counted.items():
        values = _finish(counts, banned_known=banned_known)
        if _is_empty(values):
            continue
        label = values.pop("_label", None)
        rows.append({"group": _group_label(group_by, key, label), "_key": key[0] if key else None, **values})
    if group_by == "month":
        present = {row["group"] for row in rows}
        first = _month_key(filters.date_from) if filters.date_from else min(present, default=None)
        last = _month_key(filters.date_to) if filters.date_to else max(present, default=None)
        if first and last:
            for month in _months_between(first, last):
                if month not in present:
                    rows.append({"group": month, "_key": month, **_finish({}, banned_known=True)})
        rows.sort(key=lambda row: row["group"])
    else:
        rows.sort(key=lambda row: (str(row["group"]).lower(), str(row["_key"])))
    for row in rows:
        row.pop("_key", None)
    return Summary(filters=filters, totals=totals, rows=rows)


def _group_label(group_by: str, key: tuple, label) -> str:
    if label is not None:
        return str(label)
    return str(key[0]) if key else ""


def _ranked_merchants(claims: QuerySet, limit: int) -> list[dict]:
    """The `limit` merchants with the most of `claims`, most first, then by name. Counted by merchant id
    alone, and named after counting: joined to every claim, the names made the count 1.3 s instead of 0.7 s
    at a million claims."""
    counts = claims.values("listing__merchant_id").annotate(takedowns=Count("pk")).order_by()
    sql, params = counts.query.sql_with_params()
    quote = connections[claims.db].ops.quote_name
    merchant, name = quote(Merchant._meta.db_table), quote(Merchant._meta.get_field("name").column)
    key = quote(Merchant._meta.pk.column)
    # The aliases are the names given to `values()` and `annotate()` above.
    query = (
        f'SELECT "counted"."listing__merchant_id", "m".{name}, "counted"."takedowns" FROM ({sql}) AS "counted" '
        f'JOIN {merchant} AS "m" ON "m".{key} = "counted"."listing__merchant_id" '
        f'ORDER BY "counted"."takedowns" DESC, "m".{name}, "counted"."listing__merchant_id" LIMIT %s'
    )
    with connections[claims.db].cursor() as cursor:
        cursor.execute(query, (*params, limit))
        return [
            {"listing__merchant_id": pk, "listing__merchant__name": name, "takedowns": takedowns}
            for pk, name, takedowns in cursor.fetchall()
        ]


@_room_to_sort()
def top_repeat_infringers(*, actor: Actor, filters: ReportFilters, limit: int = 20) -> list[dict]:
    """Merchants with the most listings taken down in the period, with their current standing."""
    claims = report_claims(actor, filters).filter(filters.period_q("taken_down_at"))
    # Two statements: the ranking is a hashed count over every merchant; the distinct counts, which sort,
    # are taken for the merchants ranked only (over a million claims, 2.6 s in one statement).
    ranked = _ranked_merchants(claims, limit)
    details = {
        row["listing__merchant_id"]: row
        for row in claims.filter(listing__merchant_id__in=[r["listing__merchant_id"] for r in ranked])
        .values(
            "listing__merchant_id",
            "listing__merchant__platform_ref",
            "listing__merchant__country",
            "listing__merchant__status",
        )
        .annotate(
            listings=Count("listing_id", distinct=True),
            brands=Count("brand_id", distinct=True),
            reinstated=Count("pk", filter=Q(reinstated_at__isnull=False)),
        )
        .order_by()
    }
    rows = [{**details[r["listing__merchant_id"]], **r} for r in ranked]
    return [
        {
            "merchant": r["listing__merchant__name"],
            "platform_ref": r["listing__merchant__platform_ref"],
            "country": r["listing__merchant__country"],
            "status": r["listing__merchant__status"],
            "status_label": str(Merchant.Status(r["listing__merchant__status"]).label),
            "takedowns": r["takedowns"],
            "listings": r["listings"],
            "brands": r["brands"],
            "reinstated": r["reinstated"],
        }
        for r in rows
    ]
