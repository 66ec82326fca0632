"""The audit trail of everything that is not a claim transition (those are ClaimEvents)."""

from __future__ import annotations

from core.models import AuditEvent
from core.roles import Actor


def _id(obj) -> int | None:
    return getattr(obj, "pk", obj)


def audit(
    *, actor: Actor, action: str, obj, note: str = "", brand=None, merchant=None, claim=None, data=None
) -> AuditEvent:
    """Record `action` on `obj`; `brand`, `merchant` and `claim` (rows or ids) say whose history it joins."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor.user,
        actor_label=actor.label,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        brand_id=_id(brand),
        merchant_id=_id(merchant),
        claim_id=_id(claim),
        note=note,
        data=data or {},
    )
