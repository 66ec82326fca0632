"""Display helpers for claims: SLA badges, and labels for transitions and audited actions."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import Merchant
from takedowns.models import TRANSITIONS

register = template.Library()


@register.filter
def sla(claim, now=None) -> str:
    """`overdue`, `soon` (within 6 hours) or `ok`: the colour of the SLA badge."""
    if not claim.due_at:
        return "none"
    now = now or timezone.now()
    if claim.due_at < now:
        return "overdue"
    if claim.due_at < now + timedelta(hours=6):
        return "soon"
    return "ok"


@register.filter
def sla_label(claim, now=None) -> str:
    """`overdue 3 d` or `due in 5 h`: short enough for a queue row."""
    if not claim.due_at:
        return ""
    now = now or timezone.now()
    delta = claim.due_at - now
    span = _short(abs(delta))
    return (
        _("overdue %(span)s") % {"span": span}
        if delta.total_seconds() < 0
        else _("due in %(span)s") % {"span": span}
    )


def _short(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)s h") % {"n": minutes // 60}
    return _("%(n)s d") % {"n": minutes // (60 * 24)}


# What each transition did, as a timeline says it: declared beside the transition on the model.
TRANSITION_LABELS = {"create": gettext_lazy("Created")} | {
    name: t.custom["done"] for name, t in TRANSITIONS.items()
}


@register.filter
def transition_label(name: str) -> str:
    return str(TRANSITION_LABELS.get(name, name))


ACTION_LABELS = {
    "agent_verified": gettext_lazy("Agent's authorisation verified"),
    "api_token_regenerated": gettext_lazy("API token regenerated"),
    "brand_create": gettext_lazy("Brand registered"),
    "brand_update": gettext_lazy("Brand details changed"),
    "brand_suspended": gettext_lazy("Filing suspended"),
    "good_faith_admitted": gettext_lazy("Admitted to the good-faith programme"),
    "good_faith_removed": gettext_lazy("Removed from the good-faith programme"),
    "ip_right_create": gettext_lazy("IP right registered"),
    "ip_right_verified": gettext_lazy("IP right verified"),
    "ip_right_rejected": gettext_lazy("IP right rejected"),
    "ip_right_expired": gettext_lazy("IP right expired"),
    "legal_action": gettext_lazy("Legal action reported"),
    "membership_add": gettext_lazy("Member added"),
    "membership_remove": gettext_lazy("Member removed"),
    "merchant_ban": gettext_lazy("Merchant banned"),
    "merchant_lift_ban": gettext_lazy("Ban lifted"),
    "misuse_flagged": gettext_lazy("Flagged for misuse"),
    "misuse_warned": gettext_lazy("Warned for misuse"),
    "report_export": gettext_lazy("Report exported"),
    "trusted_flagger_set": gettext_lazy("Trusted-flagger status changed"),
}


@register.filter
def action_label(name: str) -> str:
    """An audit action or a claim transition as people say it; an unknown code is shown as it is."""
    return str(ACTION_LABELS.get(name) or TRANSITION_LABELS.get(name) or name)


@register.filter
def merchant_status_label(status: str) -> str:
    return str(Merchant.Status(status).label) if status in Merchant.Status.values else status
