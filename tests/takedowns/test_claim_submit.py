import datetime as dt

import pytest
from django.utils import timezone

from brands.models import IPRight
from core.errors import Conflict, Forbidden, Invalid
from takedowns.models import ClaimEvent, Priority
from tests.factories import ClaimFactory, IPRightFactory, with_evidence
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db


def submit_errors(world, claim):
    with pytest.raises(Invalid) as caught:
        step(world, claim, "submit")
    assert caught.value.code == "conditions_unmet"
    return caught.value.extra["errors"]


def test_it_submits_a_complete_claim_and_records_the_event(world):
    claim = claim_in_state(world, "submitted")
    assert claim.submitted_at is not None
    assert claim.due_at - claim.submitted_at == dt.timedelta(hours=72)
    event = ClaimEvent.objects.get(claim=claim, transition="submit")
    assert (event.from_state, event.to_state, event.actor_label) == ("draft", "submitted", "owner")


def test_it_needs_a_verified_right(world):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=right, listing=world.listing))
    assert any("not verified" in e for e in submit_errors(world, claim))


def test_it_needs_an_unexpired_right(world):
    right = IPRightFactory(brand=world.brand, valid_until=timezone.localdate() - dt.timedelta(days=1))
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=right, listing=world.listing))
    assert any("expired" in e for e in submit_errors(world, claim))


def test_it_needs_a_right_of_this_brand(world):
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.other_right, listing=world.listing))
    assert any("does not belong" in e for e in submit_errors(world, claim))


def test_it_needs_evidence(world):
    claim = ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing)
    assert submit_errors(world, claim) == ["Attach at least one piece of evidence."]


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("good_faith", False, "good faith"),
        ("accurate", False, "accurate"),
        ("signature", "  ", "Sign"),
    ],
)
def test_it_needs_each_declaration_and_the_signature(world, field, value, fragment):
    claim = with_evidence(
        ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing, **{field: value})
    )
    errors = submit_errors(world, claim)
    assert len(errors) == 1 and fragment in errors[0]


def test_it_refuses_a_brand_suspended_for_misuse(world):
    world.brand.suspended_until = timezone.now() + dt.timedelta(days=10)
    world.brand.save()
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    assert any("suspended" in e for e in submit_errors(world, claim))


def test_it_refuses_a_second_open_claim_on_the_same_listing(world):
    first = claim_in_state(world, "submitted")
    second = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    errors = submit_errors(world, second)
    assert errors == [f"The brand already has an open claim on this listing ({first.reference})."]


def test_it_lists_every_unmet_condition_at_once(world):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    claim = ClaimFactory(
        brand=world.brand,
        ip_right=right,
        listing=world.listing,
        good_faith=False,
        accurate=False,
        signature="",
    )
    assert len(submit_errors(world, claim)) == 5


def test_it_gives_trusted_flaggers_high_priority_and_a_24h_sla(world):
    world.brand.trusted_flagger = True
    world.brand.save()
    claim = claim_in_state(world, "submitted")
    assert claim.priority == Priority.HIGH
    assert claim.due_at - claim.submitted_at == dt.timedelta(hours=24)


def test_it_refuses_a_viewer_and_an_unverified_agent(world):
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    for user in (world.viewer, world.unverified_agent):
        with pytest.raises(Forbidden):
            step(world, claim, "submit", actor=world.actor(user))


def test_it_lets_a_verified_agent_submit(world):
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    assert step(world, claim, "submit", actor=world.actor(world.agent)).state == "submitted"


def test_it_answers_conflict_when_already_submitted(world):
    claim = claim_in_state(world, "submitted")
    with pytest.raises(Conflict) as caught:
        step(world, claim, "submit")
    assert caught.value.extra["available_transitions"] == ["withdraw"]


def test_it_fast_tracks_good_faith_brands_when_enabled(world, settings, django_capture_on_commit_callbacks):
    settings.FAST_TRACK_ENABLED = True
    world.brand.good_faith = True
    world.brand.save()
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    with django_capture_on_commit_callbacks(execute=True):
        step(world, claim, "submit")
    claim.refresh_from_db()
    # No webhook is configured in unit tests, so enforcement follows at once.
    assert claim.state == "taken_down" and claim.fast_tracked
    assert list(claim.events.values_list("transition", flat=True)) == ["submit", "fast_track", "enforce"]
