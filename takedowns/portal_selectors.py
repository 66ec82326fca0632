"""Reads that only the portal needs: dashboard figures, queue filters and counts, the audit-trail search.

Tenancy comes from `takedowns.selectors` (`claims_visible_to` and friends); everything here narrows those.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from brands.models import Brand, BrandMembership, IPRight
from merchants.models import Listing, Merchant, Strike

from .models import DECIDED, OPEN, AuditEvent, Claim, ClaimEvent, ClaimState, CounterNotice
from .roles import Actor
from .selectors import claims_visible_to, queue_for_reviewer, stuck_enforcement_q

S = ClaimState


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
    return claims_dashboard(claims_visible_to(actor).filter(brand_id__in=brand_ids))


def claims_dashboard(claims: QuerySet[Claim]) -> Dashboard:
    by_state = dict(claims.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    decided = sum(by_state.get(s, 0) for s in DECIDED)
    taken_down = claims.filter(taken_down_at__isnull=False, state__in=DECIDED).count()
    # Median over the last year's takedowns: few enough to sort here, and SQLite has no median.
    since = timezone.now() - timedelta(days=365)
    durations = [
        (down - submitted).total_seconds() / 3600
        for submitted, down in claims.filter(taken_down_at__gte=since, submitted_at__isnull=False)
        .values_list("submitted_at", "taken_down_at")
    ]
    starts = month_starts(12)
    first = timezone.make_aware(timezone.datetime.combine(starts[0], timezone.datetime.min.time()))
    filed = dict(
        claims.filter(submitted_at__gte=first).annotate(m=TruncMonth("submitted_at")).values("m")
        .annotate(n=Count("pk")).values_list("m", "n")
    )
    down = dict(
        claims.filter(taken_down_at__gte=first).annotate(m=TruncMonth("taken_down_at")).values("m")
        .annotate(n=Count("pk")).values_list("m", "n")
    )
    decided_m = (
        claims.filter(decided_at__gte=first, state__in=DECIDED).annotate(m=TruncMonth("decided_at")).values("m")
        .annotate(n=Count("pk"), down=Count("pk", filter=Q(taken_down_at__isnull=False))).values_list("m", "n", "down")
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
        median_hours_to_takedown=statistics.median(durations) if durations else None,
        open_count=sum(by_state.get(s, 0) for s in OPEN),
        info_requested=by_state.get(S.INFO_REQUESTED, 0),
        months=[s.strftime("%Y-%m") for s in starts],
        filed_by_month=[filed.get(s, 0) for s in starts],
        taken_down_by_month=[down.get(s, 0) for s in starts],
        rate_by_month=[rates.get(s) for s in starts],
    )


# --- the reviewer queue -----------------------------------------------------------------------------------
QUEUE_STATES = (S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)


def _id(value) -> int | None:
    """A filter's id from the query string; anything else (a typo, an edited URL) filters nothing."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def reviewer_queue(actor: Actor, filters: dict) -> QuerySet[Claim]:
    """SPEC §6 order (`queue_for_reviewer`) narrowed by the queue's filters."""
    claims = queue_for_reviewer(actor)
    state = filters.get("state")
    if state == "stuck":
        claims = claims.filter(stuck_enforcement_q())
    elif state in QUEUE_STATES:
        claims = claims.filter(state=state)
    elif not filters.get("overdue"):
        # The default view is what a reviewer can act on: claims waiting for the brand's answer have their
        # own tab, or they would sit on top (their answer is due) where nobody can do anything about them.
        claims = claims.exclude(state=S.INFO_REQUESTED)
    if _id(filters.get("brand")):
        claims = claims.filter(brand_id=_id(filters["brand"]))
    if filters.get("merchant"):
        term = filters["merchant"].strip()
        claims = claims.filter(Q(listing__merchant__platform_ref__iexact=term) | Q(listing__merchant__name__icontains=term))
    if filters.get("infringement_type"):
        claims = claims.filter(infringement_type=filters["infringement_type"])
    if filters.get("overdue"):
        claims = claims.filter(state__in=OPEN, due_at__lt=timezone.now())
    if filters.get("good_faith"):
        claims = claims.filter(Q(brand__good_faith=True) | Q(brand__trusted_flagger=True))
    if filters.get("mine"):
        claims = claims.filter(assignee=actor.user)
    if filters.get("q"):
        term = filters["q"].strip()
        claims = claims.filter(Q(reference__iexact=term) | Q(listing__title__icontains=term) | Q(listing__url=term))
    return claims


def queue_counts(actor: Actor) -> dict[str, int]:
    """The numbers on the queue's tabs, in one aggregate query (plus one for stuck enforcement)."""
    now = timezone.now()
    open_claims = claims_visible_to(actor).filter(state__in=OPEN)
    counts = open_claims.aggregate(
        all=Count("pk", filter=~Q(state=S.INFO_REQUESTED)),
        submitted=Count("pk", filter=Q(state=S.SUBMITTED)),
        in_review=Count("pk", filter=Q(state=S.IN_REVIEW)),
        info_requested=Count("pk", filter=Q(state=S.INFO_REQUESTED)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        mine=Count("pk", filter=Q(assignee=actor.user, state=S.IN_REVIEW)),
        good_faith=Count("pk", filter=Q(brand__good_faith=True) | Q(brand__trusted_flagger=True)),
    )
    counts["stuck"] = claims_visible_to(actor).filter(stuck_enforcement_q()).count()
    counts["counter_notices"] = claims_visible_to(actor).filter(state=S.COUNTER_NOTICED).count()
    counts["ip_rights"] = IPRight.objects.filter(status=IPRight.Status.PENDING).count()
    return counts


def queue_neighbours(actor: Actor, claim: Claim) -> tuple[int | None, int | None]:
    """The previous and next claim of the queue around this one (for `k` and `j`)."""
    ids = list(queue_for_reviewer(actor).filter(state__in=QUEUE_STATES).values_list("pk", flat=True)[:2000])
    if claim.pk not in ids:
        return None, ids[0] if ids else None
    at = ids.index(claim.pk)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def brand_accuracy(brand_id: int) -> dict:
    """How often this brand's claims stood: what a reviewer weighs before deciding."""
    since = timezone.now() - timedelta(days=90)
    figures = Claim.objects.filter(brand_id=brand_id, state__in=DECIDED, decided_at__gte=since).aggregate(
        decided=Count("pk"),
        taken_down=Count("pk", filter=Q(taken_down_at__isnull=False)),
        rejected=Count("pk", filter=Q(state=S.REJECTED)),
        retracted=Count("pk", filter=Q(retracted=True)),
        reinstated=Count("pk", filter=Q(state=S.REINSTATED)),
    )
    figures["rate"] = figures["taken_down"] / figures["decided"] if figures["decided"] else None
    return figures


def merchant_history(merchant: Merchant) -> dict:
    now = timezone.now()
    strikes = list(merchant.strikes.select_related("claim").order_by("-issued_at")[:50])
    return {
        "strikes": strikes,
        "active_strikes": sum(1 for s in strikes if s.revoked_at is None and s.expires_at > now),
        "claims": Claim.objects.filter(listing__merchant=merchant).exclude(state__in=(S.DRAFT, S.WITHDRAWN))
        .select_related("brand", "listing").order_by("-created_at")[:50],
        "listings_active": merchant.listings.filter(status=Listing.Status.ACTIVE).count(),
        "listings_removed": merchant.listings.filter(status=Listing.Status.REMOVED).count(),
    }


def merchants_for_review(*, q: str = "", status: str = "") -> QuerySet[Merchant]:
    now = timezone.now()
    merchants = Merchant.objects.annotate(
        active_strikes=Count("strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now), distinct=True),
    )
    if q:
        merchants = merchants.filter(Q(name__icontains=q) | Q(platform_ref__iexact=q) | Q(email__iexact=q))
    if status:
        merchants = merchants.filter(status=status)
    return merchants.order_by("-active_strikes", "name")


def counter_notice_queue() -> QuerySet[CounterNotice]:
    """Pending counter-notices, the ones whose restoration deadline comes first on top."""
    return (
        CounterNotice.objects.filter(outcome=CounterNotice.Outcome.PENDING, claim__state=S.COUNTER_NOTICED)
        .select_related("claim__brand", "claim__listing__merchant", "claim__ip_right")
        .order_by("restore_due_at", "pk")
    )


def ip_rights_to_verify() -> QuerySet[IPRight]:
    return IPRight.objects.filter(status=IPRight.Status.PENDING).select_related("brand").order_by("created_at", "pk")


def agents_to_verify() -> QuerySet[BrandMembership]:
    return (
        BrandMembership.objects.filter(role=BrandMembership.Role.AGENT, authorisation_verified=False)
        .exclude(authorisation_letter="").select_related("user", "brand").order_by("created_at")
    )


# --- brands -----------------------------------------------------------------------------------------------
def brands_for_review(*, q: str = "", programme: str = "") -> QuerySet[Brand]:
    """Every brand with its member and open-claim counts; flagged, warned and suspended brands first."""
    brands = Brand.objects.annotate(
        members=Count("memberships", distinct=True),
        open_claims=Count("claims", filter=Q(claims__state__in=OPEN), distinct=True),
    )
    if q:
        brands = brands.filter(Q(name__icontains=q.strip()) | Q(contact_email__iexact=q.strip()))
    if programme == "good_faith":
        brands = brands.filter(good_faith=True)
    elif programme == "trusted_flagger":
        brands = brands.filter(trusted_flagger=True)
    elif programme == "misuse":
        brands = brands.filter(misuse_flagged_at__isnull=False)
    elif programme == "suspended":
        brands = brands.filter(suspended_until__gt=timezone.now())
    return brands.order_by(F("misuse_flagged_at").desc(nulls_last=True), "name")


def brands_of_member(actor: Actor) -> QuerySet[BrandMembership]:
    """The actor's own memberships, with each brand's member count: the brand user's list of brands."""
    return (
        BrandMembership.objects.filter(user=actor.user).select_related("brand")
        .annotate(members=Count("brand__memberships", distinct=True)).order_by("brand__name")
    )


def brand_members(brand: Brand) -> list[BrandMembership]:
    """Owners first, then agents, then viewers."""
    order = {BrandMembership.Role.OWNER: 0, BrandMembership.Role.AGENT: 1, BrandMembership.Role.VIEWER: 2}
    members = brand.memberships.select_related("user")
    return sorted(members, key=lambda m: (order.get(m.role, 3), m.user.username))


def brand_audit_events(brand: Brand) -> QuerySet[AuditEvent]:
    """What happened to the brand and its rights and members: programme changes, warnings, suspensions."""
    return AuditEvent.objects.filter(brand=brand).select_related("actor").order_by("-created_at", "-pk")


# --- lists ------------------------------------------------------------------------------------------------
CLAIM_SORTS = {
    "created": "created_at", "-created": "-created_at", "reference": "reference", "-reference": "-reference",
    "state": "state", "-state": "-state", "brand": "brand__name", "-brand": "-brand__name",
    "due": "due_at", "-due": "-due_at", "decided": "decided_at", "-decided": "-decided_at",
}


def claims_filtered(claims: QuerySet[Claim], filters: dict) -> QuerySet[Claim]:
    if filters.get("state") in S.values:
        claims = claims.filter(state=filters["state"])
    if _id(filters.get("brand")):
        claims = claims.filter(brand_id=_id(filters["brand"]))
    if filters.get("infringement_type"):
        claims = claims.filter(infringement_type=filters["infringement_type"])
    if filters.get("q"):
        term = filters["q"].strip()
        claims = claims.filter(
            Q(reference__iexact=term) | Q(listing__title__icontains=term) | Q(listing__url=term)
            | Q(listing__merchant__name__icontains=term)
        )
    if _id(filters.get("batch")):
        claims = claims.filter(batch_id=_id(filters["batch"]))
    sort = CLAIM_SORTS.get(filters.get("sort") or "", "-created_at")
    return claims.order_by(sort, "-pk")


def batch_preview(rows: list[dict]) -> list[dict]:
    """Each CSV row with what is known about its listing, found in one query."""
    urls = {row["listing_url"] for row in rows if row["listing_url"]}
    known = dict(Listing.objects.filter(url__in=urls).values_list("url", "title"))
    preview = []
    for number, row in enumerate(rows, start=1):
        problem = ""
        if not row["listing_url"]:
            problem = "empty"
        elif row["listing_url"] not in known:
            problem = "unknown"
        preview.append({"row": number, **row, "title": known.get(row["listing_url"], ""), "problem": problem})
    return preview


# --- compliance -------------------------------------------------------------------------------------------
def audit_trail(*, q: str = "", kind: str = "", since=None, until=None, actions=()) -> QuerySet:
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
            Q(action__icontains=term) | Q(action__in=actions) | Q(actor_label__icontains=term) | Q(note__icontains=term)
            | Q(object_id=term) | Q(claim__reference__iexact=term) | Q(brand__name__icontains=term)
            | Q(merchant__platform_ref__iexact=term)
        )
        claim_events = claim_events.filter(
            Q(transition__icontains=term) | Q(transition__in=actions) | Q(actor_label__icontains=term) | Q(note__icontains=term)
            | Q(claim__reference__iexact=term) | Q(claim__brand__name__icontains=term)
            | Q(claim__listing__merchant__platform_ref__iexact=term)
        )
    columns = ("created_at", "source", "action", "actor_label", "object_type", "object_ref", "note", "claim_ref", "claim_pk")
    audit_rows = audit.annotate(
        source=Value("audit", output_field=CharField()),
        object_ref=F("object_id"),
        claim_ref=F("claim__reference"),
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
        for submitted, decided in claims.filter(decided_at__isnull=False, submitted_at__isnull=False)
        .values_list("submitted_at", "decided_at")[:50_000]
    ]
    return [(label, sum(1 for h in hours if h >= low and (high is None or h < high)))
            for low, high, label in TIME_TO_ACTION_BUCKETS]


def top_repeat_infringers(limit: int = 10) -> list[Merchant]:
    now = timezone.now()
    return list(
        Merchant.objects.annotate(
            active=Count("strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now), distinct=True),
            total=Count("strikes", distinct=True),
        ).filter(total__gt=0).order_by("-active", "-total", "name")[:limit]
    )


def strike_count(merchant: Merchant) -> int:
    return Strike.objects.active().filter(merchant=merchant).count()
