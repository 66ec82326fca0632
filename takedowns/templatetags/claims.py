"""Display helpers for claims: SLA badges, labels for transitions and audited actions, and the words for a
decision's facts (`takedowns.decisions`), rendered in the reader's language."""

from __future__ import annotations

import re
from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import Merchant, identifier_label
from takedowns.models import TRANSITIONS, InfringementType, RejectReason

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
    "merchant_ban_evasion": gettext_lazy("Flagged for ban evasion"),
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
    "merchant_ban_held": gettext_lazy("Ban held for a second reviewer"),
    "merchant_ban_confirmed": gettext_lazy("Held ban confirmed by a second reviewer"),
    "merchant_ban_declined": gettext_lazy("Held ban declined by a second reviewer"),
    "merchant_lift_held": gettext_lazy("Lifting of the ban held for a second reviewer"),
    "merchant_lift_confirmed": gettext_lazy("Lifting of the ban confirmed by a second reviewer"),
    "merchant_lift_declined": gettext_lazy("Lifting of the ban declined by a second reviewer"),
    "counter_notice_evidence": gettext_lazy("Document attached to a counter-notice"),
    "misuse_flagged": gettext_lazy("Flagged for misuse"),
    "misuse_warned": gettext_lazy("Warned for misuse"),
    "report_export": gettext_lazy("Report exported"),
    "test_purchase_attach": gettext_lazy("Test purchase attached to a claim"),
    "test_purchase_create": gettext_lazy("Test purchase recorded"),
    "trusted_flagger_set": gettext_lazy("Trusted-flagger status changed"),
}


@register.filter
def action_label(name: str) -> str:
    """An audit action or a claim transition as people say it; an unknown code is shown as it is."""
    return str(ACTION_LABELS.get(name) or TRANSITION_LABELS.get(name) or name)


@register.filter
def with_mark(title: str, mark: str):
    """The listing's title with the claimed mark highlighted (`<mark>`), wherever and however it is
    written (case-insensitive); everything else escaped."""
    if not mark:
        return escape(title)
    pattern = re.compile(re.escape(mark), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(title):
        parts.append(escape(title[last : found.start()]))
        parts.append(format_html("<mark>{}</mark>", found.group(0)))
        last = found.end()
    parts.append(escape(title[last:]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308  # every part escaped above


@register.filter
def identifier_kind(kind: str) -> str:
    """A kind of merchant identifier as people say it (the value itself is never kept)."""
    return identifier_label(kind)


@register.filter
def merchant_status_label(status: str) -> str:
    return str(Merchant.Status(status).label) if status in Merchant.Status.values else status


# --- a decision explained (the facts come from `takedowns.decisions`) ------------------------------------
DECISION_TEXT = {
    "rejected": gettext_lazy("The claim was rejected; the listing stays online."),
    "appealed": gettext_lazy(
        "The claim was rejected and the brand appealed; a reviewer other than the one who rejected it decides."
    ),
    "appeal_denied": gettext_lazy("The appeal was denied: the rejection is final."),
    "appeal_granted": gettext_lazy("The appeal was granted: the claim is approved and the listing removed."),
    "approved": gettext_lazy("The claim was approved; the listing is being removed."),
    "taken_down": gettext_lazy("The listing was removed."),
    "counter_noticed": gettext_lazy(
        "The listing was removed; a counter-notice against the removal is pending."
    ),
    "upheld": gettext_lazy("The counter-notice was rejected: the removal stands."),
    "reinstated": gettext_lazy("The listing was reinstated."),
    "retracted": gettext_lazy("The rights holder withdrew its claim; the listing was reinstated."),
}
GROUND_TEXT = {
    "restore_deadline": gettext_lazy(
        "a counter-notice was filed and the rights holder showed no court action within the deadline"
    ),
    "counter_notice_accepted": gettext_lazy("a reviewer accepted the counter-notice"),
    "retracted": gettext_lazy("the rights holder said its claim was a mistake"),
}


@register.filter
def decision_text(facts: dict) -> str:
    return str(DECISION_TEXT.get(facts.get("decision", ""), facts.get("decision", "")))


@register.filter
def decision_ground(facts: dict) -> str:
    """The ground in words, with its code where it has one (a reject reason or an infringement type)."""
    code, kind = facts.get("ground", ""), facts.get("ground_kind", "")
    if kind == "reason" and code in RejectReason.values:
        return f"{RejectReason(code).label} ({code})"
    if kind == "infringement" and code in InfringementType.values:
        return _("%(type)s: the listing infringes the right shown") % {"type": InfringementType(code).label}
    return str(GROUND_TEXT.get(code, code))


@register.filter
def decision_by(facts: dict) -> str:
    if facts.get("automated"):
        return _("Decided automatically, by a rule of the platform, without a person reviewing it first.")
    if facts.get("decision") in ("appeal_granted", "appeal_denied", "appealed"):
        return _("Decided by a person: a reviewer other than the one who rejected the claim.")
    return _("Decided by a person: a reviewer of the platform.")


@register.filter
def decision_contest(facts: dict) -> str:
    """How to contest the decision, and by when."""
    contest, until = facts.get("contest", ""), facts.get("contest_by") or ""
    court = _(
        "You may refer it to a certified out-of-court dispute settlement body (Art. 21 DSA) or to a court."
    )
    if contest == "appeal":
        return _(
            "You may appeal this rejection until %(date)s, free of charge, on the claim's page or through the "
            "API (transition appeal). A reviewer other than the one who rejected it decides."
        ) % {"date": until}
    if contest == "counter_notice":
        return _(
            "If you believe the removal was a mistake, you may file a counter-notice until %(date)s. %(court)s"
        ) % {"date": until, "court": court}
    if contest == "court":
        return _("This decision is final on the platform. %(court)s") % {"court": court}
    if contest == "pending":
        if until:
            return _(
                "Nothing to do now: you will be told the outcome. Unless the rights holder shows a court action, "
                "the listing is restored on %(date)s."
            ) % {"date": until}
        return _("Nothing to do now: you will be told the outcome.")
    return ""
