"""A decision on a claim, explained: what was decided, on which ground, by a person or automatically, and
how to contest it and by when (DSA Art. 17(3) and 20). One account, in codes and dates, for the pages, the
e-mails, the API and the statements of reasons; the words for each code are in the templates
(`takedowns/_decision.html`, `emails/_decision.txt`), so every reader gets them in their own language."""

from __future__ import annotations

from django.utils import timezone

from takedowns.models import Appeal, Claim, ClaimState, CounterNotice, RejectReason

S = ClaimState

# How the one who may contest does it, in the order of the DSA: the platform's own complaint system (Art. 20),
# then out-of-court settlement (Art. 21) and the courts, which are always open.
APPEAL, COUNTER_NOTICE, COURT, PENDING, NONE = "appeal", "counter_notice", "court", "pending", "none"


def _day(value) -> str | None:
    return value.date().isoformat() if value else None


def _until(contest: str, deadline) -> tuple[str, object]:
    """The way to contest and its deadline; once the deadline has passed, only the courts are left."""
    if deadline is not None and deadline < timezone.now():
        return COURT, None
    return contest, deadline


def _counter(claim: Claim) -> CounterNotice | None:
    """The claim's counter-notice (one per takedown), through the prefetch cache when the caller has one."""
    return max(claim.counter_notices.all(), key=lambda c: c.filed_at, default=None)


def _facts(decision: str, ground: str, ground_kind: str, *, automated: bool, contest: str, contest_by=None):
    return {
        "decision": decision,
        "ground": ground,
        "ground_kind": ground_kind,  # "reason" (a reject reason code), "infringement" (a type), "counter_notice"
        "automated": automated,
        "contest": contest,
        "contest_by": _day(contest_by),
    }


def removal_automated(claim: Claim) -> bool:
    """Was the removal decided without a person? Fast track approves a good-faith brand's claim by rule (a
    reviewer audits it afterwards). The statement of reasons says the same (`automated_decision`)."""
    return claim.fast_tracked


def for_brand(claim: Claim) -> dict | None:
    """The decision as the notifier is told it; None before there is one."""
    appeal = claim.appeal_record
    infringement = (claim.infringement_type, "infringement")
    if claim.state == S.REJECTED:
        if appeal is not None and appeal.outcome == Appeal.Outcome.DENIED:
            return _facts("appeal_denied", claim.decision_reason, "reason", automated=False, contest=COURT)
        automated = claim.decision_reason == RejectReason.NO_RESPONSE
        contest, until = _until(APPEAL, claim.appeal_deadline) if appeal is None else (COURT, None)
        return _facts(
            "rejected",
            claim.decision_reason,
            "reason",
            automated=automated,
            contest=contest,
            contest_by=until,
        )
    if claim.state == S.APPEALED:
        reason = appeal.rejected_reason if appeal else claim.decision_reason
        return _facts("appealed", reason, "reason", automated=False, contest=PENDING)
    if claim.state in (S.APPROVED, S.TAKEN_DOWN, S.COUNTER_NOTICED):
        granted = appeal is not None and appeal.outcome == Appeal.Outcome.GRANTED
        decision = "appeal_granted" if granted else ("taken_down" if claim.taken_down_at else "approved")
        return _facts(decision, *infringement, automated=removal_automated(claim), contest=NONE)
    if claim.state == S.REINSTATED:
        return _reinstated(claim, contest=COURT)
    return None


def for_merchant(claim: Claim) -> dict | None:
    """The decision as the seller is told it: about its listing, never about the claimant beyond the brand."""
    counter = _counter(claim)
    infringement = (claim.infringement_type, "infringement")
    if claim.state == S.TAKEN_DOWN:
        if counter is not None and counter.outcome == CounterNotice.Outcome.UPHELD:
            return _facts("upheld", *infringement, automated=False, contest=COURT)
        contest, until = _until(COUNTER_NOTICE, claim.counter_notice_deadline)
        return _facts(
            "taken_down", *infringement, automated=removal_automated(claim), contest=contest, contest_by=until
        )
    if claim.state == S.COUNTER_NOTICED:
        return _facts(
            "counter_noticed",
            *infringement,
            automated=removal_automated(claim),
            contest=PENDING,
            contest_by=counter.restore_due_at if counter else None,
        )
    if claim.state == S.REINSTATED:
        return _reinstated(claim, contest=NONE)
    return None


def _reinstated(claim: Claim, *, contest: str) -> dict:
    if claim.retracted:
        return _facts("retracted", "retracted", "counter_notice", automated=False, contest=NONE)
    counter = _counter(claim)
    by_deadline = counter is not None and counter.decided_by_id is None
    ground = "restore_deadline" if by_deadline else "counter_notice_accepted"
    return _facts("reinstated", ground, "counter_notice", automated=by_deadline, contest=contest)
