"""Every change of a claim's state goes through here: the portal, the API, the admin and the workers.

The engine (`claim_transition`): lock the claim row, check who may take the transition (403), whether the
state allows it (409, with the transitions that are available) and its conditions (400, each unmet one
listed), change the state, save, write the ClaimEvent and the outbox rows, all in one transaction; tasks
are sent when it commits. The graph and who may take each edge are declared once, on `Claim`; each edge
has a handler here for its conditions and effects, and a typed function (`claim_approve(...)`) to call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.audit import audit
from core.calendar import add_business_days
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.models import Notice
from core.roles import SYSTEM, Actor
from takedowns.models import (
    TRANSITIONS,
    Appeal,
    Claim,
    ClaimEvent,
    ClaimState,
    CounterNotice,
    CounterReason,
    Priority,
    RejectReason,
    never_appealed,
)
from takedowns.selectors import priority_reasons
from takedowns.services.conditions import submit_problems
from takedowns.services.enforcement import enforce_effects, remove_or_enforce, restore_effects
from takedowns.services.notices import notify_brand, notify_merchant

S = ClaimState


@dataclass
class Step:
    """One transition in progress, handed to its handler."""

    claim: Claim
    actor: Actor
    note: str
    reason: str
    data: dict
    now: datetime = field(default_factory=timezone.now)


def transition_allowed(claim: Claim, actor: Actor, name: str) -> bool:
    """May this actor's role ever take `name` on this claim (the model's declared permission)?"""
    return bool(TRANSITIONS[name].permission(claim, actor))


def available_transitions(claim: Claim, actor: Actor) -> list[str]:
    """The transitions this actor may take from the claim's current state, less those the model's declared
    conditions rule out for good (a second appeal). Conditions of the moment (a note, a window) are not
    checked: taking the transition answers 400 with each one that is unmet."""
    return [
        name
        for name in TRANSITIONS
        if transition_allowed(claim, actor, name) and can_proceed(getattr(claim, name))
    ]


# --- the handlers: conditions (400) and effects of each edge, inside the engine's transaction ------------
def _sla_due(claim: Claim, now):
    hours = settings.SLA_HOURS_HIGH if claim.priority == Priority.HIGH else settings.SLA_HOURS_NORMAL
    return now + timedelta(hours=hours)


def _submit(step: Step) -> None:
    claim = step.claim
    problems = submit_problems(claim, step.now)
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    priority = Priority.HIGH if priority_reasons(claim) else Priority.NORMAL
    claim.priority = priority
    claim.submit(at=step.now, priority=priority, due_at=_sla_due(claim, step.now))
    notify_brand(step.claim, "claim_received", "received")


def _start_review(step: Step) -> None:
    step.claim.start_review(reviewer=step.actor.user)


def _request_info(step: Step) -> None:
    if not step.note.strip():
        raise Invalid(_("Say what information the brand must provide."), code="note_required")
    step.claim.request_info(
        message=step.note.strip(), due_at=step.now + timedelta(days=settings.INFO_REQUEST_DAYS)
    )
    count = step.claim.events.filter(transition="request_info").count()
    notify_brand(step.claim, "info_requested", f"info{count}")


def _provide_info(step: Step) -> None:
    claim = step.claim
    asked_at = (
        claim.events.filter(transition="request_info")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    new_evidence = claim.evidence.filter(created_at__gte=asked_at).exists() if asked_at else False
    if not step.note.strip() and not new_evidence:
        raise Invalid(_("Answer the request with a note, new evidence, or both."), code="note_required")
    claim.provide_info()
    claim.due_at = _sla_due(claim, step.now)


def _expire(step: Step) -> None:
    if step.claim.info_due_at and step.claim.info_due_at > step.now:
        raise Invalid(_("The information request is not yet overdue."), code="not_due")
    step.claim.expire(at=step.now)
    step.reason = RejectReason.NO_RESPONSE
    notify_brand(step.claim, "decision", "decision")


def _approve(step: Step) -> None:
    step.claim.approve(at=step.now, reviewer=step.actor.user, note=step.note)
    notify_brand(step.claim, "decision", "decision")
    remove_or_enforce(step.claim)


def _fast_track(step: Step) -> None:
    if not (step.claim.brand.good_faith and settings.FAST_TRACK_ENABLED):
        raise Invalid(
            _("Fast track is only for good-faith brands, and only when enabled."), code="not_eligible"
        )
    step.claim.fast_track(at=step.now)
    notify_brand(step.claim, "decision", "decision")
    remove_or_enforce(step.claim)


def _reject(step: Step) -> None:
    reasons = [r for r in RejectReason.values if r != RejectReason.NO_RESPONSE]
    if step.reason not in reasons:
        raise Invalid(
            _("Give a reason code: one of %(reasons)s.") % {"reasons": ", ".join(reasons)},
            code="reason_required",
        )
    if step.reason == RejectReason.OTHER and not step.note.strip():
        raise Invalid(_("Explain the reason 'other' in the note."), code="note_required")
    step.claim.reject(at=step.now, reviewer=step.actor.user, reason=step.reason, note=step.note)
    notify_brand(step.claim, "decision", "decision")


def _withdraw(step: Step) -> None:
    step.claim.withdraw()


def _enforce(step: Step) -> None:
    step.claim.enforce(at=step.now)
    enforce_effects(step.claim, step.now)


def _legal_action_on_record(claim: Claim) -> CounterNotice | None:
    """The brand's court action about this listing, shown on an earlier claim: it carries over, so a new
    counter-notice does not lead to an automatic reinstatement the court case already stands against."""
    return (
        CounterNotice.objects.filter(
            claim__brand_id=claim.brand_id, claim__listing_id=claim.listing_id, legal_action_at__isnull=False
        )
        .select_related("claim")
        .order_by("-legal_action_at")
        .first()
    )


def _counter_notice(step: Step) -> None:
    claim, data = step.claim, step.data
    if claim.counter_notices.exists():
        # One complaint per takedown: after an uphold the decision stands, and a second counter-notice
        # would only restart the reinstatement clock.
        raise Invalid(
            _("A counter-notice was already filed against this takedown and decided."),
            code="counter_notice_already_filed",
        )
    problems = []
    window_ends = claim.counter_notice_deadline
    if step.now > window_ends:
        problems.append(
            _("The window for a counter-notice closed on %(date)s.") % {"date": f"{window_ends:%Y-%m-%d}"}
        )
    if step.reason not in CounterReason.values:
        problems.append(
            _("Give a reason: one of %(reasons)s.") % {"reasons": ", ".join(CounterReason.values)}
        )
    if not step.note.strip():
        problems.append(_("Explain in the statement why the removal was a mistake."))
    if not data.get("good_faith"):
        problems.append(_("Declare in good faith, under penalty of perjury, that the removal was a mistake."))
    if not str(data.get("signature") or "").strip():
        problems.append(_("Sign the counter-notice with your full name."))
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    claim.counter_notice()
    restore_due_at = add_business_days(step.now, settings.RESTORE_BUSINESS_DAYS)
    court = _legal_action_on_record(claim)
    counter = CounterNotice.objects.create(
        claim=claim,
        reason=step.reason,
        statement=step.note.strip(),
        good_faith=True,
        signature=str(data["signature"]).strip(),
        filed_by=step.actor.user,
        via_link=step.actor.user is None,
        filed_at=step.now,
        restore_due_at=restore_due_at,
        legal_action_at=court.legal_action_at if court else None,
        legal_action_note=(f"{court.legal_action_note} (shown on {court.claim.reference})" if court else ""),
    )
    count = claim.counter_notices.count()
    notify_brand(
        step.claim,
        "counter_notice_copy",
        f"counter{count}",
        {
            "counter_reason": counter.reason,
            "counter_statement": counter.statement,
            "restore_due_at": restore_due_at.date().isoformat(),
        },
    )


def _uphold(step: Step) -> None:
    if not step.note.strip() and step.reason.strip():
        step.note = step.reason.strip()  # the contract asks for a reason; a client may send it as `reason`
    if not step.note.strip():
        raise Invalid(_("Say why the counter-notice is rejected."), code="note_required")
    step.claim.uphold()
    counter = step.claim.pending_counter_notice
    if counter:
        counter.outcome, counter.decided_at, counter.decided_by = (
            CounterNotice.Outcome.UPHELD,
            step.now,
            step.actor.user,
        )
        counter.save(update_fields=["outcome", "decided_at", "decided_by"])
    notify_merchant(
        step.claim,
        "counter_notice_decision",
        f"uphold{counter.pk if counter else 0}",
        {"outcome": "upheld", "note": step.note},
    )


def _reinstate(step: Step) -> None:
    counter = step.claim.pending_counter_notice
    if step.actor.is_system:
        # A counter-notice without a restoration date is never due: the system reinstates only on a date.
        if counter is None or counter.restore_due_at is None or counter.restore_due_at > step.now:
            raise Invalid(_("The restoration deadline has not passed."), code="not_due")
        if counter.legal_action_at:
            raise Invalid(_("The brand has shown that it filed a legal action."), code="legal_action")
    step.claim.reinstate(at=step.now)
    if counter:
        counter.outcome, counter.decided_at, counter.decided_by = (
            CounterNotice.Outcome.REINSTATED,
            step.now,
            step.actor.user,
        )
        counter.save(update_fields=["outcome", "decided_at", "decided_by"])
    restore_effects(step.claim, reason="reinstated after counter-notice")


def _retract(step: Step) -> None:
    step.claim.retract(at=step.now)
    restore_effects(step.claim, reason="retracted by the brand")


def _appeal(step: Step) -> None:
    claim = step.claim
    if not never_appealed(claim):
        raise Conflict(
            _("This claim was already appealed; the decision on the appeal is final."),
            code="appeal_already_filed",
            extra={"state": claim.state, "available_transitions": available_transitions(claim, step.actor)},
        )
    problems = []
    window_ends = claim.appeal_deadline
    if window_ends and step.now > window_ends:
        problems.append(
            _("The window for an appeal closed on %(date)s.") % {"date": f"{window_ends:%Y-%m-%d}"}
        )
    if not step.note.strip():
        problems.append(_("Explain in the note why the rejection was wrong."))
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    claim.appeal(due_at=step.now + timedelta(hours=settings.SLA_HOURS_NORMAL))
    Appeal.objects.create(
        claim=claim,
        statement=step.note.strip(),
        filed_by=step.actor.user,
        filed_at=step.now,
        rejected_at=claim.decided_at,
        rejected_by=claim.decided_by,
        rejected_reason=claim.decision_reason,
    )
    notify_brand(claim, "appeal_received", "appeal")


def _decide_appeal(step: Step, outcome: str) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(claim_id=step.claim.pk)
    appeal.outcome, appeal.decided_at, appeal.decided_by = outcome, step.now, step.actor.user
    appeal.reason, appeal.note = step.reason, step.note.strip()
    appeal.save(update_fields=["outcome", "decided_at", "decided_by", "reason", "note"])
    return appeal


def _appeal_grant(step: Step) -> None:
    step.claim.appeal_grant(at=step.now, reviewer=step.actor.user, note=step.note.strip())
    _decide_appeal(step, Appeal.Outcome.GRANTED)
    notify_brand(step.claim, "appeal_decision", "appeal-decision", {"outcome": "granted"})
    remove_or_enforce(step.claim)


def _appeal_deny(step: Step) -> None:
    reasons = [r for r in RejectReason.values if r != RejectReason.NO_RESPONSE]
    problems = []
    if step.reason not in reasons:
        problems.append(_("Give a reason code: one of %(reasons)s.") % {"reasons": ", ".join(reasons)})
    if not step.note.strip():
        problems.append(_("Explain to the brand why the appeal is denied."))
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    step.claim.appeal_deny(reason=step.reason, note=step.note.strip())
    _decide_appeal(step, Appeal.Outcome.DENIED)
    notify_brand(step.claim, "appeal_decision", "appeal-decision", {"outcome": "denied"})


HANDLERS: dict[str, Callable[[Step], None]] = {
    "submit": _submit,
    "start_review": _start_review,
    "request_info": _request_info,
    "provide_info": _provide_info,
    "expire": _expire,
    "approve": _approve,
    "fast_track": _fast_track,
    "reject": _reject,
    "withdraw": _withdraw,
    "enforce": _enforce,
    "counter_notice": _counter_notice,
    "uphold": _uphold,
    "reinstate": _reinstate,
    "retract": _retract,
    "appeal": _appeal,
    "appeal_grant": _appeal_grant,
    "appeal_deny": _appeal_deny,
}
# Every edge declared on the model has a handler, and no handler lacks an edge.
assert set(HANDLERS) == set(TRANSITIONS), set(HANDLERS) ^ set(TRANSITIONS)


# --- the engine ---------------------------------------------------------------------------------------------
# The same bounds for every door (the API's serializer, the portal's forms, the admin).
NOTE_MAX_CHARS, REASON_MAX_CHARS = 10_000, 50


def claim_transition(
    *, claim_id: int, name: str, actor: Actor, note: str = "", reason: str = "", data: dict | None = None
) -> Claim:
    """Take the transition `name` (the API's `transitions/{name}/`); the typed functions below call this."""
    if name not in HANDLERS:
        raise NotFound(_("No transition called %(name)s.") % {"name": repr(name)}, code="unknown_transition")
    if len(note or "") > NOTE_MAX_CHARS or len(reason or "") > REASON_MAX_CHARS:
        raise Invalid(
            _("Keep the note under %(n)s characters and the reason under %(r)s.")
            % {"n": NOTE_MAX_CHARS, "r": REASON_MAX_CHARS},
            code="too_long",
        )
    try:
        claim = _claim_transition_locked(
            claim_id=claim_id, name=name, actor=actor, note=note, reason=reason, data=data
        )
    except IntegrityError as exc:  # two submissions raced past the duplicate check; the constraint caught it
        raise Conflict(
            _("The brand already has an open claim on this listing."), code="duplicate_claim"
        ) from exc
    if name == "submit" and claim.brand.good_faith and settings.FAST_TRACK_ENABLED:
        claim = claim_transition(
            claim_id=claim.pk, name="fast_track", actor=SYSTEM, note="good-faith programme"
        )
    return claim


def _claim_transition_locked(*, claim_id, name, actor, note, reason, data) -> Claim:
    with transaction.atomic():
        # Lock the claim row: a second decision on the same claim waits here, then finds the new state.
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("brand", "ip_right", "listing__merchant", "created_by")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None:
            raise NotFound(_("No such claim."))
        # Said with the words the pages use (the step's label, the state's name), in the reader's language.
        action = TRANSITIONS[name].custom.get("label") or name.replace("_", " ")
        if not transition_allowed(claim, actor, name):
            refused = TRANSITIONS[name].custom.get("refused") if actor.reviewer else None
            raise Forbidden(
                str(
                    refused
                    or _("Your role may not take the step “%(action)s” on this claim.") % {"action": action}
                ),
                code="transition_forbidden",
            )
        if not can_proceed(getattr(claim, name), check_conditions=False):
            raise Conflict(
                _("“%(action)s” is not possible while the claim is “%(state)s”.")
                % {"state": ClaimState(claim.state).label, "action": action},
                code="invalid_transition",
                extra={"state": claim.state, "available_transitions": available_transitions(claim, actor)},
            )
        step = Step(claim=claim, actor=actor, note=note or "", reason=reason or "", data=data or {})
        from_state = claim.state
        HANDLERS[name](step)
        claim.save()
        ClaimEvent.objects.create(
            claim=claim,
            transition=name,
            from_state=from_state,
            to_state=claim.state,
            actor=actor.user,
            actor_label=actor.label,
            note=step.note,
            reason=step.reason,
            created_at=step.now,
        )
    return claim


def _quietly(take: Callable[..., Claim], **kwargs) -> Claim | None:
    """For workers and deadlines: a claim that has moved on (409) or is not yet due (400) is left alone."""
    try:
        return take(**kwargs)
    except (Conflict, Invalid):
        return None


def claim_transition_safely(*, claim_id: int, name: str, actor: Actor = SYSTEM, **kwargs) -> Claim | None:
    """`claim_transition` for workers and deadlines: None when the claim moved on or is not yet due."""
    return _quietly(claim_transition, claim_id=claim_id, name=name, actor=actor, **kwargs)


# --- one typed function per edge: what the portal, the API, the admin and the workers call ---------------
def claim_submit(*, claim_id: int, actor: Actor) -> Claim:
    return claim_transition(claim_id=claim_id, name="submit", actor=actor)


def claim_start_review(*, claim_id: int, actor: Actor) -> Claim:
    return claim_transition(claim_id=claim_id, name="start_review", actor=actor)


def claim_request_info(*, claim_id: int, actor: Actor, note: str) -> Claim:
    return claim_transition(claim_id=claim_id, name="request_info", actor=actor, note=note)


def claim_provide_info(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="provide_info", actor=actor, note=note)


def claim_expire(*, claim_id: int) -> Claim | None:
    return claim_transition_safely(claim_id=claim_id, name="expire", note="no answer in time")


def claim_approve(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="approve", actor=actor, note=note)


def claim_fast_track(*, claim_id: int) -> Claim:
    return claim_transition(claim_id=claim_id, name="fast_track", actor=SYSTEM, note="good-faith programme")


def claim_reject(*, claim_id: int, actor: Actor, reason: str, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="reject", actor=actor, reason=reason, note=note)


def claim_withdraw(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="withdraw", actor=actor, note=note)


def claim_enforce(*, claim_id: int) -> Claim | None:
    """approved → taken_down once the marketplace confirmed the removal (or no webhook is configured).

    Safe to run twice and from several workers: the transition locks the claim and a second run finds it
    taken down already.
    """
    claim = Claim.objects.filter(pk=claim_id, state=S.APPROVED).first()
    if claim is None:
        return None
    removal = Notice.objects.filter(
        claim_id=claim.pk, channel=Notice.Channel.WEBHOOK, kind="listing.remove"
    ).first()
    if removal is not None and removal.status != Notice.Status.SENT:
        return None  # still being delivered; the outbox will call us again
    return _quietly(claim_transition, claim_id=claim_id, name="enforce", actor=SYSTEM, note="listing removed")


def claim_counter_notice(
    *, claim_id: int, actor: Actor, reason: str, statement: str, good_faith: bool, signature: str
) -> Claim:
    return claim_transition(
        claim_id=claim_id,
        name="counter_notice",
        actor=actor,
        note=statement,
        reason=reason,
        data={"good_faith": good_faith, "signature": signature},
    )


def claim_uphold(*, claim_id: int, actor: Actor, note: str) -> Claim:
    return claim_transition(claim_id=claim_id, name="uphold", actor=actor, note=note)


def claim_reinstate(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="reinstate", actor=actor, note=note)


def claim_reinstate_after_deadline(*, claim_id: int) -> Claim | None:
    return claim_transition_safely(
        claim_id=claim_id, name="reinstate", note="restoration deadline passed without legal action"
    )


def claim_retract(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="retract", actor=actor, note=note)


def claim_appeal(*, claim_id: int, actor: Actor, note: str) -> Claim:
    return claim_transition(claim_id=claim_id, name="appeal", actor=actor, note=note)


def claim_appeal_grant(*, claim_id: int, actor: Actor, note: str = "") -> Claim:
    return claim_transition(claim_id=claim_id, name="appeal_grant", actor=actor, note=note)


def claim_appeal_deny(*, claim_id: int, actor: Actor, reason: str, note: str) -> Claim:
    return claim_transition(claim_id=claim_id, name="appeal_deny", actor=actor, reason=reason, note=note)


def counter_notice_legal_action(*, actor: Actor, claim: Claim, note: str) -> CounterNotice:
    """The brand shows it filed a court action: automatic reinstatement is held (DMCA §512(g)(2)(C))."""
    if claim.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may answer a counter-notice."))
    if not note.strip():
        raise Invalid(_("Describe the legal action (court, case number, date filed)."), code="note_required")
    with transaction.atomic():
        # The transitions' row lock: the deadline's automatic reinstatement either sees this legal action or
        # has already reinstated (then 409), never both.
        state = Claim.objects.select_for_update().filter(pk=claim.pk).values_list("state", flat=True).first()
        counter = Claim.objects.get(pk=claim.pk).pending_counter_notice
        if state != S.COUNTER_NOTICED or counter is None:
            raise Conflict(_("There is no pending counter-notice on this claim."), code="invalid_state")
        counter.legal_action_at = timezone.now()
        counter.legal_action_note = note.strip()
        counter.save(update_fields=["legal_action_at", "legal_action_note"])
        audit(
            actor=actor, action="legal_action", obj=counter, claim=claim, brand=claim.brand, note=note.strip()
        )
    return counter


def claims_decide(*, actor: Actor, claim_ids: list[int], name: str, note: str = "", reason: str = "") -> dict:
    """The queue's bulk bar: the same transition on each claim, each on its own, so that one which moved on
    (or was never in review) does not stop the others. Every refusal comes back with its message."""
    done, errors = [], []
    for claim_id in claim_ids:
        try:
            done.append(claim_transition(claim_id=claim_id, name=name, actor=actor, note=note, reason=reason))
        except DomainError as exc:
            reference = Claim.objects.filter(pk=claim_id).values_list("reference", flat=True).first()
            errors.append({"id": claim_id, "claim": reference or claim_id, "detail": exc.detail})
    return {"done": done, "errors": errors}
