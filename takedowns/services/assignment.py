"""Who works on which open claim: assigning claims to a reviewer, and taking the next unassigned one.

An assignment is not a step of the claim's state graph, so it is written to the audit trail (`core.audit`,
action `claim_assign`, joined to the claim and its brand) rather than to the claim's events. Taking the next
unassigned claim starts its review when it was only submitted: that is a transition, and the engine records
it as every other.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.roles import REVIEWER, Actor
from takedowns.models import REVIEWABLE, TRANSITIONS, Claim, ClaimState, second_reviewer
from takedowns.selectors import queue_for_reviewer
from takedowns.services.transitions import claim_start_review

S = ClaimState
# What "next unassigned" may hand out: claims a reviewer can act on now (a claim waiting for the brand's
# answer is not one; the queue's default view leaves it out for the same reason).
TAKEABLE = (S.SUBMITTED, S.IN_REVIEW, S.APPEALED)


def reviewers_assignable() -> QuerySet:
    """The accounts a claim may be given to: active, and deciding claims (the reviewer group, or a superuser,
    as `core.roles.actor_for` reads them)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=REVIEWER) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


def _assignee(assignee_id: int | None):
    if assignee_id is None:
        return None
    assignee = reviewers_assignable().filter(pk=assignee_id).first()
    if assignee is None:
        raise Invalid(_("Claims can only be assigned to an active reviewer."), code="not_a_reviewer")
    return assignee


def _assign_locked(claim: Claim, assignee, actor: Actor) -> None:
    """Give the locked, open claim to `assignee` (None: back to the queue) and say so in the audit trail."""
    if claim.state not in REVIEWABLE:
        raise Conflict(
            _("“%(action)s” is not possible while the claim is “%(state)s”.")
            % {"action": _("Assign"), "state": ClaimState(claim.state).label},
            code="invalid_transition",
        )
    if assignee is not None and not second_reviewer(claim, Actor(user=assignee, label="", reviewer=True)):
        # The appeal's own rule (`second_reviewer`): the reviewer who rejected the claim does not decide it.
        raise Invalid(str(TRANSITIONS["appeal_grant"].custom["refused"]), code="own_rejection")
    previous = claim.assignee
    if getattr(previous, "pk", None) == getattr(assignee, "pk", None):
        return
    claim.assignee = assignee
    claim.save(update_fields=["assignee", "updated_at"])
    audit(
        actor=actor,
        action="claim_assign",
        obj=claim,
        claim=claim,
        brand=claim.brand_id,
        note=f"{previous or '—'} → {assignee or '—'}",
        data={"from": getattr(previous, "pk", None), "to": getattr(assignee, "pk", None)},
    )


def claim_assign(*, actor: Actor, claim_id: int, assignee_id: int | None) -> Claim:
    """Give one open claim to a reviewer (or, with None, back to the queue). Reviewers only."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers assign claims."), code="permission_denied")
    assignee = _assignee(assignee_id)
    with transaction.atomic():
        # The same row lock as a decision's: an assignment and a decision on one claim do not interleave.
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("assignee")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None:
            raise NotFound(_("No such claim."))
        _assign_locked(claim, assignee, actor)
    return claim


def claims_assign(*, actor: Actor, claim_ids: list[int], assignee_id: int | None) -> dict:
    """The queue's bulk bar: each claim on its own, so one that was decided meanwhile does not stop the rest.
    Every refusal comes back with its message, as `claims_decide` does."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers assign claims."), code="permission_denied")
    _assignee(assignee_id)  # refused once for the batch, before any claim is tried
    done, errors = [], []
    for claim_id in claim_ids:
        try:
            done.append(claim_assign(actor=actor, claim_id=claim_id, assignee_id=assignee_id))
        except DomainError as exc:
            reference = Claim.objects.filter(pk=claim_id).values_list("reference", flat=True).first()
            errors.append({"id": claim_id, "claim": reference or claim_id, "detail": exc.detail})
    return {"done": done, "errors": errors}


def claim_take_next_unassigned(*, actor: Actor) -> Claim | None:
    """The first unassigned claim in the queue's order (priority, then due time) becomes the actor's; a
    submitted one has its review started. None when no claim is waiting.

    Two reviewers pressing "next" at the same moment never get the same claim: the candidate row is locked
    with SKIP LOCKED, so the second reviewer passes over it to the next one instead of waiting; a claim that
    another reviewer took and committed meanwhile no longer matches `assignee IS NULL` when PostgreSQL
    re-checks the locked row."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers assign claims."), code="permission_denied")
    with transaction.atomic():
        claim_id = (
            queue_for_reviewer(actor, include_stuck=False)
            .filter(state__in=TAKEABLE, assignee__isnull=True)
            # An appeal goes to a reviewer other than the one who rejected (`second_reviewer`).
            .exclude(state=S.APPEALED, decided_by=actor.user)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
            .first()
        )
        if claim_id is None:
            return None
        claim = Claim.objects.select_related("assignee").get(pk=claim_id)
        if claim.state == S.SUBMITTED:
            return claim_start_review(claim_id=claim_id, actor=actor)
        _assign_locked(claim, actor.user, actor)
    return claim
