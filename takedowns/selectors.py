"""Reads that feed lists and pages: who sees which claims, the reviewer queue. Query counts are pinned in
tests, so every list here joins or prefetches what its serializer and templates touch."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from brands.models import Brand, IPRight
from merchants.models import Listing, Merchant

from .models import (
    OPEN,
    SHOWN_TO_MERCHANT,
    AuditEvent,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimState,
    Evidence,
    Notice,
)
from .roles import Actor


def claims_visible_to(actor: Actor) -> QuerySet[Claim]:
    claims = Claim.objects.all()
    if actor.sees_everything:
        return claims
    visible = Q(pk__in=[])
    if actor.brand_ids:
        visible |= Q(brand_id__in=actor.brand_ids)
    if actor.merchant_ids:
        visible |= Q(listing__merchant_id__in=actor.merchant_ids, state__in=SHOWN_TO_MERCHANT)
    return claims.filter(visible)


def claim_list(actor: Actor) -> QuerySet[Claim]:
    return (
        claims_visible_to(actor)
        .select_related("brand", "ip_right", "listing__merchant", "assignee")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("-created_at", "-pk")
    )


def claim_detail(actor: Actor) -> QuerySet[Claim]:
    return (
        claims_visible_to(actor)
        .select_related("brand", "ip_right", "listing__merchant", "assignee", "decided_by", "created_by", "batch")
        .prefetch_related(
            Prefetch("events", queryset=ClaimEvent.objects.select_related("actor").order_by("created_at", "pk")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at")),
            "counter_notices",
        )
    )


def stuck_enforcement_q() -> Q:
    """Approved claims whose removal webhook keeps failing (SPEC §5: shown as stuck in the queue)."""
    failing = Notice.objects.filter(
        claim=OuterRef("pk"), channel=Notice.Channel.WEBHOOK, kind="listing.remove",
        attempts__gte=settings.ENFORCEMENT_STUCK_ATTEMPTS,
    ).exclude(status=Notice.Status.SENT)
    return Q(state=ClaimState.APPROVED) & Q(Exists(failing))


def queue_for_reviewer(actor: Actor, *, include_stuck: bool = True) -> QuerySet[Claim]:
    """SPEC §6 order: priority, then due time (SLA 24 h for high priority, 72 h otherwise)."""
    states = Q(state__in=OPEN)
    if include_stuck:
        states |= stuck_enforcement_q()
    return (
        claim_list(actor)
        .filter(states)
        .order_by("-priority", "due_at", "pk")
    )


def brands_visible_to(actor: Actor) -> QuerySet[Brand]:
    if actor.sees_everything:
        return Brand.objects.all()
    return Brand.objects.filter(pk__in=actor.brand_ids)


def ip_rights_visible_to(actor: Actor) -> QuerySet[IPRight]:
    rights = IPRight.objects.select_related("brand")
    if actor.sees_everything:
        return rights
    return rights.filter(brand_id__in=actor.brand_ids)


def merchants_visible_to(actor: Actor) -> QuerySet[Merchant]:
    merchants = Merchant.objects.all()
    if actor.sees_everything or actor.platform or actor.brand_ids:
        return merchants
    return merchants.filter(pk__in=actor.merchant_ids)


def listings_visible_to(actor: Actor) -> QuerySet[Listing]:
    listings = Listing.objects.select_related("merchant")
    if actor.sees_everything or actor.platform or actor.brand_ids:
        return listings
    return listings.filter(merchant_id__in=actor.merchant_ids)


def batches_visible_to(actor: Actor) -> QuerySet[ClaimBatch]:
    batches = ClaimBatch.objects.select_related("brand")
    if actor.sees_everything:
        return batches
    return batches.filter(brand_id__in=actor.brand_ids)


def audit_events(actor: Actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor")
