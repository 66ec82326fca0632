"""Notices in the Lumen database's submission format (lumendatabase.org API, `POST /notices`), for platforms
that share the takedown notices they receive with that research archive.

One Lumen notice per claim submitted in the period. Lumen publishes what it receives, so a notice carries the
organisations (the brand as principal and sender, the marketplace as recipient) and the infringing URL, never
people: no signatures, no user names, no e-mail addresses, and not the brand's free-text description.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings

from core.roles import Actor
from reports.metrics import ReportFilters, report_claims
from takedowns.models import Claim, InfringementType

# Lumen's notice types; counterfeits have their own, other IP claims map to the nearest one.
LUMEN_TYPES = {
    InfringementType.COUNTERFEIT: "Counterfeit",
    InfringementType.TRADEMARK: "Trademark",
    InfringementType.COPYRIGHT: "DMCA",
    InfringementType.DESIGN: "Other",
    InfringementType.PATENT: "Other",
}


def lumen_action_taken(claim: Claim) -> str:
    """Yes: the listing was removed (even if reinstated later); No: it was not (rejected, withdrawn, open)."""
    return "Yes" if claim.taken_down_at else "No"


def lumen_notice(claim: Claim) -> dict:
    right = claim.ip_right
    kind = claim.get_infringement_type_display()
    brand = claim.brand
    organisation = {"name": brand.name, "kind": "organization"}
    if brand.website:
        organisation["url"] = brand.website
    notice = {
        "title": f"{kind} notice to {_platform_name()} ({claim.reference or claim.pk})",
        "type": LUMEN_TYPES.get(claim.infringement_type, "Other"),
        "subject": f"{kind} claim on a marketplace listing",
        "date_sent": claim.submitted_at.date().isoformat() if claim.submitted_at else None,
        "date_received": claim.submitted_at.date().isoformat() if claim.submitted_at else None,
        "source": "Online form",
        "language": "en",
        "action_taken": lumen_action_taken(claim),
        "tag_list": ", ".join(t for t in (claim.infringement_type, "marketplace", right.office.lower()) if t),
        "works_attributes": [
            {
                "kind": right.get_kind_display(),
                "description": f"{right.mark} ({right.get_kind_display().lower()}, {right.office} {right.registration_number})",
                "infringing_urls_attributes": [{"url": claim.listing.url}],
            }
        ],
        "entity_notice_roles_attributes": [
            {"name": "principal", "entity_attributes": organisation},
            {"name": "sender", "entity_attributes": organisation},
            {"name": "recipient", "entity_attributes": {"name": _platform_name(), "kind": "organization"}},
        ],
    }
    if claim.infringement_type in (InfringementType.TRADEMARK, InfringementType.COUNTERFEIT):
        notice["mark_registration_number"] = right.registration_number
    if brand.website:
        notice["works_attributes"][0]["copyrighted_urls_attributes"] = [{"url": brand.website}]
    return notice


def _platform_name() -> str:
    return getattr(settings, "PLATFORM_NAME", "") or "the marketplace"


def lumen_notices(actor: Actor, filters: ReportFilters) -> Iterator[dict]:
    claims = (
        report_claims(actor, filters)
        .filter(filters.period_q("submitted_at"))
        .select_related("brand", "ip_right", "listing")
        .order_by("submitted_at", "pk")
    )
    for claim in claims.iterator(chunk_size=1000):
        yield lumen_notice(claim)
