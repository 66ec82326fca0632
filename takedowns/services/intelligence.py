"""Repeat-infringer intelligence that reaches claims: a merchant recorded with its identifiers, ban evasion
escalating the merchant's claims, and a listing's photos (docs/intelligence.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from core.audit import audit
from core.roles import Actor
from merchants.models import Merchant
from merchants.services.marketplace import merchant_upsert
from merchants.services.networks import merchant_identifiers_record
from takedowns.models import REVIEWABLE, Claim, Priority


def merchant_record(*, actor: Actor, data: dict) -> tuple[Merchant, bool]:
    """Create or update a merchant as the marketplace sends it, with its identifiers when sent: one
    transaction, so a bad identifier leaves the merchant as it was. A merchant that now links to a banned one
    is flagged, and its claims waiting for review move to the front of the queue."""
    identifiers = data.get("identifiers")
    with transaction.atomic():
        merchant, created = merchant_upsert(data=data)
        if identifiers is not None:
            result = merchant_identifiers_record(merchant=merchant, identifiers=identifiers)
            for flag in result.flagged:
                escalated = claims_escalate(merchant_id=flag.merchant_id)
                audit(
                    actor=actor,
                    action="merchant_ban_evasion",
                    obj=Merchant(pk=flag.merchant_id),
                    merchant=flag.merchant_id,
                    note="Linked to a banned merchant through shared identifiers.",
                    data={"evasion_of": flag.evasion_of, "kinds": flag.kinds, "claims_escalated": escalated},
                )
        merchant.refresh_from_db()
    return merchant, created


def claims_escalate(*, merchant_id: int) -> int:
    """The merchant's claims that wait for a reviewer, at high priority (`claims_prioritise`)."""
    return claims_prioritise(Claim.objects.filter(listing__merchant_id=merchant_id, state__in=REVIEWABLE))


def claims_prioritise(claims: QuerySet[Claim]) -> int:
    """Put claims at high priority, due no later than the high-priority SLA from now (an earlier due time
    is kept): what a ban-evasion flag and a counterfeit test purchase do. Returns how many."""
    now = timezone.now()
    due = now + timedelta(hours=settings.SLA_HOURS_HIGH)
    return claims.update(
        priority=Priority.HIGH,
        due_at=Least(Coalesce("due_at", Value(due)), Value(due)),
        updated_at=now,
    )
