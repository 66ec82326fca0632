"""Small display helpers for the portal templates: no rules, only how things look."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import Merchant

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


TRANSITION_LABELS = {
    "create": gettext_lazy("Created"),
    "submit": gettext_lazy("Submitted"),
    "start_review": gettext_lazy("Review started"),
    "request_info": gettext_lazy("Information requested"),
    "provide_info": gettext_lazy("Information provided"),
    "expire": gettext_lazy("Expired without an answer"),
    "approve": gettext_lazy("Approved"),
    "fast_track": gettext_lazy("Fast-tracked"),
    "reject": gettext_lazy("Rejected"),
    "withdraw": gettext_lazy("Withdrawn"),
    "enforce": gettext_lazy("Taken down"),
    "counter_notice": gettext_lazy("Counter-notice filed"),
    "uphold": gettext_lazy("Takedown upheld"),
    "reinstate": gettext_lazy("Reinstated"),
    "retract": gettext_lazy("Retracted"),
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


ROLE_LABELS = {
    "reviewer": gettext_lazy("reviewer"),
    "compliance": gettext_lazy("compliance officer"),
    "platform": gettext_lazy("marketplace service account"),
    "brand": gettext_lazy("brand"),
    "merchant": gettext_lazy("merchant"),
    "none": gettext_lazy("no role yet"),
    "system": gettext_lazy("system"),
}


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@register.filter
def merchant_status_label(status: str) -> str:
    return str(Merchant.Status(status).label) if status in Merchant.Status.values else status


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@register.filter
def hours(value) -> str:
    return "—" if value is None else f"{value:.1f} h"


@register.filter
def filesize(value) -> str:
    value = float(value or 0)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The query string that sorts by `key`, or by `-key` when it is already sorted by `key`."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context, key: str) -> str:
    current = context["request"].GET.get("sort", "")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"
