"""What a single click in the portal does when it is more than one service call. No rules of their own:
each step is a call to `takedowns.services` (or DRF's token model), so the API and the portal agree."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from brands.models import Brand, IPRight

from .audit import audit
from .errors import DomainError, Invalid
from .models import Claim, ClaimState
from .roles import Actor
from .services import claim_create, claim_transition, evidence_add, listing_find

DECISIONS = ("approve", "reject", "request_info")


def claim_file(*, actor: Actor, brand: Brand, ip_right: IPRight, listing_url: str, fields: dict, files: list,
               evidence_kind: str) -> Claim:
    """Create, attach evidence and submit as one unit: if any step fails nothing is filed, and the error
    lists every unmet condition, so the brand fixes them all at once."""
    listing = listing_find(listing_url=listing_url)
    with transaction.atomic():
        claim = claim_create(actor=actor, brand=brand, ip_right=ip_right, listing=listing, **fields)
        for upload in files:
            evidence_add(actor=actor, claim=claim, file=upload, kind=evidence_kind)
        return claim_transition(claim_id=claim.pk, name="submit", actor=actor)


def claim_decide(*, actor: Actor, claim_id: int, name: str, note: str = "", reason: str = "") -> Claim:
    """A decision taken straight from the queue: a submitted claim is first assigned to the reviewer
    (`start_review`), then decided, in one transaction so nobody sees it half done."""
    if name not in DECISIONS:
        raise Invalid(f"Unknown decision {name!r}.")
    with transaction.atomic():
        state = Claim.objects.filter(pk=claim_id).values_list("state", flat=True).first()
        if state == ClaimState.SUBMITTED:
            claim_transition(claim_id=claim_id, name="start_review", actor=actor)
        return claim_transition(claim_id=claim_id, name=name, actor=actor, note=note, reason=reason)


def claims_decide(*, actor: Actor, claim_ids: list[int], name: str, note: str = "", reason: str = "") -> dict:
    """Bulk decisions: each claim on its own, so one that moved on does not stop the others."""
    done, errors = [], []
    for claim_id in claim_ids:
        try:
            done.append(claim_decide(actor=actor, claim_id=claim_id, name=name, note=note, reason=reason))
        except DomainError as exc:
            reference = Claim.objects.filter(pk=claim_id).values_list("reference", flat=True).first()
            errors.append({"claim": reference or claim_id, "detail": exc.detail})
    return {"done": done, "errors": errors}


def api_token_regenerate(*, actor: Actor) -> Token:
    """A new API token; the old one stops working at once. Audited: a leaked token is a security event."""
    with transaction.atomic():
        Token.objects.filter(user=actor.user).delete()
        token = Token.objects.create(user=actor.user)
        audit(actor=actor, action="api_token_regenerated", obj=actor.user)
    return token
