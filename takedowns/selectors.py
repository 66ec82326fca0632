"""Every non-trivial read of claims: who sees which claims and what of them, the reviewer queue, the
lists and pages. Query counts are pinned in tests, so every list here joins or prefetches what its
serializer and templates touch."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from enum import StrEnum
from typing import Any

import phonenumbers
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, IPRight
from core.fingerprints import near_matches
from core.models import Notice
from core.roles import Actor
from merchants.models import Listing, ListingImage, Merchant, MerchantIdentifier, Network, identifier_label
from takedowns.models import (
    ACTIVE,
    DECIDED,
    OPEN,
    REVIEWABLE,
    SHOWN_TO_MERCHANT,
    BanHold,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimState,
    CounterNotice,
    CounterNoticeEvidence,
    Evidence,
    ListingCapture,
    ListingCaptureImage,
    Strike,
    TestPurchase,
    TestPurchasePhoto,
)


# --- who sees what of a claim: the one place the API, the pages, the files, the e-mails and exports ask ---
class Audience(StrEnum):
    STAFF = "staff"  # reviewers, compliance officers, the system: everything
    BRAND = "brand"  # members of the claim's brand: their own claim, whole
    MERCHANT = (
        "merchant"  # the listing's merchant, once the claim was enforced: the decision, not the claimant
    )


# What a merchant never sees of a claim: the claimant's signature, declarations and evidence, the reviewer's
# notes and questions, and who on the platform did what. Keys are the claim's field names.
HIDDEN_FROM_MERCHANT = frozenset(
    {
        "signature",
        "good_faith",
        "accurate",
        "batch",
        "assignee",
        "decision_note",
        "info_request",
        "info_due_at",
        "evidence",
        "appeal",  # the brand's appeal of a rejection is between the brand and the platform
        "test_purchases",  # the brand's orders from the seller and their inspection are the brand's evidence
        "seller_network",  # other storefronts of the operator, as the platform links them
        "priority",  # high priority would tell of a test purchase or a ban-evasion flag
    }
)
HIDDEN_EVENT_FIELDS_FROM_MERCHANT = frozenset({"actor", "note"})
# What only the platform's staff read of a claim: its intelligence (other claims and listings that share its
# photos, why it was put first). A brand reads the seller's network only as counts (`seller_network`).
STAFF_ONLY = frozenset({"image_matches", "priority_reasons"})
# The brand's appeal of a rejection is between the brand and the platform: a merchant's history shows the
# approval that came of it, not the rejection and the appeal before it.
HIDDEN_TRANSITIONS_FROM_MERCHANT = frozenset({"reject", "appeal", "appeal_deny"})
SHOWN_TO_MERCHANT_AS = {"appeal_grant": ("approve", "in_review")}  # transition, from state


def events_shown_to_merchant(events):
    """A claim's events (rows or serialized dicts) as its merchant sees them."""
    shown = []
    for event in events:
        is_dict = isinstance(event, dict)
        name = event["transition"] if is_dict else event.transition
        if name in HIDDEN_TRANSITIONS_FROM_MERCHANT:
            continue
        if name in SHOWN_TO_MERCHANT_AS:
            transition, from_state = SHOWN_TO_MERCHANT_AS[name]
            if is_dict:
                event = {**event, "transition": transition, "from_state": from_state}
            else:
                event = copy.copy(event)
                event.transition, event.from_state = transition, from_state
        shown.append(event)
    return shown


def audience_of(actor: Actor, *, brand_id: int, merchant_id: int, state: str) -> Audience | None:
    """Which view of a claim the actor gets; None when it may not see the claim at all. A user who is both a
    brand member and a merchant sees another brand's claim on its own listings as a merchant does."""
    if actor.sees_everything:
        return Audience.STAFF
    if brand_id in actor.brand_ids:
        return Audience.BRAND
    if merchant_id in actor.merchant_ids and state in SHOWN_TO_MERCHANT:
        return Audience.MERCHANT
    return None


def claim_audience(actor: Actor, claim: Claim) -> Audience | None:
    return audience_of(
        actor, brand_id=claim.brand_id, merchant_id=claim.listing.merchant_id, state=claim.state
    )


def claim_shown_to(audience: Audience, data: dict) -> dict:
    """A claim as serialized (API) or as an e-mail's context, less what `audience` may not see."""
    if audience == Audience.STAFF:
        return data
    if audience == Audience.BRAND:
        return {key: value for key, value in data.items() if key not in STAFF_ONLY}
    shown = {key: value for key, value in data.items() if key not in HIDDEN_FROM_MERCHANT | STAFF_ONLY}
    if isinstance(shown.get("description"), str):
        shown["description"] = without_contact_details(shown["description"])
    if "events" in shown:
        shown["events"] = [
            {k: v for k, v in event.items() if k not in HIDDEN_EVENT_FIELDS_FROM_MERCHANT}
            for event in events_shown_to_merchant(shown["events"])
        ]
    return shown


def claim_states_visible_to(actor: Actor) -> list[tuple[str, Any]]:
    """The states the actor may meet among its claims (a filter offers no other): a merchant only ever sees
    claims once they were enforced."""
    if actor.sees_everything or actor.brand_ids:
        return list(ClaimState.choices)
    return [(value, label) for value, label in ClaimState.choices if value in SHOWN_TO_MERCHANT]


def claims_visible_to(actor: Actor) -> QuerySet[Claim]:
    """Every claim the actor has some view of (see `audience_of`)."""
    claims = Claim.objects.all()
    if actor.sees_everything:
        return claims
    visible = Q(pk__in=[])
    if actor.brand_ids:
        visible |= Q(brand_id__in=actor.brand_ids)
    if actor.merchant_ids:
        visible |= Q(listing__merchant_id__in=actor.merchant_ids, state__in=SHOWN_TO_MERCHANT)
    return claims.filter(visible)


def evidence_visible_to(actor: Actor) -> QuerySet[Evidence]:
    """The brand's evidence files: staff and the claim's own brand only, never a merchant (whatever other
    role the same user has)."""
    evidence = Evidence.objects.select_related("claim")
    if actor.sees_everything:
        return evidence
    return evidence.filter(claim__brand_id__in=actor.brand_ids)


def may_read_counter_documents(actor: Actor, claim: Claim) -> bool:
    """The merchant's counter-notice documents (invoices, suppliers, prices) are read by those who decide or
    answer the counter-notice, and by the merchant: reviewers, the claim's brand, the listing's merchant. Not
    compliance: its reports never need them."""
    return (
        actor.reviewer
        or actor.is_system
        or claim.brand_id in actor.brand_ids
        or claim.listing.merchant_id in actor.merchant_ids
    )


def counter_evidence_visible_to(actor: Actor) -> QuerySet[CounterNoticeEvidence]:
    """The documents `may_read_counter_documents` lets the actor read, as a query."""
    items = CounterNoticeEvidence.objects.select_related("counter_notice__claim")
    if actor.reviewer or actor.is_system:
        return items
    return items.filter(
        Q(counter_notice__claim__brand_id__in=actor.brand_ids)
        | Q(counter_notice__claim__listing__merchant_id__in=actor.merchant_ids)
    )


def claim_list(actor: Actor) -> QuerySet[Claim]:
    return (
        claims_visible_to(actor)
        .select_related("brand", "ip_right", "listing__merchant", "assignee")
        # A correlated count, computed for the rows of the page only (a join with GROUP BY would aggregate
        # every visible claim before the page is cut).
        .annotate(
            evidence_count=Coalesce(
                Subquery(
                    Evidence.objects.filter(claim_id=OuterRef("pk"))
                    .order_by()
                    .values("claim_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            )
        )
        .order_by("-created_at", "-pk")
    )


def claim_detail(actor: Actor) -> QuerySet[Claim]:
    return (
        claims_visible_to(actor)
        .select_related(
            "brand",
            "ip_right",
            "listing__merchant",
            "assignee",
            "decided_by",
            "created_by",
            "batch",
            "brand_appeal",
        )
        .prefetch_related(
            Prefetch(
                "events", queryset=ClaimEvent.objects.select_related("actor").order_by("created_at", "pk")
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at")),
            "counter_notices__evidence",
            Prefetch("test_purchases", queryset=TestPurchase.objects.prefetch_related("photos")),
        )
    )


def claim_detail_for_api(actor: Actor) -> QuerySet[Claim]:
    """`claim_detail` with only the joins the API's detail reads: each join of a single-row query costs the
    planner more than the row (eleven joins: 7 ms to plan, 0.7 ms to run)."""
    return (
        claim_detail(actor).select_related(None).select_related("brand", "listing__merchant", "brand_appeal")
    )


def stuck_enforcement_q() -> Q:
    """Approved claims whose removal webhook keeps failing (shown as stuck in the queue)."""
    failing = Notice.objects.filter(
        claim_id=OuterRef("pk"),
        channel=Notice.Channel.WEBHOOK,
        kind="listing.remove",
        attempts__gte=settings.ENFORCEMENT_STUCK_ATTEMPTS,
    ).exclude(status=Notice.Status.SENT)
    return Q(state=ClaimState.APPROVED) & Q(Exists(failing))


def queue_for_reviewer(actor: Actor, *, include_stuck: bool = True) -> QuerySet[Claim]:
    """docs/contract.md §6 order: priority, then due time (SLA 24 h for high priority, 72 h otherwise)."""
    states = Q(state__in=REVIEWABLE)
    if include_stuck:
        states |= stuck_enforcement_q()
    return claim_list(actor).filter(states).order_by("-priority", "due_at", "pk")


def batches_visible_to(actor: Actor) -> QuerySet[ClaimBatch]:
    batches = ClaimBatch.objects.select_related("brand")
    if actor.sees_everything:
        return batches
    return batches.filter(brand_id__in=actor.brand_ids)


S = ClaimState

# --- the reviewer queue -----------------------------------------------------------------------------------


def _id(value) -> int | None:
    """A filter's id from the query string; anything else (a typo, an edited URL) filters nothing."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def reviewer_queue(actor: Actor, filters: dict) -> QuerySet[Claim]:
    """docs/contract.md §6 order (`queue_for_reviewer`) narrowed by the queue's filters."""
    claims = queue_for_reviewer(actor)
    state = filters.get("state")
    if state == "stuck":
        claims = claims.filter(stuck_enforcement_q())
    elif state in REVIEWABLE:
        claims = claims.filter(state=state)
    elif not filters.get("overdue"):
        # The default view is what a reviewer can act on: claims waiting for the brand's answer have their
        # own tab, or they would sit on top (their answer is due) where nobody can do anything about them.
        claims = claims.exclude(state=S.INFO_REQUESTED)
    brand_id = _id(filters.get("brand"))
    if brand_id:
        claims = claims.filter(brand_id=brand_id)
    if filters.get("merchant"):
        term = filters["merchant"].strip()
        claims = claims.filter(
            Q(listing__merchant__platform_ref__iexact=term) | Q(listing__merchant__name__icontains=term)
        )
    if filters.get("infringement_type"):
        claims = claims.filter(infringement_type=filters["infringement_type"])
    if filters.get("overdue"):
        claims = claims.filter(state__in=REVIEWABLE, due_at__lt=timezone.now())
    if filters.get("good_faith"):
        claims = claims.filter(Q(brand__good_faith=True) | Q(brand__trusted_flagger=True))
    if filters.get("mine"):
        claims = claims.filter(assignee=actor.user)
    if filters.get("q"):
        term = filters["q"].strip()
        claims = claims.filter(
            Q(reference__iexact=term) | Q(listing__title__icontains=term) | Q(listing__url=term)
        )
    return claims


def queue_counts(actor: Actor) -> dict[str, int]:
    """The numbers on the queue's tabs, in one aggregate query (plus one for stuck enforcement)."""
    now = timezone.now()
    open_claims = claims_visible_to(actor).filter(state__in=REVIEWABLE)
    counts = open_claims.aggregate(
        all=Count("pk", filter=~Q(state=S.INFO_REQUESTED)),
        appealed=Count("pk", filter=Q(state=S.APPEALED)),
        submitted=Count("pk", filter=Q(state=S.SUBMITTED)),
        in_review=Count("pk", filter=Q(state=S.IN_REVIEW)),
        info_requested=Count("pk", filter=Q(state=S.INFO_REQUESTED)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        # "Assigned to me" and "Unassigned", over what "To decide" lists
        mine=Count("pk", filter=Q(assignee=actor.user) & ~Q(state=S.INFO_REQUESTED)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True) & ~Q(state=S.INFO_REQUESTED)),
        good_faith=Count("pk", filter=Q(brand__good_faith=True) | Q(brand__trusted_flagger=True)),
    )
    counts["stuck"] = claims_visible_to(actor).filter(stuck_enforcement_q()).count()
    counts["counter_notices"] = claims_visible_to(actor).filter(state=S.COUNTER_NOTICED).count()
    counts["ip_rights"] = IPRight.objects.filter(status=IPRight.Status.PENDING).count()
    counts["held"] = BanHold.objects.filter(status=BanHold.Status.PENDING).count()
    return counts


def queue_neighbours(actor: Actor, claim: Claim) -> tuple[int | None, int | None]:
    """The previous and next claim of the queue around this one (for `k` and `j`)."""
    ids = list(queue_for_reviewer(actor).filter(state__in=REVIEWABLE).values_list("pk", flat=True)[:2000])
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
    listings = merchant.listings.aggregate(
        active=Count("pk", filter=Q(status=Listing.Status.ACTIVE)),
        removed=Count("pk", filter=Q(status=Listing.Status.REMOVED)),
    )
    return {
        "strikes": strikes,
        "active_strikes": sum(1 for s in strikes if s.revoked_at is None and s.expires_at > now),
        "claims": Claim.objects.filter(listing__merchant=merchant)
        .exclude(state__in=(S.DRAFT, S.WITHDRAWN))
        .select_related("brand", "listing")
        .order_by("-created_at")[:50],
        "listings_active": listings["active"],
        "listings_removed": listings["removed"],
    }


def merchants_for_review(*, q: str = "", status: str = "") -> QuerySet[Merchant]:
    now = timezone.now()
    merchants = Merchant.objects.annotate(
        active_strikes=Count(
            "strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now), distinct=True
        ),
    )
    if q:
        merchants = merchants.filter(Q(name__icontains=q) | Q(platform_ref__iexact=q) | Q(email__iexact=q))
    if status:
        merchants = merchants.filter(status=status)
    return merchants.order_by("-active_strikes", "name")


def held_decisions() -> QuerySet[BanHold]:
    """Bans, and liftings of bans, waiting for a second reviewer: oldest first."""
    return (
        BanHold.objects.filter(status=BanHold.Status.PENDING)
        .select_related("merchant", "claim", "requested_by")
        .order_by("requested_at", "pk")
    )


def counter_notice_queue() -> QuerySet[CounterNotice]:
    """Pending counter-notices, the ones whose restoration deadline comes first on top."""
    return (
        CounterNotice.objects.filter(outcome=CounterNotice.Outcome.PENDING, claim__state=S.COUNTER_NOTICED)
        .select_related("claim__brand", "claim__listing__merchant", "claim__ip_right")
        .order_by("restore_due_at", "pk")
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


# --- lists ------------------------------------------------------------------------------------------------
CLAIM_SORTS = {
    "created": "created_at",
    "-created": "-created_at",
    "reference": "reference",
    "-reference": "-reference",
    "state": "state",
    "-state": "-state",
    "brand": "brand__name",
    "-brand": "-brand__name",
    "due": "due_at",
    "-due": "-due_at",
    "decided": "decided_at",
    "-decided": "-decided_at",
}


def claims_filtered(claims: QuerySet[Claim], filters: dict) -> QuerySet[Claim]:
    if filters.get("state") in S.values:
        claims = claims.filter(state=filters["state"])
    brand_id = _id(filters.get("brand"))
    if brand_id:
        claims = claims.filter(brand_id=brand_id)
    if filters.get("infringement_type"):
        claims = claims.filter(infringement_type=filters["infringement_type"])
    if filters.get("q"):
        term = filters["q"].strip()
        claims = claims.filter(
            Q(reference__iexact=term)
            | Q(listing__title__icontains=term)
            | Q(listing__url=term)
            | Q(listing__merchant__name__icontains=term)
        )
    if _id(filters.get("batch")):
        claims = claims.filter(batch_id=_id(filters["batch"]))
    sort = CLAIM_SORTS.get(filters.get("sort") or "", "-created_at")
    return claims.order_by(sort, "-pk")


def batch_preview(rows: list[dict], *, brand_id: int | None = None) -> list[dict]:
    """Each CSV row with what is known about its listing, found in one query; with `brand_id`, each row whose
    seller sold the brand goods its test purchase found genuine is marked `genuine` (one more query)."""
    urls = {row["listing_url"] for row in rows if row["listing_url"]}
    known = {
        url: (title, merchant_id)
        for url, title, merchant_id in Listing.objects.filter(url__in=urls).values_list(
            "url", "title", "merchant_id"
        )
    }
    genuine = (
        genuine_purchase_merchants(brand_id=brand_id, merchant_ids={m for _t, m in known.values()})
        if brand_id is not None and known
        else set()
    )
    preview = []
    for number, row in enumerate(rows, start=1):
        problem = ""
        if not row["listing_url"]:
            problem = "empty"
        elif row["listing_url"] not in known:
            problem = "unknown"
        title, merchant_id = known.get(row["listing_url"], ("", None))
        preview.append(
            {"row": number, **row, "title": title, "problem": problem, "genuine": merchant_id in genuine}
        )
    return preview


def strike_count(merchant: Merchant) -> int:
    return Strike.objects.active().filter(merchant=merchant).count()


# --- why a claim is at high priority: the one rule submission, escalations and the review page read ------
def priority_reasons(claim: Claim) -> list[dict]:
    """The reasons a claim goes to the front of the queue, each `{"code", "detail"}`, in words a reviewer
    reads. Empty: normal priority."""
    reasons = []
    brand, merchant = claim.brand, claim.listing.merchant
    if brand.trusted_flagger:
        reasons.append({"code": "trusted_flagger", "detail": _("The brand is a trusted flagger.")})
    elif brand.good_faith:
        reasons.append({"code": "good_faith", "detail": _("The brand is in the good-faith programme.")})
    if merchant.ban_evasion:
        banned = merchant.evasion_of.name if merchant.evasion_of is not None else _("(deleted)")
        if merchant.evasion_kinds:
            detail = _("The seller shares %(kinds)s with the banned merchant %(name)s.") % {
                "kinds": ", ".join(identifier_label(k) for k in merchant.evasion_kinds),
                "name": banned,
            }
        else:
            detail = _("The seller is linked through other storefronts to the banned merchant %(name)s.") % {
                "name": banned
            }
        reasons.append({"code": "ban_evasion", "detail": detail})
    if claim.pk and _counterfeit_purchase_attached(claim):
        reasons.append(
            {"code": "counterfeit_test_purchase", "detail": _("A test purchase found the goods counterfeit.")}
        )
    return reasons


def _counterfeit_purchase_attached(claim: Claim) -> bool:
    """Reads the claim's test purchases through the prefetch cache when the caller prefetched them (the claim
    pages and the API detail do), so those pages add no query."""
    cached = getattr(claim, "_prefetched_objects_cache", {}).get("test_purchases")
    if cached is not None:
        return any(purchase.verdict == TestPurchase.Verdict.COUNTERFEIT for purchase in cached)
    return TestPurchase.objects.filter(claims=claim, verdict=TestPurchase.Verdict.COUNTERFEIT).exists()


# --- test purchases: the brand's orders from sellers (docs/intelligence.md) --------------------------------
def test_purchases_visible_to(actor: Actor) -> QuerySet[TestPurchase]:
    """A brand's test purchases: its own members and the platform's staff, never a merchant (whatever other
    role the same user has) and never another brand."""
    purchases = TestPurchase.objects.all()
    if actor.sees_everything:
        return purchases
    return purchases.filter(brand_id__in=actor.brand_ids)


def test_purchase_list(actor: Actor) -> QuerySet[TestPurchase]:
    """Newest order first, with what the lists and the detail show (brand, listing, seller, photos, claims)."""
    return (
        test_purchases_visible_to(actor)
        .select_related("brand", "listing", "merchant")
        .prefetch_related(
            "photos", Prefetch("claims", queryset=Claim.objects.only("pk", "reference", "state"))
        )
        .order_by("-ordered_on", "-pk")
    )


def test_purchase_photos_visible_to(actor: Actor) -> QuerySet[TestPurchasePhoto]:
    """The photos of the test purchases `test_purchases_visible_to` lets the actor read."""
    return TestPurchasePhoto.objects.select_related("purchase").filter(
        purchase__in=test_purchases_visible_to(actor)
    )


def test_purchases_attachable(claim: Claim) -> QuerySet[TestPurchase]:
    """The brand's purchases from the claim's seller not yet attached to the claim: what its attach form
    offers."""
    return (
        TestPurchase.objects.filter(brand_id=claim.brand_id, merchant_id=claim.listing.merchant_id)
        .exclude(claims=claim)
        .order_by("-ordered_on", "-pk")
    )


def _genuine_purchases(brand_id) -> QuerySet[TestPurchase]:
    """The brand's test purchases that found the goods genuine (by seller: `test_purchase_seller_idx`)."""
    return TestPurchase.objects.filter(brand_id=brand_id, verdict=TestPurchase.Verdict.GENUINE)


def genuine_purchase_merchants(*, brand_id: int, merchant_ids) -> set[int]:
    """The sellers among `merchant_ids` from which the brand bought goods it found genuine (one query)."""
    return set(
        _genuine_purchases(brand_id)
        .filter(merchant_id__in=merchant_ids)
        .values_list("merchant_id", flat=True)
    )


def newest_genuine_purchase(brand_id, merchant_id) -> QuerySet[TestPurchase]:
    """The brand's test purchases from the seller that found the goods genuine, newest first: the first is
    the one `filing_warnings` names. The ids may be expressions (`filing_subjects` compiles this once, as a
    subquery of its own statement)."""
    return _genuine_purchases(brand_id).filter(merchant_id=merchant_id).order_by("-ordered_on", "-pk")


def filing_warnings(*, brand_id: int, listing: Listing) -> list[dict]:
    """What the brand should know before it files against this listing's seller, each `{"code", "detail"}`:
    a test purchase of its own from the seller that found the goods genuine."""
    genuine = (
        newest_genuine_purchase(brand_id, listing.merchant_id).values_list("order_ref", "ordered_on").first()
    )
    return genuine_purchase_warnings(genuine)


def genuine_purchase_warnings(genuine: tuple[str, Any] | None) -> list[dict]:
    """`filing_warnings` for the newest genuine purchase already read, `(order_ref, ordered_on)` or None (the
    API reads it with the claim's right and listing: `filing_subjects`)."""
    if genuine is None:
        return []
    order_ref, ordered_on = genuine
    return [
        {
            "code": "genuine_test_purchase",
            "detail": _(
                "Your test purchase %(order)s of %(date)s from this seller found the goods genuine. File "
                "only if this listing is different."
            )
            % {"order": order_ref, "date": ordered_on.isoformat()},
        }
    ]


# --- seller networks and reused photos (docs/intelligence.md) ---------------------------------------------
def _members_with_figures(network_id: int) -> QuerySet[Merchant]:
    """The network's members, each with its figures as a count of its own (a correlated subquery per member).
    Joined to the members' listings and strikes and grouped, the claim counts were evaluated once per joined
    listing: a ring of 79 storefronts with 61,000 listings took minutes at a million claims."""
    now = timezone.now()

    def per_member(rows: QuerySet, member: str) -> Coalesce:
        return Coalesce(Subquery(rows.values(member).annotate(n=Count("pk")).values("n")), 0)

    claims = Claim.objects.filter(listing__merchant=OuterRef("pk"))
    return (
        Merchant.objects.filter(network_id=network_id)
        .annotate(
            active_listings=per_member(
                Listing.objects.filter(merchant=OuterRef("pk"), status=Listing.Status.ACTIVE), "merchant"
            ),
            active_strikes=per_member(Strike.objects.active(now).filter(merchant=OuterRef("pk")), "merchant"),
            claims_decided=per_member(claims.filter(decided_at__isnull=False), "listing__merchant"),
            claims_taken_down=per_member(claims.filter(taken_down_at__isnull=False), "listing__merchant"),
        )
        .order_by("name", "pk")
    )


def network_detail(network_id: int) -> dict | None:
    """A network as reviewers read it: its members with their figures, the links between them (the kinds of
    identifier two or more members share, never a value or a digest) and the totals."""
    members: list[Any] = list(_members_with_figures(network_id))  # annotated with each member's figures
    if not members:
        return None
    by_digest: dict[str, list[tuple[int, str]]] = {}
    for merchant_id, kind, digest in MerchantIdentifier.objects.filter(
        merchant__network_id=network_id
    ).values_list("merchant_id", "kind", "digest"):
        by_digest.setdefault(digest, []).append((merchant_id, kind))
    links = sorted(
        (
            {"kinds": sorted({kind for _m, kind in holders}), "merchants": sorted({m for m, _k in holders})}
            for holders in by_digest.values()
            if len({m for m, _k in holders}) > 1
        ),
        key=lambda link: (link["kinds"], link["merchants"]),
    )
    decided = sum(m.claims_decided for m in members)
    taken_down = sum(m.claims_taken_down for m in members)
    return {
        "id": network_id,
        "members": members,
        "links": links,
        "storefronts": len(members),
        "active_listings": sum(m.active_listings for m in members),
        "active_strikes": sum(m.active_strikes for m in members),
        "banned": sum(1 for m in members if m.status == Merchant.Status.BANNED),
        "ban_evasion": sum(1 for m in members if m.ban_evasion),
        "claims_decided": decided,
        "claims_taken_down": taken_down,
        "takedown_rate": round(taken_down / decided, 4) if decided else None,
    }


def networks_for_review(*, banned_only: bool = False) -> QuerySet:
    networks = Network.objects.annotate(
        storefronts=Count("members", distinct=True),
        banned=Count("members", filter=Q(members__status=Merchant.Status.BANNED), distinct=True),
    )
    if banned_only:
        networks = networks.filter(banned__gt=0)
    return networks.order_by("-banned", "-storefronts", "-pk")


def network_listings_for_brand(claim: Claim) -> dict | None:
    """What the claim's brand may know of the seller's network: how many storefronts, and the active listings
    of the *other* storefronts whose titles carry one of the brand's verified marks, which it may file
    against. No merchant's name, e-mail or identifiers. None when the seller is in no network."""
    network_id = claim.listing.merchant.network_id
    if network_id is None:
        return None
    marks = list(
        IPRight.objects.filter(brand_id=claim.brand_id, status=IPRight.Status.VERIFIED)
        .values_list("mark", flat=True)
        .distinct()
    )
    title_has_mark = Q()
    for mark in marks:
        title_has_mark |= Q(title__icontains=mark)
    storefronts = Merchant.objects.filter(network_id=network_id).count()
    listings = Listing.objects.none()
    if marks:
        claimed = Claim.objects.filter(brand_id=claim.brand_id, listing=OuterRef("pk"), state__in=ACTIVE)
        listings = (
            Listing.objects.filter(merchant__network_id=network_id, status=Listing.Status.ACTIVE)
            .filter(title_has_mark)
            .exclude(merchant_id=claim.listing.merchant_id)  # the other storefronts' listings only
            .annotate(already_claimed=Exists(claimed))
            .order_by("-created_at", "-pk")
        )
    return {"storefronts": storefronts, "listings": listings}


def _evidence_image_hashes(claim: Claim) -> list[int]:
    """Through the claim pages' prefetch of `evidence` when there is one (no query)."""
    return [item.phash for item in claim.evidence.all() if item.phash is not None]


def image_matches(claim: Claim, *, limit: int = 50) -> list[dict]:
    """Near matches of the claim's evidence photos among other claims' evidence and the marketplace's
    listing photos: `{"claim", "listing", "distance", "evidence"/"image"}`, nearest first, one per claim or
    listing. Every lookup is the quartered index (core.fingerprints), a few rows each."""
    max_distance = settings.IMAGE_MATCH_DISTANCE
    best: dict[tuple, dict] = {}
    for value in _evidence_image_hashes(claim):
        others = Evidence.objects.exclude(claim_id=claim.pk).select_related("claim")
        for evidence, d in near_matches(others, value, max_distance):
            key = ("claim", evidence.claim_id)
            if key not in best or d < best[key]["distance"]:
                best[key] = {
                    "claim": evidence.claim_id,
                    "listing": evidence.claim.listing_id,
                    "distance": d,
                    "evidence": evidence.pk,
                    "image": None,
                }
        images = ListingImage.objects.exclude(listing_id=claim.listing_id)
        for image, d in near_matches(images, value, max_distance):
            key = ("listing", image.listing_id)
            if key not in best or d < best[key]["distance"]:
                best[key] = {
                    "claim": None,
                    "listing": image.listing_id,
                    "distance": d,
                    "evidence": None,
                    "image": image.pk,
                }
    return sorted(best.values(), key=lambda m: (m["distance"], m["claim"] or 0, m["listing"] or 0))[:limit]


def image_matches_shown(claim: Claim) -> list[dict]:
    """`image_matches` with what the review page shows of each: the other claim's reference, the listing's
    title and URL, and the matching photo (an evidence file or a listing photo) for a thumbnail."""
    matches = image_matches(claim)
    claims = Claim.objects.in_bulk([m["claim"] for m in matches if m["claim"]])
    listings = Listing.objects.select_related("merchant").in_bulk(
        [m["listing"] for m in matches if m["listing"]]
    )
    return [
        {
            **m,
            "claim_obj": claims.get(m["claim"]),
            "listing_obj": listings.get(m["listing"]),
        }
        for m in matches
    ]


# --- the listing as filed, and the brand's case as the merchant sees it ------------------------------------
def listing_capture_shown(claim: Claim) -> ListingCapture | None:
    """The listing as captured when the claim was filed, its photos in order (two queries); None for a claim
    filed before captures existed. Every audience of the claim reads it whole: it is the marketplace's own
    listing, and the seller named in it is the merchant."""
    return (
        ListingCapture.objects.filter(claim_id=claim.pk)
        .prefetch_related(Prefetch("images", queryset=ListingCaptureImage.objects.select_related("image")))
        .first()
    )


EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def without_contact_details(text: str) -> str:
    """The brand's explanation as the merchant reads it (page, API, e-mail): as written, less e-mail addresses
    and international phone numbers (an agent's own address or number in a signature is a person's data; the
    brand's contact address is shown apart, on purpose). A number written without its country code cannot be
    told from an order number or a price, and stays."""
    text = EMAIL_IN_TEXT.sub(_("[e-mail address removed]"), text)
    found = list(phonenumbers.PhoneNumberMatcher(text, None, leniency=phonenumbers.Leniency.VALID))
    for match in reversed(found):
        text = text[: match.start] + _("[phone number removed]") + text[match.end :]
    return text


def explanation_for_merchant(claim: Claim) -> str:
    return without_contact_details(claim.description)


def evidence_for_merchant(claim: Claim) -> list[dict]:
    """The brand's evidence as the merchant sees it listed: a neutral label ("Image 2", "PDF document 1"), its
    kind and the day it was added. Never the file, its name (names often carry a person's or a test buyer's
    name), its note, its hash or who uploaded it: docs/contract.md, "What the merchant sees". Reads the
    claim pages' prefetch of `evidence` (no query)."""
    counts: dict[str, int] = {}
    listed = []
    for item in claim.evidence.all():
        family = (
            "image"
            if item.content_type.startswith("image/")
            else "pdf"
            if item.content_type == "application/pdf"
            else "text"
        )
        counts[family] = counts.get(family, 0) + 1
        label = {
            "image": _("Image %(n)s"),
            "pdf": _("PDF document %(n)s"),
            "text": _("Text document %(n)s"),
        }[family] % {"n": counts[family]}
        listed.append({"label": label, "kind": item.get_kind_display(), "added": item.created_at})
    return listed
