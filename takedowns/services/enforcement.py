"""What a takedown and a reinstatement do beyond the claim itself: the listing, the notices, the strike.

The transition handlers in `transitions.py` call these inside the transition's transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.dispatch import task_send_on_commit
from core.models import Notice
from core.outbox import notice_webhook
from merchants.models import Listing, Merchant
from takedowns.models import (
    Claim,
    ClaimState,
)
from takedowns.services.bans import strike_issue, strike_revoke
from takedowns.services.notices import notify_brand, notify_merchant
from takedowns.signals import claim_taken_down

ENFORCE_TASK = "takedowns.tasks.enforce_claim"


def remove_or_enforce(claim: Claim) -> None:
    """Ask the marketplace to remove the listing; with no webhook configured, enforce when this commits."""
    assert claim.reference is not None  # set by claim_create, in the transaction that creates the claim
    notice = notice_webhook(
        event="listing.remove",
        listing_ref=claim.listing.platform_ref,
        claim_reference=claim.reference,
        reason=claim.infringement_type,
        key=claim.reference,
        claim_id=claim.pk,
    )
    if notice is None:
        task_send_on_commit(ENFORCE_TASK, claim.pk, queue=settings.CELERY_URGENT_QUEUE)


S = ClaimState


def enforce_effects(claim: Claim, now) -> None:
    listing = claim.listing
    if listing.status != Listing.Status.REMOVED:
        Listing.objects.filter(pk=listing.pk).update(
            status=Listing.Status.REMOVED, removed_at=now, updated_at=now
        )
        listing.status, listing.removed_at = Listing.Status.REMOVED, now
    notify_merchant(claim, "takedown_notice", "takedown")
    notify_brand(claim, "claim_succeeded", "taken_down")
    claim_taken_down.send(sender=Claim, claim=claim)
    strike_issue(merchant=listing.merchant, claim=claim, at=now)


def restore_effects(claim: Claim, *, reason: str) -> None:
    """Reinstatement or retraction: revoke the strike and restore the listing, unless something else
    (a ban, another brand's takedown) keeps it down."""
    strike_revoke(claim=claim, reason=reason)
    listing = claim.listing
    merchant = listing.merchant
    still_down = Claim.objects.filter(listing=listing, state__in=(S.TAKEN_DOWN, S.COUNTER_NOTICED)).exclude(
        pk=claim.pk
    )
    if merchant.status != Merchant.Status.BANNED and not still_down.exists():
        now = timezone.now()
        Listing.objects.filter(pk=listing.pk).update(
            status=Listing.Status.ACTIVE, removed_at=None, updated_at=now
        )
        assert claim.reference is not None  # set by claim_create, in the transaction that creates the claim
        notice_webhook(
            event="listing.restore",
            listing_ref=listing.platform_ref,
            claim_reference=claim.reference,
            reason=reason,
            key=claim.reference,
            claim_id=claim.pk,
        )
    notify_merchant(claim, "reinstated", "reinstated", {"reason_text": reason})
    notify_brand(claim, "reinstated", "reinstated", {"reason_text": reason})


def approved_not_enforced(limit: int = 500) -> list[int]:
    """Approved claims whose removal was confirmed (or needs no webhook) but that are not yet taken down."""
    # One Exists(), not exclude(notices__a=…, notices__b=…): conditions in one exclude() over a multi-valued
    # relation may each match a different notice, so any pending e-mail would hide the claim from the sweep.
    removal_unconfirmed = Notice.objects.filter(
        claim_id=OuterRef("pk"),
        channel=Notice.Channel.WEBHOOK,
        kind="listing.remove",
        status__in=(Notice.Status.PENDING, Notice.Status.SENDING, Notice.Status.FAILED),
    )
    return list(
        Claim.objects.filter(state=S.APPROVED)
        .exclude(Exists(removal_unconfirmed))
        .values_list("pk", flat=True)[:limit]
    )
