"""Deadlines (docs/contract.md, "Deadlines"), run by Celery beat and `manage.py run_deadlines`. Each step is idempotent."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from brands.services import ip_rights_expire
from core.outbox import notice_email
from takedowns.models import REVIEWABLE, Claim, ClaimState, CounterNotice
from takedowns.services.transitions import claim_expire, claim_reinstate_after_deadline

S = ClaimState


def expire_info_requests(now=None) -> int:
    now = now or timezone.now()
    ids = Claim.objects.filter(state=S.INFO_REQUESTED, info_due_at__lte=now).values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if claim_expire(claim_id=pk))


def reinstate_after_deadline(now=None) -> int:
    """10 business days after a counter-notice, unless the brand showed it went to court."""
    now = now or timezone.now()
    ids = CounterNotice.objects.filter(
        outcome=CounterNotice.Outcome.PENDING,
        restore_due_at__lte=now,
        legal_action_at__isnull=True,
        claim__state=S.COUNTER_NOTICED,
    ).values_list("claim_id", flat=True)
    return sum(1 for pk in list(ids) if claim_reinstate_after_deadline(claim_id=pk))


def sla_reminders(now=None) -> int:
    """One reminder per overdue claim to its assignee (or the reviewers' address), keyed by due time."""
    now = now or timezone.now()
    sent = 0
    overdue = (
        Claim.objects.filter(state__in=REVIEWABLE, due_at__lt=now)
        .exclude(state=S.INFO_REQUESTED)
        .select_related("assignee", "brand")
    )
    fallback = getattr(settings, "REVIEWERS_EMAIL", "")
    for claim in overdue[:500]:
        to = (claim.assignee.email if claim.assignee_id else "") or fallback
        if notice_email(
            kind="sla_reminder",
            to=to,
            claim_id=claim.pk,
            key=f"{claim.reference}:sla:{claim.due_at:%Y%m%d%H%M}",
            context={
                "reference": claim.reference,
                "brand": claim.brand.name,
                "due_at": claim.due_at.isoformat(),
            },
        ):
            sent += 1
    return sent


def run_all(now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "info_requests_expired": expire_info_requests(now),
        "reinstated": reinstate_after_deadline(now),
        "ip_rights_expired": ip_rights_expire(today=timezone.localdate(now)),
        "sla_reminders": sla_reminders(now),
    }
