"""Assigning open claims to reviewers, and "next unassigned" (takedowns.services.assignment)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, Invalid
from core.models import AuditEvent
from takedowns.models import Claim, ClaimEvent
from takedowns.services.assignment import (
    claim_assign,
    claim_take_next_unassigned,
    claims_assign,
    reviewers_assignable,
)
from tests.conftest import require_services
from tests.factories import ListingFactory, UserFactory
from tests.lifecycle import claim_in_state
from tests.takedowns.test_claim_concurrency import race


def test_it_gives_an_open_claim_to_another_reviewer_and_writes_the_audit_trail(world):
    claim = claim_in_state(world, "in_review")
    claim_assign(actor=world.actor(world.reviewer), claim_id=claim.pk, assignee_id=world.second_reviewer.pk)
    claim.refresh_from_db()
    assert claim.assignee == world.second_reviewer and claim.state == "in_review"
    event = AuditEvent.objects.get(action="claim_assign")
    assert (event.claim_id, event.brand_id, event.actor) == (claim.pk, world.brand.pk, world.reviewer)
    assert event.data == {"from": world.reviewer.pk, "to": world.second_reviewer.pk}
    assert event.note == "reviewer → reviewer2"


def test_it_puts_a_claim_back_in_the_queue_with_nobody(world):
    claim = claim_in_state(world, "in_review")
    claim_assign(actor=world.actor(world.second_reviewer), claim_id=claim.pk, assignee_id=None)
    assert Claim.objects.get(pk=claim.pk).assignee is None
    assert AuditEvent.objects.get(action="claim_assign").data == {"from": world.reviewer.pk, "to": None}


def test_it_writes_nothing_when_the_claim_already_has_that_reviewer(world):
    claim = claim_in_state(world, "in_review")
    claim_assign(actor=world.actor(world.reviewer), claim_id=claim.pk, assignee_id=world.reviewer.pk)
    assert not AuditEvent.objects.filter(action="claim_assign").exists()


def test_only_active_reviewers_can_be_given_claims(world):
    claim = claim_in_state(world, "submitted")
    gone = UserFactory(username="gone", groups=["reviewer"])
    gone.is_active = False
    gone.save()
    for user in (world.owner, world.compliance, world.platform, gone):
        with pytest.raises(Invalid, match="only be assigned to an active reviewer"):
            claim_assign(actor=world.actor(world.reviewer), claim_id=claim.pk, assignee_id=user.pk)
    assert Claim.objects.get(pk=claim.pk).assignee is None
    assert set(reviewers_assignable()) == {world.reviewer, world.second_reviewer}


def test_only_reviewers_assign(world):
    claim = claim_in_state(world, "submitted")
    for user in (world.owner, world.compliance, world.platform, world.merchant_user):
        with pytest.raises(Forbidden):
            claim_assign(actor=world.actor(user), claim_id=claim.pk, assignee_id=world.reviewer.pk)
        with pytest.raises(Forbidden):
            claim_take_next_unassigned(actor=world.actor(user))
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_a_decided_claim_is_not_assigned(world):
    claim = claim_in_state(world, "rejected")
    with pytest.raises(Conflict, match="while the claim is “Rejected”"):
        claim_assign(
            actor=world.actor(world.reviewer), claim_id=claim.pk, assignee_id=world.second_reviewer.pk
        )


def test_an_appeal_is_not_given_to_the_reviewer_who_rejected(world):
    claim = claim_in_state(world, "appealed")  # rejected by world.reviewer
    with pytest.raises(Invalid, match="other than the one who rejected"):
        claim_assign(
            actor=world.actor(world.second_reviewer), claim_id=claim.pk, assignee_id=world.reviewer.pk
        )
    claim_assign(actor=world.actor(world.reviewer), claim_id=claim.pk, assignee_id=world.second_reviewer.pk)
    assert Claim.objects.get(pk=claim.pk).assignee == world.second_reviewer


def test_the_bulk_assignment_assigns_each_claim_on_its_own(world):
    open_claim = claim_in_state(world, "submitted")
    decided = claim_in_state(world, "rejected", listing=ListingFactory())
    result = claims_assign(
        actor=world.actor(world.reviewer),
        claim_ids=[open_claim.pk, decided.pk],
        assignee_id=world.second_reviewer.pk,
    )
    assert [c.pk for c in result["done"]] == [open_claim.pk]
    assert [e["id"] for e in result["errors"]] == [decided.pk]
    assert Claim.objects.get(pk=open_claim.pk).assignee == world.second_reviewer


def test_next_unassigned_takes_the_first_claim_in_queue_order_and_starts_its_review(world):
    later = claim_in_state(world, "submitted")
    sooner = claim_in_state(world, "submitted", listing=ListingFactory())
    Claim.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(hours=50))
    Claim.objects.filter(pk=sooner.pk).update(due_at=timezone.now() + timedelta(hours=5))
    taken = claim_take_next_unassigned(actor=world.actor(world.second_reviewer))
    assert taken.pk == sooner.pk
    taken.refresh_from_db()
    assert (taken.state, taken.assignee) == ("in_review", world.second_reviewer)
    assert ClaimEvent.objects.filter(
        claim=taken, transition="start_review", actor=world.second_reviewer
    ).exists()
    assert claim_take_next_unassigned(actor=world.actor(world.reviewer)).pk == later.pk
    assert claim_take_next_unassigned(actor=world.actor(world.reviewer)) is None


def test_next_unassigned_passes_over_what_nobody_can_take_now(world):
    claim_in_state(world, "in_review")  # assigned already
    claim_in_state(world, "info_requested", listing=ListingFactory())  # waiting for the brand
    own_rejection = claim_in_state(world, "appealed", listing=ListingFactory())  # rejected by world.reviewer
    assert claim_take_next_unassigned(actor=world.actor(world.reviewer)) is None
    taken = claim_take_next_unassigned(actor=world.actor(world.second_reviewer))
    assert taken.pk == own_rejection.pk and taken.state == "appealed"
    assert Claim.objects.get(pk=own_rejection.pk).assignee == world.second_reviewer
    assert AuditEvent.objects.filter(action="claim_assign", claim_id=own_rejection.pk).count() == 1


@pytest.mark.services
@pytest.mark.parametrize("round_", range(3))
def test_two_reviewers_pressing_next_at_once_never_get_the_same_claim(transactional_db, world, round_):
    require_services(postgres=True)
    claims = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(3)]
    reviewers = [
        world.reviewer,
        world.second_reviewer,
        UserFactory(username=f"r3-{round_}", groups=["reviewer"]),
    ]
    actors = [world.actor(user) for user in reviewers]
    outcomes = race([lambda a=a: claim_take_next_unassigned(actor=a) for a in actors])
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    taken = sorted(claim.pk for _, claim in outcomes)
    assert taken == sorted(c.pk for c in claims)  # each claim to one reviewer, and no reviewer refused
    assert set(Claim.objects.filter(pk__in=taken).values_list("state", flat=True)) == {"in_review"}
    assert ClaimEvent.objects.filter(transition="start_review", claim__in=claims).count() == 3
