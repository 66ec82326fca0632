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
from core.models import AuditEvent, Notice
from core.outbox import notice_email, notice_webhook
from core.roles import SYSTEM, Actor
from merchants.models import Listing, Merchant
from takedowns.models import BanHold, Claim, ClaimState, Strike
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
    banned_or_held = (Merchant.Status.BANNED, Merchant.Status.BAN_PENDING)
    if count >= settings.STRIKES_TO_BAN and merchant.status not in banned_or_held:
        try:
            merchant_ban(
                merchant=merchant, actor=SYSTEM, reason=f"{count} active strikes", at=at, claim=claim
            )
        except Conflict:
            pass  # a concurrent takedown banned it first; this takedown must still go through
    return strike


def strike_revoke(*, claim, reason: str) -> None:
    Strike.objects.filter(claim=claim, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )


TEXT_MAX_CHARS = 2000


def _bounded(text, field: str, required_message) -> str:
    """A reason or note, stripped: required when `required_message` is given, never longer than the API
    allows (the portal's forms have no such limit of their own)."""
    text = (text or "").strip()
    if required_message and not text:
        raise Invalid(
            required_message, code=f"{field}_required", extra={"fields": {field: [required_message]}}
        )
    if len(text) > TEXT_MAX_CHARS:
        message = _("Keep it under %(n)s characters.") % {"n": TEXT_MAX_CHARS}
        raise Invalid(message, code="too_long", extra={"fields": {field: [message]}})
    return text


def _why_held(*, active_listings: int, claim=None) -> str:
    """Why a ban needs a second reviewer, or "" when one reviewer (or the threshold) may decide it."""
    if active_listings >= settings.BAN_SECOND_APPROVAL_LISTINGS:
        return _("%(count)s active listings (a second reviewer confirms bans from %(threshold)s)") % {
            "count": active_listings,
            "threshold": settings.BAN_SECOND_APPROVAL_LISTINGS,
        }
    if claim is not None and claim.fast_tracked:
        return _("the last strike came from a fast-tracked claim, %(reference)s") % {
            "reference": claim.reference
        }
    return ""


def _hold(*, merchant: Merchant, actor: Actor, action: str, reason: str, why: str, at, claim, active: int):
    hold = BanHold.objects.create(
        merchant=merchant,
        action=action,
        reason=reason,
        why_held=why[:200],
        claim=claim,
        requested_by=actor.user,
        requested_label=actor.label,
        requested_at=at,
        previous_status=merchant.status,
        active_listings=active,
    )
    audit(
        actor=actor,
        action=f"merchant_{'ban' if action == BanHold.Action.BAN else 'lift'}_held",
        obj=merchant,
        merchant=merchant,
        note=reason,
        data={"hold": hold.pk, "why": why, "active_listings": active},
    )
    return hold


def merchant_ban(*, merchant: Merchant, actor: Actor, reason: str, at=None, claim=None) -> Merchant:
    """Ban a repeat infringer. A heavy ban (many active listings, or the strike of a fast-tracked claim) is
    held for a second reviewer: the merchant reads `ban_pending` and nothing is removed until one confirms."""
    if not (actor.reviewer or actor.is_system):
        raise Forbidden(_("Only reviewers ban merchants."))
    reason = _bounded(reason, "reason", _("Give the reason for the ban; the merchant is told."))
    at = at or timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status == Merchant.Status.BANNED:
            raise Conflict(_("The merchant is already banned."), code="already_banned")
        if merchant.status == Merchant.Status.BAN_PENDING:
            raise Conflict(
                _("A ban of this merchant is already held for a second reviewer."), code="ban_held"
            )
        active = merchant.listings.filter(status=Listing.Status.ACTIVE).count()
        why = _why_held(active_listings=active, claim=claim)
        if why:
            _hold(
                merchant=merchant,
                actor=actor,
                action=BanHold.Action.BAN,
                reason=reason,
                why=why,
                at=at,
                claim=claim,
                active=active,
            )
            merchant.status = Merchant.Status.BAN_PENDING
            merchant.save(update_fields=["status", "updated_at"])
            return merchant
        _ban_now(merchant=merchant, actor=actor, reason=reason, at=at, data={})
    return merchant


def _ban_now(*, merchant: Merchant, actor: Actor, reason: str, at, data: dict) -> None:
    """Ban, remove every active listing (each with its own webhook), tell the merchant the reason. Inside the
    caller's transaction, with the merchant's row locked."""
    listings = list(merchant.listings.filter(status=Listing.Status.ACTIVE).select_related("merchant"))
    merchant.status, merchant.banned_at = Merchant.Status.BANNED, at
    merchant.save(update_fields=["status", "banned_at", "updated_at"])
    event = audit(
        actor=actor,
        action="merchant_ban",
        obj=merchant,
        merchant=merchant,
        note=reason,
        data={
            "active_strikes": active_strike_count(merchant, at),
            "listings_removed": len(listings),
            **data,
        },
    )
    merchant_banned.send(sender=Merchant, merchant=merchant, ban=event)
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
        context={
            "merchant_name": merchant.name,
            "reason": reason,
            "listings_removed": len(listings),
            "automated": data.get("requested_by_system", False) or actor.is_system,
            "second_approval": bool(data.get("hold")),
            "contest_until": (at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS)).date().isoformat(),
        },
    )


def _listings_the_ban_removed(merchant: Merchant) -> int:
    last = (
        AuditEvent.objects.filter(action="merchant_ban", merchant_id=merchant.pk)
        .order_by("-created_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    return int((last or {}).get("listings_removed") or 0)


def merchant_lift_ban(*, merchant: Merchant, actor: Actor, note: str = "") -> Merchant:
    """Lift a ban. Lifting a heavy ban (one that removed many listings) is held for a second reviewer, as the
    ban was."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers may lift a ban."))
    at = timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status == Merchant.Status.BAN_PENDING:
            raise Conflict(
                _("The ban is held for a second reviewer and not in force; decline it instead."),
                code="ban_held",
            )
        if merchant.status != Merchant.Status.BANNED:
            raise Conflict(_("The merchant is not banned."), code="not_banned")
        if merchant.ban_holds.filter(status=BanHold.Status.PENDING).exists():
            raise Conflict(_("Lifting this ban is already held for a second reviewer."), code="lift_held")
        note = _bounded(note, "reason", _("Give the reason for lifting the ban."))
        removed = _listings_the_ban_removed(merchant)
        if removed >= settings.BAN_SECOND_APPROVAL_LISTINGS:
            why = _("the ban removed %(count)s listings (a second reviewer confirms from %(threshold)s)") % {
                "count": removed,
                "threshold": settings.BAN_SECOND_APPROVAL_LISTINGS,
            }
            _hold(
                merchant=merchant,
                actor=actor,
                action=BanHold.Action.LIFT,
                reason=note,
                why=why,
                at=at,
                claim=None,
                active=removed,
            )
            return merchant
        _lift_now(merchant=merchant, actor=actor, note=note, data={})
    return merchant


def _lift_now(*, merchant: Merchant, actor: Actor, note: str, data: dict) -> None:
    merchant.status, merchant.banned_at = Merchant.Status.ACTIVE, None
    merchant.save(update_fields=["status", "banned_at", "updated_at"])
    audit(actor=actor, action="merchant_lift_ban", obj=merchant, merchant=merchant, note=note, data=data)


def ban_hold_decide(
    *, merchant: Merchant, actor: Actor, action: str, confirm: bool, note: str = ""
) -> Merchant:
    """The second reviewer confirms or declines a held ban (or lifting of one). The reviewer who asked for it
    cannot be the second; a ban the strike threshold asked for may be confirmed by any reviewer."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers confirm or decline a held ban."))
    note = _bounded(note, "note", _("Say why the held decision is declined.") if not confirm else None)
    at = timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        hold = (
            BanHold.objects.select_for_update()
            .filter(merchant=merchant, action=action, status=BanHold.Status.PENDING)
            .first()
        )
        if hold is None:
            message = (
                _("No ban of this merchant is held for a second reviewer.")
                if action == BanHold.Action.BAN
                else _("No lifting of this merchant's ban is held for a second reviewer.")
            )
            raise Conflict(message, code="nothing_held")
        if hold.requested_by_id is not None and hold.requested_by_id == actor.user_id:
            raise Forbidden(
                _("A second reviewer decides: you asked for this decision yourself."), code="same_reviewer"
            )
        hold.status = BanHold.Status.CONFIRMED if confirm else BanHold.Status.DECLINED
        hold.decided_by, hold.decided_at, hold.note = actor.user, at, note
        hold.save(update_fields=["status", "decided_by", "decided_at", "note"])
        data = {
            "hold": hold.pk,
            "requested_by": hold.requested_label,
            "requested_by_system": hold.requested_by_id is None and hold.requested_label == SYSTEM.label,
            "second_reviewer": actor.label,
        }
        verb = "confirmed" if confirm else "declined"
        audit(
            actor=actor,
            action=f"merchant_{'ban' if action == BanHold.Action.BAN else 'lift'}_{verb}",
            obj=merchant,
            merchant=merchant,
            note=note,
            data=data,
        )
        if action == BanHold.Action.BAN:
            merchant.status = hold.previous_status
            if confirm:
                _ban_now(merchant=merchant, actor=actor, reason=hold.reason, at=at, data=data)
            else:
                merchant.save(update_fields=["status", "updated_at"])
        elif confirm:
            _lift_now(merchant=merchant, actor=actor, note=hold.reason or note, data=data)
    return merchant
