"""The audit trail of everything that is not a claim transition (those are ClaimEvents)."""

from __future__ import annotations

from .models import AuditEvent
from .roles import Actor


def audit(*, actor: Actor, action: str, obj, note: str = "", brand=None, merchant=None, claim=None, data=None) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor.user,
        actor_label=actor.label,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        brand=brand,
        merchant=merchant,
        claim=claim,
        note=note,
        data=data or {},
    )
