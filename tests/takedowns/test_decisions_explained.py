"""Every decision explained to both sides (DSA Art. 17(3), Art. 20): what was decided, on which ground, by a
person or automatically, and how to contest it and by when; the same in the API, the pages and the e-mails,
in the reader's language."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.roles import actor_for
from merchants.models import Merchant
from takedowns import decisions
from takedowns.models import Claim
from takedowns.services.notices import merchant_link_token
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db(transaction=True)


def _mail_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_a_rejection_tells_the_brand_the_ground_and_the_appeal_deadline(world, api, client_for):
    claim = claim_in_state(world, "rejected")
    until = (claim.decided_at + dt.timedelta(days=183)).date().isoformat()
    [message] = [m for m in _mail_to(world.brand.contact_email) if "Decision on claim" in m.subject]
    assert "Insufficient evidence (insufficient_evidence)" in message.body
    assert "Decided by a person" in message.body
    assert f"You may appeal this rejection until {until}" in message.body
    assert "file a new claim" not in message.body  # the old advice is gone
    page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert f"You may appeal this rejection until {until}" in page


def test_an_expired_request_is_an_automated_rejection(world):
    claim = claim_in_state(world, "info_requested")
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        step(world, claim, "expire")
    claim.refresh_from_db()
    facts = decisions.for_brand(claim)
    assert facts["automated"] is True and facts["ground"] == "no_response" and facts["contest"] == "appeal"


def test_a_fast_tracked_takedown_tells_the_merchant_it_was_automatic(world, api, settings):
    settings.FAST_TRACK_ENABLED = True
    world.brand.good_faith = True
    world.brand.save()
    claim = claim_in_state(world, "draft")
    step(world, claim, "submit")
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.state == "taken_down" and claim.fast_tracked
    [notice] = [m for m in _mail_to(world.merchant.email) if "was removed" in m.subject]
    assert "Decided automatically" in notice.body
    assert "human reviewer" not in notice.body  # the old notice said so even for automatic approvals
    assert f"counter-notice until {claim.counter_notice_deadline.date().isoformat()}" in notice.body
    detail = api(world.merchant_user).get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["decision"]["automated"] is True and detail["decision"]["contest"] == "counter_notice"
    assert "appeal" not in detail  # the brand's appeal is between the brand and the platform


def test_the_merchant_is_told_in_its_own_language(world, client_for):
    Merchant.objects.filter(pk=world.merchant.pk).update(language="zh-hans")
    claim = claim_in_state(world, "taken_down")
    [notice] = _mail_to(world.merchant.email)[:1]
    assert "决定" in notice.body and "反通知" in notice.body
    page = client_for().get(f"/m/{merchant_link_token(claim)}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200


def test_an_upheld_counter_notice_is_final_on_the_platform(world, api):
    claim = claim_in_state(world, "counter_noticed")
    step(world, claim, "uphold")
    detail = api(world.merchant_user).get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["decision"]["decision"] == "upheld" and detail["decision"]["contest"] == "court"
    decision = [m for m in _mail_to(world.merchant.email) if "counter-notice" in m.body.lower()][-1]
    assert "final on the platform" in decision.body and "out-of-court dispute settlement" in decision.body


def test_a_reinstatement_at_the_deadline_is_automatic(world):
    claim = claim_in_state(world, "counter_noticed")
    counter = claim.counter_notices.get()
    with time_machine.travel(counter.restore_due_at + dt.timedelta(minutes=1)):
        from takedowns.services.transitions import claim_reinstate_after_deadline

        claim_reinstate_after_deadline(claim_id=claim.pk)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.state == "reinstated"
    assert decisions.for_merchant(claim) == {
        "decision": "reinstated",
        "ground": "restore_deadline",
        "ground_kind": "counter_notice",
        "automated": True,
        "contest": "none",
        "contest_by": None,
    }
    assert decisions.for_brand(claim)["contest"] == "court"


def test_a_reviewer_sees_the_brands_side(world, api):
    claim = claim_in_state(world, "rejected")
    detail = api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["decision"]["decision"] == "rejected"
    assert actor_for(world.reviewer).reviewer
