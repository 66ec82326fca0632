"""Reads for the compliance pages and the brand dashboard that are not report figures themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from brands.models import Brand
from core.models import AuditEvent
from core.roles import Actor
from merchants.models import Merchant
from reports.metrics import ReportFilters, report_summary
from takedowns.models import (
    DECIDED,
    OPEN,
    Claim,
    ClaimEvent,
    S,
)
from takedowns.selectors import claims_visible_to


def audit_events(actor: Actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor")


# --- brand dashboard --------------------------------------------------------------------------------------
@dataclass
class Dashboard:
    by_state: dict[str, int]
    total: int
    decided: int
    taken_down: int
    takedown_rate: float | None
    median_hours_to_takedown: float | None
    open_count: int
    info_requested: int
    months: list[str]
    filed_by_month: list[int]
    taken_down_by_month: list[int]
    rate_by_month: list[float | None]


def month_starts(count: int, today: date | None = None) -> list[date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return starts[::-1]


def _month_key(value) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") else value.replace(day=1)


def brand_dashboard(actor: Actor, brand_ids) -> Dashboard:
    """The brand user's figures over its claims (all its brands, or the one it chose)."""
    brand_ids = frozenset(brand_ids)
    claims = claims_visible_to(actor).filter(brand_id__in=brand_ids)
    by_state = dict(claims.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    decided = sum(by_state.get(s, 0) for s in DECIDED)
    taken_down = claims.filter(taken_down_at__isnull=False, state__in=DECIDED).count()
    # The median comes from the report selectors, as every report figure does: the last 365 days.
    last_year = ReportFilters(date_from=timezone.localdate() - timedelta(days=365), brand_ids=brand_ids)
    median = report_summary(actor=actor, filters=last_year).totals["median_hours_to_takedown"]
    starts = month_starts(12)
    first = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    filed = dict(
        claims.filter(submitted_at__gte=first)
        .annotate(m=TruncMonth("submitted_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    down = dict(
        claims.filter(taken_down_at__gte=first)
        .annotate(m=TruncMonth("taken_down_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    decided_m = (
        claims.filter(decided_at__gte=first, state__in=DECIDED)
        .annotate(m=TruncMonth("decided_at"))
        .values("m")
        .annotate(n=Count("pk"), down=Count("pk", filter=Q(taken_down_at__isnull=False)))
        .values_list("m", "n", "down")
    )
    filed = {_month_key(k): v for k, v in filed.items()}
    down = {_month_key(k): v for k, v in down.items()}
    rates = {_month_key(m): (100.0 * d / n if n else None) for m, n, d in decided_m}
    return Dashboard(
        by_state=by_state,
        total=sum(by_state.values()),
        decided=decided,
        taken_down=taken_down,
        takedown_rate=(taken_down / decided) if decided else None,
        median_hours_to_takedown=median,
        open_count=sum(by_state.get(s, 0) for s in OPEN),
        info_requested=by_state.get(S.INFO_REQUESTED, 0),
        months=[s.strftime("%Y-%m") for s in starts],
        filed_by_month=[filed.get(s, 0) for s in starts],
        taken_down_by_month=[down.get(s, 0) for s in starts],
        rate_by_month=[rates.get(s) for s in starts],
    )


# --- compliance -------------------------------------------------------------------------------------------
def audit_trail_search(*, q: str = "", kind: str = "", since=None, until=None, actions=()) -> QuerySet:
    """AuditEvents and ClaimEvents as one time-ordered list (a SQL UNION, so it paginates in the database)."""
    audit = AuditEvent.objects.order_by()
    claim_events = ClaimEvent.objects.order_by()
    if since:
        audit, claim_events = audit.filter(created_at__gte=since), claim_events.filter(created_at__gte=since)
    if until:
        audit, claim_events = audit.filter(created_at__lt=until), claim_events.filter(created_at__lt=until)
    if q:
        term = q.strip()
        audit = audit.filter(
            Q(action__icontains=term)
            | Q(action__in=actions)
            | Q(actor_label__icontains=term)
            | Q(note__icontains=term)
            | Q(object_id=term)
            | Q(claim_id__in=Claim.objects.filter(reference__iexact=term).values("pk"))
            | Q(brand_id__in=Brand.objects.filter(name__icontains=term).values("pk"))
            | Q(merchant_id__in=Merchant.objects.filter(platform_ref__iexact=term).values("pk"))
        )
        claim_events = claim_events.filter(
            Q(transition__icontains=term)
            | Q(transition__in=actions)
            | Q(actor_label__icontains=term)
            | Q(note__icontains=term)
            | Q(claim__reference__iexact=term)
            | Q(claim__brand__name__icontains=term)
            | Q(claim__listing__merchant__platform_ref__iexact=term)
        )
    columns = (
        "created_at",
        "source",
        "action",
        "actor_label",
        "object_type",
        "object_ref",
        "note",
        "claim_ref",
        "claim_pk",
    )
    audit_rows = audit.annotate(
        source=Value("audit", output_field=CharField()),
        object_ref=F("object_id"),
        claim_ref=Subquery(Claim.objects.filter(pk=OuterRef("claim_id")).values("reference")[:1]),
        claim_pk=F("claim_id"),
    ).values_list(*columns)
    event_rows = claim_events.annotate(
        source=Value("claim", output_field=CharField()),
        action=F("transition"),
        object_type=Value("claim", output_field=CharField()),
        object_ref=Cast("claim_id", output_field=CharField()),
        claim_ref=F("claim__reference"),
        claim_pk=Cast("claim_id", output_field=IntegerField()),
    ).values_list(*columns)
    if kind == "audit":
        return audit_rows.order_by("-created_at")
    if kind == "claim":
        return event_rows.order_by("-created_at")
    return audit_rows.union(event_rows, all=True).order_by("-created_at")


TIME_TO_ACTION_BUCKETS = ((0, 24, "< 24 h"), (24, 72, "24–72 h"), (72, 168, "3–7 d"), (168, None, "> 7 d"))


def time_to_decision_distribution(claims: QuerySet[Claim]) -> list[tuple[str, int]]:
    """How many decisions came within each band of hours after submission."""
    hours = [
        (decided - submitted).total_seconds() / 3600
        for submitted, decided in claims.filter(
            decided_at__isnull=False, submitted_at__isnull=False
        ).values_list("submitted_at", "decided_at")[:50_000]
        if submitted is not None and decided is not None  # always, by the filter: for the type checker
    ]
    return [
        (label, sum(1 for h in hours if h >= low and (high is None or h < high)))
        for low, high, label in TIME_TO_ACTION_BUCKETS
    ]
