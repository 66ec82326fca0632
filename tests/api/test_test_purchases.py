"""The test purchases API (`/api/v1/test-purchases/`), attaching them to claims
(`/api/v1/claims/{id}/test-purchases/`), and what claims show of them."""

import datetime as dt

import pytest
from django.utils import timezone

from takedowns.models import ClaimState, Priority, TestPurchase
from tests.api.conftest import assert_json_error, upload
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state, step
from tests.purchases import photo, photo_bytes, record_purchase

pytestmark = pytest.mark.django_db

URL = "/api/v1/test-purchases/"


def body(world, **overrides):
    data = {
        "brand": world.brand.pk,
        "listing": world.listing.pk,
        "order_ref": "ORD-2026-0042",
        "ordered_on": "2026-03-02",
        "amount": "89.50",
        "currency": "EUR",
        "verdict": "counterfeit",
        "notes": "Hologram missing; seams glued.",
        "photos": [photo("box.jpg"), photo("tag.png", shade=80)],
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


def create(api, user, world, **overrides):
    return api(user).post(URL, body(world, **overrides), format="multipart")


# --- recording ------------------------------------------------------------------------------------------
def test_it_records_a_purchase_with_its_photos(world, api):
    response = create(api, world.owner, world)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in ("brand", "listing", "merchant", "order_ref", "ordered_on")} == {
        "brand": world.brand.pk,
        "listing": world.listing.pk,
        "merchant": world.merchant.pk,
        "order_ref": "ORD-2026-0042",
        "ordered_on": "2026-03-02",
    }
    assert (data["amount"], data["currency"], data["verdict"], data["claims"]) == (
        "89.50",
        "EUR",
        "counterfeit",
        [],
    )
    assert [p["content_type"] for p in data["photos"]] == ["image/jpeg", "image/png"]
    assert [p["original_name"] for p in data["photos"]] == ["box.jpg", "tag.png"]
    photo_url = data["photos"][1]["url"]
    assert photo_url.endswith(f"/api/v1/test-purchases/{data['id']}/photos/{data['photos'][1]['id']}/file/")
    download = api(world.owner).get(photo_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == photo_bytes(80, "PNG")


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 201),
        ("agent", 201),
        ("viewer", 403),
        ("other_owner", 400),  # another tenant's brand is not a valid choice for it
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 403),
        ("merchant", 403),
        ("outsider", 403),
    ],
)
def test_it_lets_only_the_brands_filers_record(world, as_role, role, status):
    response = as_role(role).post(URL, body(world), format="multipart")
    if status == 201:
        assert response.status_code == 201
    else:
        error = assert_json_error(response, status)
        if status == 400:
            assert error["brand"] == ["No such brand."]
    assert TestPurchase.objects.count() == (1 if status == 201 else 0)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"listing": 987654321}, "listing"),
        ({"listing": "abc"}, "listing"),
        ({"brand": 987654321}, "brand"),
        ({"verdict": "fake"}, "verdict"),
        ({"ordered_on": "2026-13-45"}, "ordered_on"),
        ({"ordered_on": "yesterday"}, "ordered_on"),
        ({"ordered_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}, "ordered_on"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "12345678901234"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "€"}, "currency"),
        ({"currency": "12A"}, "currency"),
        ({"order_ref": ""}, "order_ref"),
        ({"order_ref": "x" * 101}, "order_ref"),
        ({"notes": "x" * 5001}, "notes"),
        ({"photos": None}, "photos"),
        ({"photos": "not a file"}, "photos"),
        ({"photos": [upload("receipt.pdf", PDF)]}, "photos"),
        ({"photos": [photo(), upload("photo.jpg", b"MZ\x90\x00 an executable")]}, "photos"),
        ({"photos": [upload("empty.jpg", b"")]}, "photos"),
    ],
)
def test_it_answers_400_naming_each_bad_field(world, api, overrides, field):
    error = assert_json_error(create(api, world.owner, world, **overrides), 400)
    assert field in error, error
    assert not TestPurchase.objects.exists()


def test_the_other_brands_listing_is_fine_but_its_brand_is_not(world, api):
    # a brand buys wherever the counterfeits are sold: any listing is a valid choice
    assert create(api, world.owner, world, listing=world.other_listing.pk).status_code == 201
    error = assert_json_error(create(api, world.owner, world, brand=world.other_brand.pk, order_ref="x"), 400)
    assert error["brand"] == ["No such brand."]


def test_it_answers_409_for_an_order_reference_already_recorded(world, api):
    assert create(api, world.owner, world).status_code == 201
    error = assert_json_error(create(api, world.agent, world, verdict="genuine"), 409)
    assert error["code"] == "duplicate_order_ref" and "order_ref" in error
    assert TestPurchase.objects.count() == 1


def test_it_refuses_a_json_body(world, api):
    data = body(world, photos=None)
    assert_json_error(api(world.owner).post(URL, data, format="json"), 415)


# --- reading: a brand sees its own, staff see all, merchants none --------------------------------------------
@pytest.fixture
def both(world):
    ours = record_purchase(world)
    theirs = record_purchase(world, "genuine", user=world.other_owner, brand=world.other_brand)
    return ours, theirs


@pytest.mark.parametrize(
    "role, sees",
    [
        ("owner", {"ours"}),
        ("viewer", {"ours"}),
        ("other_owner", {"theirs"}),
        ("reviewer", {"ours", "theirs"}),
        ("compliance", {"ours", "theirs"}),
        ("merchant", set()),
        ("platform", set()),
        ("outsider", set()),
    ],
)
def test_the_list_shows_each_caller_what_it_may_see(world, as_role, both, role, sees):
    ids = {"ours": both[0].pk, "theirs": both[1].pk}
    data = as_role(role).get(URL).json()
    assert {"count", "next", "previous", "results", "page_size"} <= set(data)
    assert {row["id"] for row in data["results"]} == {ids[name] for name in sees}


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("viewer", 200),
        ("other_owner", 404),
        ("reviewer", 200),
        ("compliance", 200),
        ("merchant", 404),
        ("platform", 404),
        ("outsider", 404),
    ],
)
def test_the_detail_and_the_photos_are_hidden_from_other_tenants_and_merchants(
    world, as_role, both, role, status
):
    ours = both[0]
    item = ours.photos.get()
    client = as_role(role)
    detail = client.get(f"{URL}{ours.pk}/")
    download = client.get(f"{URL}{ours.pk}/photos/{item.pk}/file/")
    if status == 200:
        assert detail.status_code == 200 and detail.json()["order_ref"] == ours.order_ref
        assert download.status_code == 200
        assert download["Content-Type"] == "image/jpeg"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download["Content-Security-Policy"]
        assert download["Cache-Control"] == "private, no-store"
    else:
        assert_json_error(detail, status)
        assert_json_error(download, status)


def test_a_photo_is_found_only_under_its_own_purchase(world, api, both):
    ours, theirs = both
    item = ours.photos.get()
    client = api(world.reviewer)
    assert_json_error(client.get(f"{URL}{theirs.pk}/photos/{item.pk}/file/"), 404)
    assert_json_error(client.get(f"{URL}{ours.pk}x/photos/{item.pk}/file/"), 404)
    assert_json_error(client.get(f"{URL}{ours.pk}/photos/99999999999999999999999/file/"), 404)
    assert client.get(f"{URL}{ours.pk}/photos/{item.pk}/file/").status_code == 200


def test_a_merchant_who_is_also_a_brand_member_sees_only_that_brands_purchases(world, api, both):
    from brands.models import BrandMembership

    BrandMembership.objects.create(user=world.merchant_user, brand=world.other_brand, role="viewer")
    data = api(world.merchant_user).get(URL).json()
    assert [row["id"] for row in data["results"]] == [both[1].pk]
    assert_json_error(api(world.merchant_user).get(f"{URL}{both[0].pk}/"), 404)


# --- attaching to a claim ---------------------------------------------------------------------------------
def attach_url(claim):
    return f"/api/v1/claims/{claim.pk}/test-purchases/"


def test_it_attaches_a_purchase_and_answers_with_the_claim(world, api):
    claim = claim_in_state(world, "draft")
    purchase = record_purchase(world, "inconclusive")
    response = api(world.owner).post(attach_url(claim), {"test_purchase": purchase.pk}, format="json")
    assert response.status_code == 200, response.json()
    shown = response.json()["test_purchases"]
    assert [(p["id"], p["order_ref"], p["verdict"], p["ordered_on"]) for p in shown] == [
        (purchase.pk, purchase.order_ref, "inconclusive", "2026-01-15")
    ]
    assert shown[0]["photos"][0]["url"].endswith(f"/photos/{purchase.photos.get().pk}/file/")
    again = api(world.agent).post(attach_url(claim), {"test_purchase": purchase.pk}, format="json")
    assert again.status_code == 200 and len(again.json()["test_purchases"]) == 1


def test_a_counterfeit_verdict_moves_a_queued_claim_to_high_priority(world, api):
    claim = claim_in_state(world, "in_review")
    purchase = record_purchase(world, "counterfeit")
    data = api(world.owner).post(attach_url(claim), {"test_purchase": purchase.pk}, format="json").json()
    assert data["priority"] == Priority.HIGH
    assert "priority_reasons" not in data  # staff only
    reviewed = api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    assert reviewed["priority_reasons"] == [
        {"code": "counterfeit_test_purchase", "detail": "A test purchase found the goods counterfeit."}
    ]


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 404),  # a merchant never sees a claim before the decision
        ("outsider", 404),
    ],
)
def test_only_the_brands_filers_attach(world, as_role, role, status):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world)
    response = as_role(role).post(attach_url(claim), {"test_purchase": purchase.pk}, format="json")
    if status == 200:
        assert response.status_code == 200
    else:
        assert_json_error(response, status)
    assert purchase.claims.exists() == (status == 200)


def test_the_merchant_of_an_enforced_claim_is_refused(world, api):
    claim = claim_in_state(world, "taken_down")
    purchase = record_purchase(world)
    assert_json_error(api(world.merchant_user).post(attach_url(claim), {"test_purchase": purchase.pk}), 403)


@pytest.mark.parametrize("what", ["other_brand", "other_seller", "unknown", "missing", "text", "huge"])
def test_it_answers_400_for_a_purchase_it_may_not_attach(world, api, what):
    claim = claim_in_state(world, "submitted")
    theirs = record_purchase(world, user=world.other_owner, brand=world.other_brand)
    elsewhere = record_purchase(world, listing=ListingFactory(), order_ref="E-1")
    value = {
        "other_brand": {"test_purchase": theirs.pk},
        "other_seller": {"test_purchase": elsewhere.pk},
        "unknown": {"test_purchase": 987654321},
        "missing": {},
        "text": {"test_purchase": "first"},
        "huge": {"test_purchase": 2**70},
    }[what]
    error = assert_json_error(api(world.owner).post(attach_url(claim), value, format="json"), 400)
    assert "test_purchase" in error
    assert not claim.test_purchases.exists()


@pytest.mark.parametrize("state", ["approved", "taken_down", "withdrawn"])
def test_it_answers_409_once_the_claim_is_decided(world, api, state):
    claim = claim_in_state(world, state)
    purchase = record_purchase(world)
    error = assert_json_error(api(world.owner).post(attach_url(claim), {"test_purchase": purchase.pk}), 409)
    assert f"“{ClaimState(state).label}”" in error["detail"]


# --- what a claim shows of its test purchases ----------------------------------------------------------------
def test_the_claim_shows_its_purchases_to_the_brand_and_staff_never_to_the_merchant(world, api):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world, "counterfeit")
    api(world.owner).post(attach_url(claim), {"test_purchase": purchase.pk}, format="json")
    for name in ("start_review", "approve", "enforce"):
        step(world, claim, name)
        claim.refresh_from_db()
        if claim.state == "taken_down":  # committed approvals are enforced at once
            break
    assert claim.state == "taken_down"
    detail = f"/api/v1/claims/{claim.pk}/"
    for user in (world.owner, world.viewer, world.reviewer, world.compliance):
        assert [p["id"] for p in api(user).get(detail).json()["test_purchases"]] == [purchase.pk]
    answer = api(world.merchant_user).get(detail)
    assert answer.status_code == 200
    seen_by_merchant = answer.json()
    assert "test_purchases" not in seen_by_merchant and "priority_reasons" not in seen_by_merchant
    assert "priority_reasons" not in api(world.owner).get(detail).json()
    assert [r["code"] for r in api(world.compliance).get(detail).json()["priority_reasons"]] == [
        "counterfeit_test_purchase"
    ]


# --- the warning when filing against a seller found genuine ----------------------------------------------------
def claim_body(world, listing):
    return {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "listing": listing.pk,
        "infringement_type": "counterfeit",
    }


def test_filing_against_a_seller_found_genuine_answers_with_a_warning(world, api):
    record_purchase(world, "genuine", order_ref="G-1")
    response = api(world.owner).post("/api/v1/claims/", claim_body(world, world.listing), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "draft" and data["reference"]
    assert [w["code"] for w in data["warnings"]] == ["genuine_test_purchase"]
    assert "G-1" in data["warnings"][0]["detail"]


def test_filing_elsewhere_answers_with_no_warning(world, api):
    record_purchase(world, "counterfeit")
    record_purchase(world, "genuine", user=world.other_owner, brand=world.other_brand)
    response = api(world.owner).post("/api/v1/claims/", claim_body(world, world.listing), format="json")
    assert response.status_code == 201 and response.json()["warnings"] == []
