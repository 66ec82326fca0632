"""The e-mails a claim causes, to its brand and to the listing's merchant, and the merchant's signed link.

What each recipient may be told comes from the audience selector (`takedowns.selectors.claim_shown_to`),
the same rule the API and the pages follow.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.outbox import notice_email
from takedowns import decisions
from takedowns.models import Claim, ClaimBatch, ClaimState
from takedowns.selectors import Audience, claim_shown_to


def _brand_recipients(claim: Claim) -> list[str]:
    emails = {claim.brand.contact_email} if claim.brand.contact_email else set()
    creator = claim.created_by  # no query when the claim has no creator: a null key reads as None
    if creator is not None and creator.email:
        emails.add(creator.email)
    return sorted(emails)


def claim_context(claim: Claim, audience: Audience) -> dict:
    """What an e-mail to `audience` may say about a claim. Nothing of the claimant beyond the brand's name
    and e-mail ever; a merchant is not shown the reviewer's notes or questions to the brand."""
    facts = {
        "reference": claim.reference,
        "state": claim.state,
        "brand": claim.brand.name,
        "brand_email": claim.brand.contact_email,
        "listing_title": claim.listing.title,
        "listing_url": claim.listing.url,
        "listing_ref": claim.listing.platform_ref,
        "ip_right": str(claim.ip_right),
        "ip_right_kind": claim.ip_right.kind,
        "infringement_type": claim.infringement_type,
        "reason": claim.decision_reason,
        "decision_note": claim.decision_note,
        "info_request": claim.info_request,
        "info_due_at": claim.info_due_at.isoformat() if claim.info_due_at else "",
    }
    shown = claim_shown_to(audience, facts)
    shown["note"] = shown.pop("decision_note", "")
    return shown


def notify_brand(claim: Claim, kind: str, key: str, extra: dict | None = None) -> None:
    if kind == "claim_received" and claim.batch_id:
        return  # a bulk filing is acknowledged once, by its digest (`notify_batch_filed`)
    context = {
        **claim_context(claim, Audience.BRAND),
        "decision": decisions.for_brand(claim),
        **(extra or {}),
    }
    for address in _brand_recipients(claim):
        notice_email(
            kind=kind,
            to=address,
            context=context,
            key=f"{claim.reference}:{key}",
            claim_id=claim.pk,
            language=claim.brand.language,
        )


def merchant_link_token(claim: Claim) -> str:
    return signing.dumps({"claim": claim.pk, "merchant": claim.listing.merchant_id}, salt="merchant-claim")


def merchant_link_read(token: str) -> tuple[int, int]:
    """(claim id, merchant id) from a signed link; NotFound when forged or older than the window."""
    try:
        value = signing.loads(
            token, salt="merchant-claim", max_age=timedelta(days=settings.MERCHANT_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise NotFound(_("This link has expired."), code="link_expired") from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This link is not valid."), code="link_invalid") from exc
    return value["claim"], value["merchant"]


def notify_merchant(claim: Claim, kind: str, key: str, extra: dict | None = None) -> None:
    merchant = claim.listing.merchant
    link = f"{settings.SITE_URL}/m/{merchant_link_token(claim)}/"
    window_ends = claim.counter_notice_deadline
    context = {
        **claim_context(claim, Audience.MERCHANT),
        "merchant_name": merchant.name,
        "link": link,
        "counter_notice_until": window_ends.date().isoformat() if window_ends else "",
        "decision": decisions.for_merchant(claim),
        **(extra or {}),
    }
    notice_email(
        kind=kind,
        to=merchant.email,
        context=context,
        key=f"{claim.reference}:{key}",
        claim_id=claim.pk,
        merchant_id=merchant.pk,
        language=merchant.language,
    )


DIGEST_REFERENCES = 50  # the e-mail names this many claims; the batch page lists them all


def notify_batch_filed(batch: ClaimBatch) -> None:
    """One e-mail per bulk filing, to the filer (or the brand's contact when the filer has no address): how
    many claims were filed, how many rows need attention, and where to fix them. Said in the brand's
    language; sent once whatever calls it again (the key is the batch's)."""
    filed = list(
        batch.claims.exclude(state__in=(ClaimState.DRAFT, ClaimState.WITHDRAWN))
        .order_by("pk")
        .values_list("reference", flat=True)
    )
    creator = batch.created_by
    address = (creator.email if creator is not None else "") or batch.brand.contact_email
    notice_email(
        kind="batch_digest",
        to=address,
        context={
            "batch": batch.pk,
            "brand": batch.brand.name,
            "filed": len(filed),
            "references": filed[:DIGEST_REFERENCES],
            "more": max(len(filed) - DIGEST_REFERENCES, 0),
            "attention": sum(1 for error in batch.errors if not error.get("discarded")),
            "link": f"{settings.SITE_URL}/batches/{batch.pk}/",
        },
        key=f"batch{batch.pk}:digest",
        language=batch.brand.language,
    )
