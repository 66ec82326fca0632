"""Repeat infringers (DMCA §512(i), DSA Art. 23(1)): a strike per takedown, bans at the threshold.

Strikes and bans are consequences of claims, so they live with the claims and write to `merchants`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import Conflict, Forbidden, Invalid
from core.models import Notice
from core.outbox import notice_email, notice_webhook
from core.roles import SYSTEM, Actor
from merchants.models import Listing, Merchant
from takedowns.models import Claim, ClaimState, Strike
from takedowns.services.notices import notify_merchant
from takedowns.signals import merchant_banned


# --- strikes and bans (DMCA §512(i), DSA Art. 23(1)) -----------------------------------------------------
def active_strike_count(merchant: Merchant, now=None) -> int:
    return merchant.strikes.active(now).count()


def strike_issue(*, merchant: Merchant, claim, at=None) -> Strike:
    """A strike per takedown: the first warns, the threshold bans. Safe to call twice for one claim."""
    at = at or timezone.now()
    strike, created = Strike.objects.get_or_create(
        claim=claim,
        defaults={
            "merchant": merchant,
            "issued_at": at,
            "expires_at": at + timedelta(days=settings.STRIKE_DAYS),
        },
    )
    if not created:
        return strike
    count = active_strike_count(merchant, at)
    if count == 1:
        notify_merchant(
            claim,
            "strike_warning",
            "strike",
            {"active_strikes": count, "strikes_to_ban": settings.STRIKES_TO_BAN},
        )
    if count >= settings.STRIKES_TO_BAN and merchant.status != Merchant.Status.BANNED:
        try:
            merchant_ban(merchant=merchant, actor=SYSTEM, reason=f"{count} active strikes", at=at)
        except Conflict:
            pass  # a concurrent takedown banned it first; this takedown must still go through
    return strike


def strike_revoke(*, claim, reason: str) -> None:
    Strike.objects.filter(claim=claim, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )


def merchant_ban(*, merchant: Merchant, actor: Actor, reason: str, at=None) -> Merchant:
    """Ban, remove every active listing (each with its own webhook), tell the merchant the reason."""
    if not (actor.reviewer or actor.is_system):
        raise Forbidden(_("Only reviewers ban merchants."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for the ban; the merchant is told.")
        raise Invalid(message, code="reason_required", extra={"fields": {"reason": [message]}})
    at = at or timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status == Merchant.Status.BANNED:
            raise Conflict(_("The merchant is already banned."), code="already_banned")
        merchant.status, merchant.banned_at = Merchant.Status.BANNED, at
        merchant.save(update_fields=["status", "banned_at", "updated_at"])
        event = audit(
            actor=actor,
            action="merchant_ban",
            obj=merchant,
            merchant=merchant,
            note=reason,
            data={"active_strikes": active_strike_count(merchant, at)},
        )
        merchant_banned.send(sender=Merchant, merchant=merchant, ban=event)
        listings = list(merchant.listings.filter(status=Listing.Status.ACTIVE).select_related("merchant"))
        Listing.objects.filter(pk__in=[item.pk for item in listings]).update(
            status=Listing.Status.REMOVED, removed_at=at, updated_at=at
        )
        # An approved claim's removal is already on its way under the claim's key: one removal per listing.
        approved = Claim.objects.filter(state=ClaimState.APPROVED, listing__in=[item.pk for item in listings])
        queued = set(
            approved.filter(
                Exists(
                    Notice.objects.filter(
                        claim_id=OuterRef("pk"), channel=Notice.Channel.WEBHOOK, kind="listing.remove"
                    )
                )
            ).values_list("listing_id", flat=True)
        )
        for listing in listings:
            if listing.pk in queued:
                continue
            notice_webhook(
                event="listing.remove",
                listing_ref=listing.platform_ref,
                claim_reference="",
                reason="merchant_banned",
                key=f"ban{event.pk}:{listing.platform_ref}",
                merchant_id=merchant.pk,
            )
        notice_email(
            kind="merchant_banned",
            to=merchant.email,
            merchant_id=merchant.pk,
            key=f"ban{event.pk}",
            language=merchant.language,
            context={"merchant_name": merchant.name, "reason": reason, "listings_removed": len(listings)},
        )
    return merchant


def merchant_lift_ban(*, merchant: Merchant, actor: Actor, note: str = "") -> Merchant:
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers may lift a ban."))
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status != Merchant.Status.BANNED:
            raise Conflict(_("The merchant is not banned."), code="not_banned")
        merchant.status, merchant.banned_at = Merchant.Status.ACTIVE, None
        merchant.save(update_fields=["status", "banned_at", "updated_at"])
        audit(actor=actor, action="merchant_lift_ban", obj=merchant, merchant=merchant, note=note)
    return merchant
