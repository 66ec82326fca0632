"""Two reviewers decide the same claim at the same moment: exactly one decision stands (row lock)."""

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from takedowns.models import ClaimEvent
from takedowns.services.transitions import claim_transition
from tests.conftest import require_services
from tests.factories import UserFactory
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.services


def race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 (the outcome is what the test checks)
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.parametrize("round_", range(5))
def test_it_lets_only_one_of_two_concurrent_decisions_win(transactional_db, world, round_):
    require_services(postgres=True)
    second_reviewer = UserFactory(username=f"reviewer-b{round_}", groups=["reviewer"])
    claim = claim_in_state(world, "in_review")
    first, second = world.actor(world.reviewer), world.actor(second_reviewer)
    outcomes = race(
        [
            lambda: claim_transition(claim_id=claim.pk, name="approve", actor=first),
            lambda: claim_transition(claim_id=claim.pk, name="reject", actor=second, reason="not_infringing"),
        ]
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    [error] = [value for kind, value in outcomes if kind == "error"]
    assert isinstance(error, Conflict)
    decisions = ClaimEvent.objects.filter(claim=claim, transition__in=["approve", "reject"])
    assert decisions.count() == 1
    claim.refresh_from_db()
    # An approval is enforced at once when it commits (no webhook configured here).
    expected = {"approved": {"approved", "taken_down"}, "rejected": {"rejected"}}[decisions.get().to_state]
    assert claim.state in expected


def test_it_lets_only_one_of_many_concurrent_submissions_of_the_same_claim(transactional_db, world):
    require_services(postgres=True)
    claim = claim_in_state(world, "draft")
    owner = world.actor(world.owner)
    outcomes = race(
        [lambda: claim_transition(claim_id=claim.pk, name="submit", actor=owner) for _ in range(4)]
    )
    assert [kind for kind, _ in outcomes].count("ok") == 1
    assert ClaimEvent.objects.filter(claim=claim, transition="submit").count() == 1


@pytest.mark.parametrize("round_", range(5))
def test_it_never_reinstates_a_claim_whose_legal_action_it_accepted(transactional_db, world, round_):
    """The deadline's automatic reinstatement and the brand's proof of legal action race: whichever wins, the
    brand is never told its legal action was recorded while the listing is restored anyway."""
    import datetime as dt

    from django.utils import timezone

    from core.roles import SYSTEM
    from takedowns.models import CounterNotice
    from takedowns.services.transitions import counter_notice_legal_action

    require_services(postgres=True)
    claim = claim_in_state(world, "counter_noticed")
    CounterNotice.objects.filter(claim=claim).update(restore_due_at=timezone.now() - dt.timedelta(minutes=1))
    owner = world.actor(world.owner)
    outcomes = race(
        [
            lambda: claim_transition(claim_id=claim.pk, name="reinstate", actor=SYSTEM, note="deadline"),
            lambda: counter_notice_legal_action(actor=owner, claim=claim, note="Case 1:26-cv-1 filed"),
        ]
    )
    claim.refresh_from_db()
    reinstated, recorded = outcomes[0][0] == "ok", outcomes[1][0] == "ok"
    assert reinstated != recorded, outcomes
    assert claim.state == ("reinstated" if reinstated else "counter_noticed")
