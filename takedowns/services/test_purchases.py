"""Test purchases: an order a brand (or its agent) placed with a seller, recorded with photos of what arrived
and the brand's inspection verdict, and attached to claims as evidence (docs/intelligence.md)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand
from core.api import MAX_ROW_ID
from core.audit import audit
from core.errors import Conflict, Forbidden, Invalid
from core.files import IMAGE_TYPES
from core.fingerprints import fingerprint_fields, perceptual_hash
from core.roles import Actor
from core.uploads import checked_upload
from merchants.models import Listing
from takedowns.models import REVIEWABLE, Claim, TestPurchase, TestPurchasePhoto, brand_filer
from takedowns.services.filing import evidence_open, require_filing_brand
from takedowns.services.intelligence import claims_prioritise

PHOTOS_MAX = 20
ORDER_REF_MAX = 100
NOTES_MAX = 5000
# The amount column holds 12 digits, two of them decimals: anything larger would fail in the database.
AMOUNT_LIMIT = Decimal("10000000000")
CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def _refused(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code, extra={"fields": {field: [message]}})


def _amount(value) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _refused(
            "amount", _("Give the amount paid as a number, such as 49.90."), "invalid_amount"
        ) from None
    if not amount.is_finite():
        raise _refused("amount", _("Give the amount paid as a number, such as 49.90."), "invalid_amount")
    if amount < 0:
        raise _refused("amount", _("The amount paid cannot be negative."), "invalid_amount")
    if amount >= AMOUNT_LIMIT or amount != amount.quantize(Decimal("0.01")):
        raise _refused(
            "amount",
            _("The amount paid must be below 10,000,000,000, with at most two decimals."),
            "invalid_amount",
        )
    return amount


def _checks(*, order_ref: str, ordered_on, currency: str, verdict: str, notes: str) -> str:
    """The record's own conditions, each refused with the field it concerns. Returns the currency as stored."""
    if not order_ref:
        raise _refused("order_ref", _("Give the order reference."), "order_ref_required")
    if len(order_ref) > ORDER_REF_MAX:
        raise _refused(
            "order_ref",
            _("The order reference has at most %(count)s characters.") % {"count": ORDER_REF_MAX},
            "order_ref_too_long",
        )
    if not isinstance(ordered_on, dt.date):
        raise _refused("ordered_on", _("Give the order date as YYYY-MM-DD."), "invalid_date")
    if ordered_on > timezone.localdate():
        raise _refused("ordered_on", _("The order date cannot be in the future."), "invalid_date")
    if not CURRENCY_CODE.fullmatch(currency or ""):
        raise _refused(
            "currency", _("Give the currency as a three-letter code, such as EUR."), "invalid_currency"
        )
    if verdict not in TestPurchase.Verdict.values:
        raise _refused(
            "verdict",
            _("Unknown verdict; use one of %(verdicts)s.")
            % {"verdicts": ", ".join(TestPurchase.Verdict.values)},
            "invalid_verdict",
        )
    if len(notes) > NOTES_MAX:
        raise _refused(
            "notes", _("Notes have at most %(count)s characters.") % {"count": NOTES_MAX}, "notes_too_long"
        )
    return currency.upper()


def _duplicate(order_ref: str) -> Conflict:
    message = _("This brand already recorded a test purchase with the order reference %(ref)s.") % {
        "ref": order_ref
    }
    return Conflict(message, code="duplicate_order_ref", extra={"fields": {"order_ref": [message]}})


def test_purchase_create(
    *,
    actor: Actor,
    brand: Brand,
    listing: Listing,
    order_ref: str,
    ordered_on: dt.date,
    amount,
    currency: str,
    verdict: str,
    photos: list,
    notes: str = "",
) -> TestPurchase:
    """Record an order and its inspection, with at least one photo (images only, checked, stored and hashed as
    evidence photos are). Made by the brand's owners and verified agents, as claims are filed."""
    require_filing_brand(actor, brand)
    order_ref, notes = (order_ref or "").strip(), (notes or "").strip()
    currency = _checks(
        order_ref=order_ref,
        ordered_on=ordered_on,
        currency=(currency or "").strip(),
        verdict=verdict,
        notes=notes,
    )
    amount = _amount(amount)
    photos = [photo for photo in photos or [] if photo]
    if not photos:
        raise _refused("photos", _("Attach at least one photo of what arrived."), "photos_required")
    if len(photos) > PHOTOS_MAX:
        raise _refused(
            "photos", _("Attach at most %(count)s photos.") % {"count": PHOTOS_MAX}, "too_many_files"
        )
    stored = []
    for photo in photos:
        checked = checked_upload(
            photo, allowed=IMAGE_TYPES, accepted=_("images (JPEG, PNG, GIF, WebP)"), field="photos"
        )
        stored.append({**checked, **fingerprint_fields(perceptual_hash(photo))})
    with transaction.atomic():
        if TestPurchase.objects.filter(brand=brand, order_ref=order_ref).exists():
            raise _duplicate(order_ref)
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin loses on the unique constraint
                purchase = TestPurchase.objects.create(
                    brand=brand,
                    listing=listing,
                    merchant_id=listing.merchant_id,
                    order_ref=order_ref,
                    ordered_on=ordered_on,
                    amount=amount,
                    currency=currency,
                    verdict=verdict,
                    notes=notes,
                    created_by=actor.user,
                )
        except IntegrityError:
            raise _duplicate(order_ref) from None
        for columns in stored:
            TestPurchasePhoto.objects.create(purchase=purchase, **columns)
        audit(
            actor=actor,
            action="test_purchase_create",
            obj=purchase,
            brand=brand,
            merchant=listing.merchant_id,
            data={"order_ref": order_ref, "verdict": verdict, "photos": len(stored)},
        )
    return purchase


def test_purchase_attach(*, actor: Actor, claim: Claim, purchase_id: int | None) -> TestPurchase:
    """Attach one of the brand's test purchases from the claim's seller to the claim, while evidence may be
    added. A counterfeit verdict on a claim waiting for a reviewer puts it at high priority, due no later
    than the high-priority SLA from now (`takedowns.selectors.priority_reasons` says why). Attaching a
    purchase twice changes nothing."""
    if not brand_filer(claim, actor):
        raise Forbidden(_("Only the brand's owners and authorised agents may attach test purchases."))
    purchase = (
        TestPurchase.objects.filter(pk=purchase_id, brand_id=claim.brand_id).first()
        if isinstance(purchase_id, int) and 0 < purchase_id <= MAX_ROW_ID
        else None
    )
    if purchase is None:
        raise _refused(
            "test_purchase", _("This brand has no test purchase with that id."), "test_purchase_not_found"
        )
    if purchase.merchant_id != claim.listing.merchant_id:
        raise _refused(
            "test_purchase",
            _("The test purchase was made from another seller than the one of this claim's listing."),
            "other_seller",
        )
    with transaction.atomic():
        # The transitions' row lock: a decision taken meanwhile is seen here, and the priority set below is
        # not overwritten by a transition that read the claim before.
        current = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        if not evidence_open(current):
            raise Conflict(
                _("A test purchase cannot be attached to a claim that is “%(state)s”.")
                % {"state": current.get_state_display()},
                code="invalid_state",
            )
        if purchase.claims.filter(pk=current.pk).exists():
            return purchase
        purchase.claims.add(current)
        escalated = purchase.verdict == TestPurchase.Verdict.COUNTERFEIT and current.state in REVIEWABLE
        if escalated:
            claims_prioritise(Claim.objects.filter(pk=current.pk))
        audit(
            actor=actor,
            action="test_purchase_attach",
            obj=purchase,
            brand=current.brand_id,
            merchant=purchase.merchant_id,
            claim=current,
            data={"verdict": purchase.verdict, "escalated": escalated},
        )
    return purchase
