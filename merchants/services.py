"""Writes for merchants and listings: upserts from the marketplace, strikes and bans (SPEC §5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from takedowns.errors import Conflict, Invalid
from takedowns.roles import SYSTEM, Actor

from .models import Listing, Merchant, Strike


def _require(data: dict, *names: str) -> None:
    missing = [n for n in names if not str(data.get(n) or "").strip()]
    if missing:
        raise Invalid(_("Required: %(fields)s.") % {"fields": ", ".join(missing)}, code="required", extra={"fields": {n: [_("This field is required.")] for n in missing}})


def merchant_upsert(*, data: dict) -> tuple[Merchant, bool]:
    """Create or update a merchant by `platform_ref`. Returns (merchant, created)."""
    _require(data, "platform_ref", "name")
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(_("Enter a valid e-mail address."), code="invalid", extra={"fields": {"email": [_("Enter a valid e-mail address.")]}}) from exc
    country = str(data.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise Invalid(_("country must be a two-letter ISO code."), extra={"fields": {"country": [_("Use a two-letter ISO 3166-1 code.")]}})
    defaults = {"name": str(data["name"]).strip()[:200], "email": email, "country": country}
    if data.get("language"):
        if data["language"] not in dict(settings.LANGUAGES):
            raise Invalid(_("Unknown language."), extra={"fields": {"language": [_("Use one of %(languages)s.") % {"languages": ", ".join(dict(settings.LANGUAGES))}]}})
        defaults["language"] = data["language"]
    merchant, created = Merchant.objects.update_or_create(platform_ref=str(data["platform_ref"]).strip(), defaults=defaults)
    return merchant, created


def listing_upsert(*, data: dict) -> tuple[Listing, bool]:
    """Create or update a listing by `platform_ref`; its merchant must exist (`merchant_ref`)."""
    _require(data, "platform_ref", "merchant_ref", "url", "title")
    url = str(data["url"]).strip()
    try:
        URLValidator()(url)
    except ValidationError as exc:
        raise Invalid(_("Enter a valid URL."), extra={"fields": {"url": [_("Enter a valid URL.")]}}) from exc
    merchant = Merchant.objects.filter(platform_ref=str(data["merchant_ref"]).strip()).first()
    if merchant is None:
        raise Invalid(_("No merchant with that merchant_ref; create the merchant first."), code="merchant_not_found",
                      extra={"fields": {"merchant_ref": [_("Unknown merchant.")]}})
    price = data.get("price")
    if price in (None, ""):
        price = None
    else:
        try:
            price = Decimal(str(price))
        except InvalidOperation as exc:
            raise Invalid(_("price must be a number."), extra={"fields": {"price": [_("A valid number is required.")]}}) from exc
        if price < 0 or price >= Decimal("1e10"):
            raise Invalid(_("price is out of range."), extra={"fields": {"price": [_("Out of range.")]}})
    currency = str(data.get("currency") or "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise Invalid(_("currency must be a three-letter ISO 4217 code."), extra={"fields": {"currency": [_("Use a three-letter code.")]}})
    listing, created = Listing.objects.update_or_create(
        platform_ref=str(data["platform_ref"]).strip(),
        defaults={"merchant": merchant, "url": url[:500], "title": str(data["title"]).strip()[:300],
                  "price": price, "currency": currency},
    )
    return listing, created


# --- strikes and bans (DMCA §512(i), DSA Art. 23(1)) -----------------------------------------------------
def active_strike_count(merchant: Merchant, now=None) -> int:
    return merchant.strikes.active(now).count()


def strike_issue(*, merchant: Merchant, claim, at=None) -> Strike:
    """A strike per takedown: the first warns, the threshold bans. Safe to call twice for one claim."""
    from takedowns.services import notify_merchant

    at = at or timezone.now()
    strike, created = Strike.objects.get_or_create(
        claim=claim, defaults={"merchant": merchant, "issued_at": at, "expires_at": at + timedelta(days=settings.STRIKE_DAYS)}
    )
    if not created:
        return strike
    count = active_strike_count(merchant, at)
    if count == 1:
        notify_merchant(claim, "strike_warning", "strike", {"active_strikes": count, "strikes_to_ban": settings.STRIKES_TO_BAN})
    if count >= settings.STRIKES_TO_BAN and merchant.status != Merchant.Status.BANNED:
        try:
            merchant_ban(merchant=merchant, actor=SYSTEM, reason=f"{count} active strikes", at=at)
        except Conflict:
            pass  # a concurrent takedown banned it first; this takedown must still go through
    return strike


def strike_revoke(*, claim, reason: str) -> None:
    Strike.objects.filter(claim=claim, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_reason=reason[:200])


def merchant_ban(*, merchant: Merchant, actor: Actor, reason: str, at=None) -> Merchant:
    """Ban, remove every active listing (each with its own webhook), tell the merchant."""
    from takedowns.audit import audit
    from takedowns.errors import Forbidden
    from takedowns.outbox import notice_email, notice_webhook

    if not (actor.reviewer or actor.is_system):
        raise Forbidden(_("Only reviewers ban merchants."))
    at = at or timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.status == Merchant.Status.BANNED:
            raise Conflict(_("The merchant is already banned."), code="already_banned")
        merchant.status, merchant.banned_at = Merchant.Status.BANNED, at
        merchant.save(update_fields=["status", "banned_at", "updated_at"])
        event = audit(actor=actor, action="merchant_ban", obj=merchant, merchant=merchant, note=reason,
                      data={"active_strikes": active_strike_count(merchant, at)})
        # DSA statement of reasons for the Transparency Database (issue 5), delivered through the outbox.
        from takedowns.dsa import statement_queue_for_ban
        statement_queue_for_ban(ban=event)
        listings = list(merchant.listings.filter(status=Listing.Status.ACTIVE).select_related("merchant"))
        Listing.objects.filter(pk__in=[item.pk for item in listings]).update(status=Listing.Status.REMOVED, removed_at=at, updated_at=at)
        # An approved claim's removal is already on its way under the claim's key: one removal per listing.
        from takedowns.models import ClaimState, Notice

        queued = set(Notice.objects.filter(
            channel=Notice.Channel.WEBHOOK, kind="listing.remove", claim__state=ClaimState.APPROVED,
            claim__listing__in=[item.pk for item in listings],
        ).values_list("claim__listing_id", flat=True))
        for listing in listings:
            if listing.pk in queued:
                continue
            notice_webhook(event="listing.remove", listing=listing, claim_reference="", reason="merchant_banned",
                           key=f"ban{event.pk}:{listing.platform_ref}")
        notice_email(kind="merchant_banned", to=merchant.email, merchant=merchant, key=f"ban{event.pk}", language=merchant.language,
                     context={"merchant_name": merchant.name, "reason": reason, "listings_removed": len(listings)})
    return merchant


def merchant_lift_ban(*, merchant: Merchant, actor: Actor, note: str = "") -> Merchant:
    from takedowns.audit import audit
    from takedowns.errors import Forbidden

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
