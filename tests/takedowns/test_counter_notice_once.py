"""One counter-notice per takedown, and a court action the brand showed carries over to the listing's next
claim: neither can be used to restart the reinstatement clock."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import Invalid
from core.roles import actor_for, merchant_link_actor
from takedowns.models import Claim, CounterNotice
from takedowns.services.notices import merchant_link_token
from takedowns.services.transitions import (
    claim_counter_notice,
    claim_reinstate_after_deadline,
    claim_retract,
    claim_uphold,
    counter_notice_legal_action,
)
from tests.lifecycle import claim_in_state


def _counter(claim, actor):
    return claim_counter_notice(
        claim_id=claim.pk,
        actor=actor,
        reason="owner",
        statement="Genuine stock.",
        good_faith=True,
        signature="Sam Seller",
    )


def test_it_refuses_a_second_counter_notice_after_an_uphold_by_link_and_api(world, api, client_for):
    claim = claim_in_state(world, "counter_noticed")
    claim_uphold(claim_id=claim.pk, actor=actor_for(world.reviewer), note="Invoice does not match.")
    with pytest.raises(Invalid) as refused:
        _counter(claim, merchant_link_actor(world.merchant.pk))
    assert refused.value.code == "counter_notice_already_filed"
    body = {"note": "Again.", "reason": "owner", "good_faith": True, "signature": "Sam Seller"}
    answer = api(world.merchant_user).post(
        f"/api/v1/claims/{claim.pk}/transitions/counter_notice/", body, format="json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "counter_notice_already_filed"
    page = client_for().post(
        f"/m/{merchant_link_token(claim)}/",
        {"reason": "owner", "statement": "Again.", "good_faith": "on", "signature": "Sam Seller"},
    )
    assert "already filed" in page.content.decode()
    assert (
        Claim.objects.get(pk=claim.pk).state == "taken_down"
        and CounterNotice.objects.filter(claim=claim).count() == 1
    )


def test_a_court_action_shown_on_an_earlier_claim_carries_over(world):
    first = claim_in_state(world, "counter_noticed")
    counter_notice_legal_action(actor=actor_for(world.owner), claim=first, note="Case 1:26-cv-0042, S.D.N.Y.")
    claim_uphold(claim_id=first.pk, actor=actor_for(world.reviewer), note="The court case is pending.")
    claim_retract(claim_id=first.pk, actor=actor_for(world.owner), note="Filed again with better photos.")
    second = claim_in_state(world, "taken_down", listing=first.listing)
    _counter(second, merchant_link_actor(world.merchant.pk))
    carried = CounterNotice.objects.get(claim=second)
    assert carried.legal_action_at is not None and first.reference in carried.legal_action_note
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        assert claim_reinstate_after_deadline(claim_id=second.pk) is None  # held by the court action
    assert Claim.objects.get(pk=second.pk).state == "counter_noticed"
