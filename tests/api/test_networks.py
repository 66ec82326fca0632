"""Identifiers through the merchants API, the networks API, and ban evasion as outsiders see it."""

import json

import pytest

from core.models import AuditEvent
from merchants.models import Merchant
from takedowns.models import ClaimState, Priority
from tests.factories import ClaimFactory, ListingFactory

pytestmark = pytest.mark.django_db

MERCHANTS = "/api/v1/merchants/"
RAW = {
    "email": "Boss@Shady.Example",
    "phone": "+86 138 0013 8000",
    "payout_account": "CN12 3456 7890 1234",
    "address": "Room 1203, No. 8 Century Avenue, Shanghai",
    "registration_number": "91310000-MA1K",
    "ship_from": "Warehouse 4, 18 Harbour Road, Shenzhen",
}


def send(client, ref, **identifiers):
    body = {"platform_ref": ref, "name": f"Store {ref}", "country": "CN", "identifiers": identifiers}
    return client.post(MERCHANTS, body, format="json")


def test_it_links_merchants_that_share_identifiers_and_returns_no_value(world, as_role):
    platform = as_role("platform")
    a = send(platform, "S-1", **RAW)
    assert a.status_code == 201, a.json()
    b = send(platform, "S-2", payout_account="cn1234567890 1234", email="other@shop.example")
    c = send(platform, "S-3", email="third@shop.example")
    assert a.json()["network"] is None  # alone when it arrived
    network = b.json()["network"]
    assert network is not None and c.json()["network"] is None
    assert platform.get(f"{MERCHANTS}{a.json()['id']}/").json()["network"] == network
    detail = as_role("reviewer").get(f"/api/v1/networks/{network}/")
    assert detail.status_code == 200
    body = detail.json()
    assert sorted(m["platform_ref"] for m in body["members"]) == ["S-1", "S-2"]
    assert body["links"] == [
        {"kinds": ["payout_account"], "merchants": sorted(m["id"] for m in body["members"])}
    ]
    text = json.dumps([a.json(), b.json(), body, platform.get(MERCHANTS).json()]).lower()
    for value in RAW.values():
        assert value.lower() not in text
    assert "1234567890" not in text and "8613800138000" not in text


def test_it_refuses_a_bad_identifier_and_keeps_the_merchant_as_it_was(world, as_role):
    platform = as_role("platform")
    response = send(platform, "S-9", phone="call me", colour="red")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"].startswith("identifiers.")
    assert "identifiers.phone" in body and "identifiers.colour" in body
    assert not Merchant.objects.filter(platform_ref="S-9").exists()


def test_it_flags_a_banned_merchants_new_storefront_and_puts_its_claims_first(world, as_role):
    platform = as_role("platform")
    old = send(platform, "OLD", **RAW).json()
    Merchant.objects.filter(pk=old["id"]).update(status=Merchant.Status.BANNED)
    new = send(platform, "NEW", email="fresh@new.example").json()
    assert new["ban_evasion"] is False
    listing = ListingFactory(merchant_id=new["id"])
    claim = ClaimFactory(brand=world.brand, ip_right=world.right, listing=listing, state=ClaimState.SUBMITTED)
    assert claim.priority == Priority.NORMAL
    updated = send(platform, "NEW", ship_from="warehouse 4 18 harbour rd shenzhen")
    assert updated.status_code == 200
    body = updated.json()
    assert body["ban_evasion"] is True
    assert body["ban_evasion_reason"]["merchant"] == old["id"]
    assert body["ban_evasion_reason"]["kinds"] == ["ship_from"]
    claim.refresh_from_db()
    assert claim.priority == Priority.HIGH
    detail = as_role("reviewer").get(f"/api/v1/claims/{claim.pk}/").json()
    assert [r["code"] for r in detail["priority_reasons"]] == ["ban_evasion"]
    assert "Store OLD" in detail["priority_reasons"][0]["detail"]
    event = AuditEvent.objects.get(action="merchant_ban_evasion")
    assert event.data["evasion_of"] == old["id"] and event.data["claims_escalated"] == 1


@pytest.mark.parametrize("role", ["owner", "other_owner", "merchant", "compliance", "platform"])
def test_it_shows_networks_to_reviewers_only(world, as_role, role):
    platform = as_role("platform")
    network = send(platform, "S-1", email="x@y.example").json()["network"]
    network = send(platform, "S-2", email="x@y.example").json()["network"]
    assert as_role("reviewer").get(f"/api/v1/networks/{network}/").status_code == 200
    assert as_role(role).get(f"/api/v1/networks/{network}/").status_code == 403
    assert as_role(role).get("/api/v1/networks/").status_code == 403
    assert as_role("anonymous").get("/api/v1/networks/").status_code == 401


@pytest.mark.parametrize("role", ["owner", "merchant"])
def test_it_never_tells_brands_or_merchants_of_networks_or_suspicions(world, as_role, role):
    platform = as_role("platform")
    send(platform, "M-1", email="x@y.example")
    send(platform, "S-2", email="x@y.example")
    seen = as_role(role).get(f"{MERCHANTS}{world.merchant.pk}/").json()
    for key in ("network", "ban_evasion", "ban_evasion_reason", "held_decision"):
        assert key not in seen


def test_it_lists_networks_for_reviewers_with_pagination(world, as_role):
    platform = as_role("platform")
    for i in range(3):
        send(platform, f"P-{i}", email="pair@x.example")
    body = as_role("reviewer").get("/api/v1/networks/").json()
    assert body["count"] == 1 and body["results"][0]["storefronts"] == 3
    assert as_role("reviewer").get("/api/v1/networks/999999/").status_code == 404
    assert as_role("reviewer").get("/api/v1/networks/abc/").status_code == 404


def test_it_shows_the_brand_the_networks_listings_that_carry_its_marks(world, as_role):
    platform = as_role("platform")
    send(platform, "M-1", email="ring@x.example")
    sister = send(platform, "S-2", email="ring@x.example").json()
    ListingFactory(merchant_id=sister["id"], title="AURELIA handbag, new season")
    ListingFactory(merchant_id=sister["id"], title="Plain tote")
    claim = ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing)
    brand_view = as_role("owner").get(f"/api/v1/claims/{claim.pk}/").json()
    assert brand_view["seller_network"] == {"storefronts": 2, "matching_listings": 1}
    assert "image_matches" not in brand_view and "priority_reasons" not in brand_view
    staff_view = as_role("reviewer").get(f"/api/v1/claims/{claim.pk}/").json()
    assert staff_view["seller_network"]["id"] == Merchant.objects.get(platform_ref="M-1").network_id


@pytest.mark.parametrize(
    "identifiers", [{"email": 123}, {"phone": 5551234}, {"email": "not-an-address"}, ["x"]]
)
def test_it_refuses_identifiers_that_are_not_texts_of_their_kind(world, as_role, identifiers):
    body = {"platform_ref": "S-N", "name": "N", "identifiers": identifiers}
    response = as_role("platform").post(MERCHANTS, body, format="json")
    assert response.status_code == 400, response.json()
    assert not Merchant.objects.filter(platform_ref="S-N").exists()


def test_it_keeps_a_claims_priority_from_the_merchant(world, api):
    claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, state=ClaimState.TAKEN_DOWN
    )
    seen = api(world.merchant_user).get(f"/api/v1/claims/{claim.pk}/").json()
    assert seen["state"] == "taken_down" and "priority" not in seen
    listed = api(world.merchant_user).get("/api/v1/claims/").json()["results"]
    assert listed and all("priority" not in row for row in listed)


def test_each_members_figures_count_its_own_listings_strikes_and_claims(world):
    """Each figure is counted for the member alone, whatever the number of its listings and strikes."""
    import datetime as dt

    from django.utils import timezone

    from merchants.models import Listing, Network
    from takedowns.models import Strike
    from takedowns.selectors import network_detail
    from tests.factories import MerchantFactory

    network = Network.objects.create()
    busy, quiet = (
        MerchantFactory(network=network, name="A busy"),
        MerchantFactory(network=network, name="B quiet"),
    )
    listings = [ListingFactory(merchant=busy) for _ in range(3)]
    Listing.objects.filter(pk=listings[2].pk).update(status=Listing.Status.REMOVED)
    ListingFactory(merchant=quiet)
    now = timezone.now()
    kinds = ("decided", "taken_down", "draft", "taken_down")
    for listing, kind in zip(listings + [listings[0]], kinds, strict=True):
        claim = ClaimFactory(brand=world.brand, ip_right=world.right, listing=listing)
        Claim = type(claim)
        Claim.objects.filter(pk=claim.pk).update(
            decided_at=now if kind != "draft" else None, taken_down_at=now if kind == "taken_down" else None
        )
        if kind == "taken_down":
            Strike.objects.create(merchant=busy, claim=claim, expires_at=now + dt.timedelta(days=90))
    Strike.objects.create(merchant=busy, expires_at=now + dt.timedelta(days=90), revoked_at=now)
    Strike.objects.create(merchant=busy, expires_at=now - dt.timedelta(days=1))
    detail = network_detail(network.pk)
    figures = [
        (m.name, m.active_listings, m.active_strikes, m.claims_decided, m.claims_taken_down)
        for m in detail["members"]
    ]
    assert figures == [("A busy", 2, 2, 3, 2), ("B quiet", 1, 0, 0, 0)]
    assert (detail["active_listings"], detail["active_strikes"], detail["claims_decided"]) == (3, 2, 3)
    assert detail["takedown_rate"] == round(2 / 3, 4)
