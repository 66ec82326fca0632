"""What a takedown and a reinstatement do beyond the claim itself: listing, strike, notices (SPEC §5)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from merchants.models import Listing, Merchant
from merchants.services import strike_issue, strike_revoke

from .models import Claim, ClaimState, Notice
from .outbox import notice_webhook
from .roles import SYSTEM

S = ClaimState


def claim_enforce(*, claim_id: int) -> Claim | None:
    """approved → taken_down once the marketplace confirmed the removal (or no webhook is configured).

    Safe to run twice and from several workers: the transition locks the claim and a second run finds it
    taken down already.
    """
    from .services import claim_transition_safely

    claim = Claim.objects.filter(pk=claim_id, state=S.APPROVED).first()
    if claim is None:
        return None
    removal = claim.notices.filter(channel=Notice.Channel.WEBHOOK, kind="listing.remove").first()
    if removal is not None and removal.status != Notice.Status.SENT:
        return None  # still being delivered; the outbox will call us again
    return claim_transition_safely(claim_id=claim_id, name="enforce", actor=SYSTEM, note="listing removed")


def enforce_effects(claim: Claim, now) -> None:
    from .services import notify_brand, notify_merchant

    listing = claim.listing
    if listing.status != Listing.Status.REMOVED:
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.REMOVED, removed_at=now, updated_at=now)
        listing.status, listing.removed_at = Listing.Status.REMOVED, now
    notify_merchant(claim, "takedown_notice", "takedown")
    notify_brand(claim, "claim_succeeded", "taken_down")
    # DSA statement of reasons for the Transparency Database (issue 5), delivered through the outbox.
    from .dsa import statement_queue_for_takedown
    statement_queue_for_takedown(claim=claim)
    strike_issue(merchant=listing.merchant, claim=claim, at=now)


def restore_effects(claim: Claim, *, reason: str) -> None:
    """Reinstatement or retraction: revoke the strike and restore the listing, unless something else
    (a ban, another brand's takedown) keeps it down."""
    from .services import notify_brand, notify_merchant

    strike_revoke(claim=claim, reason=reason)
    listing = claim.listing
    merchant = listing.merchant
    still_down = Claim.objects.filter(listing=listing, state__in=(S.TAKEN_DOWN, S.COUNTER_NOTICED)).exclude(pk=claim.pk)
    if merchant.status != Merchant.Status.BANNED and not still_down.exists():
        now = timezone.now()
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.ACTIVE, removed_at=None, updated_at=now)
        notice_webhook(
            event="listing.restore", listing=listing, claim_reference=claim.reference, reason=reason,
            key=claim.reference, claim=claim,
        )
    notify_merchant(claim, "reinstated", "reinstated", {"reason_text": reason})
    notify_brand(claim, "reinstated", "reinstated", {"reason_text": reason})


def approved_not_enforced(limit: int = 500) -> list[int]:
    """Approved claims whose removal was confirmed (or needs no webhook) but that are not yet taken down."""
    # One Exists(), not exclude(notices__a=…, notices__b=…): conditions in one exclude() over a multi-valued
    # relation may each match a different notice, so any pending e-mail would hide the claim from the sweep.
    removal_unconfirmed = Notice.objects.filter(
        claim=OuterRef("pk"), channel=Notice.Channel.WEBHOOK, kind="listing.remove",
        status__in=(Notice.Status.PENDING, Notice.Status.SENDING, Notice.Status.FAILED),
    )
    return list(
        Claim.objects.filter(state=S.APPROVED)
        .exclude(Exists(removal_unconfirmed))
        .values_list("pk", flat=True)[:limit]
    )
