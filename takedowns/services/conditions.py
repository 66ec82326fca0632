"""What must hold before a claim is submitted, each unmet condition with its own message.

The `submit` handler refuses with all of them; the filing forms show the ones that do not depend on the
claim itself (right, brand, listing) before anything is filed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, IPRight
from merchants.models import Listing
from takedowns.models import (
    ACTIVE,
    Claim,
)


def _right_problems(right: IPRight, brand_id: int, now) -> list[str]:
    problems = []
    if right.brand_id != brand_id:
        problems.append(_("The IP right does not belong to this brand."))
    if right.status != IPRight.Status.VERIFIED:
        problems.append(
            _("The IP right %(number)s is not verified (it is %(status)s).")
            % {"number": right.registration_number, "status": str(right.get_status_display()).lower()}
        )
    if right.is_expired(timezone.localdate(now)):
        problems.append(
            _("The IP right %(number)s expired on %(date)s.")
            % {"number": right.registration_number, "date": right.valid_until}
        )
    return problems


def _brand_problems(brand: Brand, now) -> list[str]:
    if brand.is_suspended(now):
        return [
            _("The brand's filing is suspended until %(date)s for misuse.")
            % {"date": f"{brand.suspended_until:%Y-%m-%d}"}
        ]
    return []


def open_claims(brand_id: int, listing_ids, exclude_claim_id: int | None = None) -> QuerySet[Claim]:
    """The brand's open claims on these listings: while one is open, the brand files no other on the same
    listing (`submit`'s condition; bulk filing checks its rows against the same set)."""
    return Claim.objects.filter(brand_id=brand_id, listing_id__in=listing_ids, state__in=ACTIVE).exclude(
        pk=exclude_claim_id
    )


def _listing_problems(brand: Brand, listing_id: int, exclude_claim_id: int | None = None) -> list[str]:
    other = open_claims(brand.pk, [listing_id], exclude_claim_id).first()
    if other is not None:
        return [
            _("The brand already has an open claim on this listing (%(reference)s).")
            % {"reference": other.reference}
        ]
    return []


def _brand_listing_problems(
    brand: Brand, listing_id: int, now, exclude_claim_id: int | None = None
) -> list[str]:
    return _brand_problems(brand, now) + _listing_problems(brand, listing_id, exclude_claim_id)


def filing_problems_by_field(*, brand: Brand, ip_right: IPRight, listing: Listing, now=None) -> dict:
    """`filing_problems`, keyed by the filing form's field each one concerns (`None`: the brand's own), so a
    form marks the field to change."""
    now = now or timezone.now()
    return {
        "ip_right": _right_problems(ip_right, brand.pk, now),
        "listing_url": _listing_problems(brand, listing.pk),
        None: _brand_problems(brand, now),
    }


def filing_problems(*, brand: Brand, ip_right: IPRight, listing: Listing, now=None) -> list[str]:
    """The conditions of `submit` that do not depend on the claim itself (right, brand, listing), so a
    form can show them beside its own field errors before anything is filed."""
    by_field = filing_problems_by_field(brand=brand, ip_right=ip_right, listing=listing, now=now)
    return by_field["ip_right"] + by_field[None] + by_field["listing_url"]


def declaration_problems(*, good_faith, accurate, signature) -> list[str]:
    """The notice's declarations and signature that are missing (`submit`'s, and bulk filing's up front)."""
    problems = []
    if not good_faith:
        problems.append(_("Declare that you believe in good faith that the use is not authorised."))
    if not accurate:
        problems.append(_("Declare that the notice is accurate and that you are authorised to act."))
    if not str(signature or "").strip():
        problems.append(_("Sign the claim with your full name."))
    return problems


def submit_problems(claim: Claim, now=None) -> list[str]:
    """Every unmet condition of `submit` (docs/contract.md §4), each with its own message."""
    now = now or timezone.now()
    problems = _right_problems(claim.ip_right, claim.brand_id, now)
    if not claim.evidence.exists():
        problems.append(_("Attach at least one piece of evidence."))
    problems += declaration_problems(
        good_faith=claim.good_faith, accurate=claim.accurate, signature=claim.signature
    )
    return problems + _brand_listing_problems(claim.brand, claim.listing_id, now, exclude_claim_id=claim.pk)
