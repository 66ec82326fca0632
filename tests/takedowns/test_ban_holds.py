"""A second approval for heavy bans: a ban of a merchant with many active listings, or one that follows from
the strike of a fast-tracked claim, waits for a second reviewer (`ban_pending`, nothing removed); lifting a
heavy ban waits the same way. Through the API and the portal."""

import pytest
from django.core import mail

from core.models import AuditEvent, Notice  # noqa: F401
from merchants.models import Listing, Merchant
from takedowns.models import BanHold
from takedowns.services.bans import strike_issue
from tests.factories import ClaimFactory, ListingFactory, MerchantFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def big(world, settings):
    settings.BAN_SECOND_APPROVAL_LISTINGS = 5
    merchant = MerchantFactory(platform_ref="BIG-1", name="Big Seller", email="big@merchant.example")
    ListingFactory.create_batch(6, merchant=merchant)
    return merchant


def _post(api, user, merchant, path, **body):
    return api(user).post(f"/api/v1/merchants/{merchant.pk}/{path}/", body, format="json")


def _active(merchant):
    return Listing.objects.filter(merchant=merchant, status="active").count()


def test_a_heavy_ban_waits_for_a_second_reviewer_then_removes_everything(world, api, big):
    held = _post(api, world.reviewer, big, "ban", reason="Counterfeit network")
    assert held.status_code == 200, held.content
    body = held.json()
    assert body["status"] == "ban_pending"
    assert (
        body["held_decision"]["action"] == "ban" and "6 active listings" in body["held_decision"]["why_held"]
    )
    assert _active(big) == 6
    assert not Notice.objects.filter(merchant_id=big.pk).exists()  # nothing removed, nobody told yet

    # The reviewer who asked cannot confirm; another reviewer can.
    mine = _post(api, world.reviewer, big, "confirm-ban")
    assert mine.status_code == 403 and mine.json()["code"] == "same_reviewer"
    again = _post(api, world.second_reviewer, big, "ban", reason="Again")
    assert again.status_code == 409 and again.json()["code"] == "ban_held"
    confirmed = _post(api, world.second_reviewer, big, "confirm-ban", note="Agreed: same photos everywhere.")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "banned" and confirmed.json()["held_decision"] is None
    assert _active(big) == 0
    ban = AuditEvent.objects.get(action="merchant_ban", merchant_id=big.pk)
    assert ban.actor_id == world.second_reviewer.pk and ban.data["requested_by"] == "reviewer"
    actions = list(
        AuditEvent.objects.filter(merchant_id=big.pk).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["merchant_ban_held", "merchant_ban_confirmed", "merchant_ban"]
    told = next(m for m in mail.outbox if m.to == ["big@merchant.example"])
    assert "Decided by two reviewers" in told.body and "contest this decision until" in told.body


def test_a_declined_ban_leaves_the_merchant_as_it_was(world, api, big):
    _post(api, world.reviewer, big, "ban", reason="Counterfeit network")
    no_note = _post(api, world.second_reviewer, big, "decline-ban")
    assert no_note.status_code == 400
    declined = _post(api, world.second_reviewer, big, "decline-ban", note="The listings are genuine resales.")
    assert declined.status_code == 200 and declined.json()["status"] == "active"
    assert _active(big) == 6
    assert BanHold.objects.get(merchant=big).status == "declined"
    nothing = _post(api, world.second_reviewer, big, "confirm-ban")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_held"


def test_a_small_ban_is_immediate(world, api, settings):
    settings.BAN_SECOND_APPROVAL_LISTINGS = 50
    merchant = MerchantFactory()
    ListingFactory.create_batch(2, merchant=merchant)
    answer = _post(api, world.reviewer, merchant, "ban", reason="Three fakes")
    assert answer.json()["status"] == "banned" and _active(merchant) == 0
    assert not BanHold.objects.exists()


def test_lifting_a_heavy_ban_waits_for_a_second_reviewer(world, api, big):
    _post(api, world.reviewer, big, "ban", reason="Counterfeit network")
    _post(api, world.second_reviewer, big, "confirm-ban")
    lift = _post(api, world.second_reviewer, big, "lift-ban", reason="Supplier documents check out")
    assert lift.status_code == 200 and lift.json()["status"] == "banned"
    assert lift.json()["held_decision"]["action"] == "lift"
    assert _post(api, world.second_reviewer, big, "confirm-lift-ban").status_code == 403
    assert _post(api, world.reviewer, big, "confirm-ban").status_code == 409  # a lift is held, not a ban
    done = _post(api, world.reviewer, big, "confirm-lift-ban", note="Agreed.")
    assert done.status_code == 200 and done.json()["status"] == "active"
    assert AuditEvent.objects.filter(action="merchant_lift_ban", merchant_id=big.pk).count() == 1


def test_a_strike_of_a_fast_tracked_claim_holds_the_ban_any_reviewer_confirms(world, api, settings):
    settings.BAN_SECOND_APPROVAL_LISTINGS = 50
    settings.STRIKES_TO_BAN = 1
    merchant = MerchantFactory()
    listing = ListingFactory(merchant=merchant)
    claim = ClaimFactory(
        brand=world.brand,
        ip_right=world.right,
        listing=listing,
        fast_tracked=True,
        reference="TD-2026-900001",
    )
    strike_issue(merchant=merchant, claim=claim)
    merchant.refresh_from_db()
    assert merchant.status == "ban_pending" and _active(merchant) == 1
    hold = BanHold.objects.get(merchant=merchant)
    assert hold.requested_label == "system" and "fast-tracked" in hold.why_held and hold.claim == claim
    assert _post(api, world.reviewer, merchant, "confirm-ban").status_code == 200
    assert Merchant.objects.get(pk=merchant.pk).status == "banned" and _active(merchant) == 0
    ban = AuditEvent.objects.get(action="merchant_ban", merchant_id=merchant.pk)
    assert ban.data["requested_by_system"] is True


@pytest.mark.parametrize("path", ["confirm-ban", "decline-ban", "confirm-lift-ban", "decline-lift-ban"])
@pytest.mark.parametrize("who, expected", [("owner", 403), ("compliance", 403), ("platform", 403)])
def test_only_reviewers_decide_holds(world, api, big, path, who, expected):
    _post(api, world.reviewer, big, "ban", reason="Counterfeit network")
    answer = _post(api, getattr(world, who), big, path, note="x")
    assert answer.status_code in (expected, 404)
    assert Merchant.objects.get(pk=big.pk).status == "ban_pending"


def test_the_portal_shows_held_decisions_and_the_second_reviewer_confirms(world, client_for, big):
    first = client_for(world.reviewer)
    first.post(f"/merchants/{big.pk}/ban/", {"note": "Counterfeit network"})
    assert Merchant.objects.get(pk=big.pk).status == "ban_pending"
    page = first.get("/queue/held/").content.decode()
    assert "Big Seller" in page and "6 active listings" in page
    own = first.get(f"/merchants/{big.pk}/").content.decode()
    assert "another reviewer confirms" in own and "confirm-ban" not in own
    refused = first.post(f"/merchants/{big.pk}/confirm-ban/", {"note": ""}, follow=True)
    assert "second reviewer decides" in refused.content.decode()
    second = client_for(world.second_reviewer)
    assert "confirm-ban" in second.get(f"/merchants/{big.pk}/").content.decode()
    second.post(f"/merchants/{big.pk}/confirm-ban/", {"note": "Agreed."})
    assert Merchant.objects.get(pk=big.pk).status == "banned" and _active(big) == 0
    assert "Nothing is waiting" in second.get("/queue/held/").content.decode()


def test_outside_the_platform_a_held_ban_is_not_a_status(world, api, big):
    big.users.add(world.merchant_user)
    _post(api, world.reviewer, big, "ban", reason="Counterfeit network")
    for who in ("merchant_user", "owner"):
        mine = api(getattr(world, who)).get(f"/api/v1/merchants/{big.pk}/").json()
        assert mine["status"] == "active" and "held_decision" not in mine
        held = api(getattr(world, who)).get("/api/v1/merchants/?status=ban_pending").json()
        assert held["count"] == 0
        active = api(getattr(world, who)).get("/api/v1/merchants/?status=active&platform_ref=BIG-1").json()
        assert active["count"] == 1
    for who in ("reviewer", "platform"):
        assert api(getattr(world, who)).get(f"/api/v1/merchants/{big.pk}/").json()["status"] == "ban_pending"


def test_lifting_needs_a_reason(world, api):
    merchant = MerchantFactory(status="banned")
    answer = _post(api, world.reviewer, merchant, "lift-ban")
    assert answer.status_code == 400 and answer.json()["code"] == "reason_required"
    assert Merchant.objects.get(pk=merchant.pk).status == "banned"


def test_the_portal_bounds_a_decline_note(world, client_for, big):
    client_for(world.reviewer).post(f"/merchants/{big.pk}/ban/", {"note": "Counterfeit network"})
    page = client_for(world.second_reviewer).post(
        f"/merchants/{big.pk}/decline-ban/", {"note": "x" * 2001}, follow=True
    )
    assert "under 2000 characters" in page.content.decode()
    assert Merchant.objects.get(pk=big.pk).status == "ban_pending"
