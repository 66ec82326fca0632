"""Writes for merchants and listings: create-or-update by `platform_ref`, as the marketplace sends them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.roles import Actor
from merchants.models import Listing, Merchant


def may_write_marketplace_data(actor: Actor) -> bool:
    """Merchants and listings are the marketplace's data: only its service account and reviewers write them."""
    return actor.platform or actor.reviewer


def _require(data: dict, *names: str) -> None:
    missing = [n for n in names if not str(data.get(n) or "").strip()]
    if missing:
        raise Invalid(
            _("Required: %(fields)s.") % {"fields": ", ".join(missing)},
            code="required",
            extra={"fields": {n: [_("This field is required.")] for n in missing}},
        )


def merchant_upsert(*, data: dict) -> tuple[Merchant, bool]:
    """Create or update a merchant by `platform_ref`. Returns (merchant, created)."""
    _require(data, "platform_ref", "name")
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(
                _("Enter a valid e-mail address."),
                code="invalid",
                extra={"fields": {"email": [_("Enter a valid e-mail address.")]}},
            ) from exc
    country = str(data.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise Invalid(
            _("country must be a two-letter ISO code."),
            extra={"fields": {"country": [_("Use a two-letter ISO 3166-1 code.")]}},
        )
    defaults = {"name": str(data["name"]).strip()[:200], "email": email, "country": country}
    if data.get("language"):
        if data["language"] not in dict(settings.LANGUAGES):
            raise Invalid(
                _("Unknown language."),
                extra={
                    "fields": {
                        "language": [
                            _("Use one of %(languages)s.")
                            % {"languages": ", ".join(dict(settings.LANGUAGES))}
                        ]
                    }
                },
            )
        defaults["language"] = data["language"]
    merchant, created = Merchant.objects.update_or_create(
        platform_ref=str(data["platform_ref"]).strip(), defaults=defaults
    )
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
        raise Invalid(
            _("No merchant with that merchant_ref; create the merchant first."),
            code="merchant_not_found",
            extra={"fields": {"merchant_ref": [_("Unknown merchant.")]}},
        )
    price = data.get("price")
    if price in (None, ""):
        price = None
    else:
        try:
            price = Decimal(str(price))
        except InvalidOperation as exc:
            raise Invalid(
                _("price must be a number."), extra={"fields": {"price": [_("A valid number is required.")]}}
            ) from exc
        if price < 0 or price >= Decimal("1e10"):
            raise Invalid(_("price is out of range."), extra={"fields": {"price": [_("Out of range.")]}})
    currency = str(data.get("currency") or "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise Invalid(
            _("currency must be a three-letter ISO 4217 code."),
            extra={"fields": {"currency": [_("Use a three-letter code.")]}},
        )
    defaults = {
        "merchant": merchant,
        "url": url[:500],
        "title": str(data["title"]).strip()[:300],
        "price": price,
        "currency": currency,
    }
    if merchant.status == Merchant.Status.BANNED:
        # A banned seller has no active listing: what the marketplace pushes for it arrives removed.
        defaults.update(status=Listing.Status.REMOVED, removed_at=timezone.now())
    listing, created = Listing.objects.update_or_create(
        platform_ref=str(data["platform_ref"]).strip(), defaults=defaults
    )
    return listing, created
