import pytest

from merchants.models import Listing
from tests.api.conftest import assert_json_error
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/listings/"
BULK = "/api/v1/listings/bulk/"
LISTING = {
    "platform_ref": "L-100",
    "merchant_ref": "M-1",
    "url": "https://market.example/item/100",
    "title": "Aurelia tote",
    "price": "89.90",
    "currency": "eur",
}


@pytest.mark.parametrize(
    "role, which",
    [
        ("owner", "all"),
        ("agent", "all"),
        ("viewer", "all"),
        ("other_owner", "all"),
        ("reviewer", "all"),
        ("compliance", "all"),
        ("platform", "all"),
        ("merchant", "own"),
        ("outsider", "none"),
    ],
)
def test_it_lists_the_listings_a_role_may_see(world, as_role, role, which):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    urls = sorted(item["url"] for item in response.json()["results"])
    expected = {"all": [world.listing.url, world.other_listing.url], "own": [world.listing.url], "none": []}[
        which
    ]
    assert urls == expected
    for item in response.json()["results"]:
        assert item["status"] == "active"


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 200),
        ("other_owner", 200),
        ("reviewer", 200),
        ("compliance", 200),
        ("platform", 200),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_a_listing_to_those_who_may_see_it(world, as_role, role, status):
    # world.other_listing belongs to another merchant: the world's merchant must not see it.
    response = as_role(role).get(f"{LIST}{world.other_listing.pk}/")
    if status == 200:
        assert response.status_code == 200 and response.json()["url"] == world.other_listing.url
    else:
        assert_json_error(response, status)


def test_it_finds_a_listing_by_url(world, api):
    response = api(world.owner).get(LIST, {"url": world.listing.url})
    assert [item["id"] for item in response.json()["results"]] == [world.listing.pk]


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 201),
        ("compliance", 403),
        ("platform", 201),
        ("merchant", 403),
        ("outsider", 403),
    ],
)
def test_it_lets_only_the_marketplace_and_reviewers_write_listings(world, as_role, role, status):
    response = as_role(role).post(LIST, LISTING, format="json")
    if status == 201:
        assert response.status_code == 201
        body = response.json()
        assert (body["platform_ref"], body["merchant_ref"], body["currency"], body["status"]) == (
            "L-100",
            "M-1",
            "EUR",
            "active",
        )
        assert body["merchant"] == world.merchant.pk
    else:
        assert_json_error(response, status)
        assert not Listing.objects.filter(platform_ref="L-100").exists()


def test_it_creates_then_updates_by_platform_ref(world, api):
    client = api(world.platform)
    assert client.post(LIST, LISTING, format="json").status_code == 201
    response = client.post(
        LIST, {**LISTING, "title": "Aurelia tote (new photos)", "price": 79}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Aurelia tote (new photos)" and response.json()["price"] == "79.00"
    assert Listing.objects.filter(platform_ref="L-100").count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({k: v for k, v in LISTING.items() if k != "platform_ref"}, "platform_ref"),
        ({k: v for k, v in LISTING.items() if k != "merchant_ref"}, "merchant_ref"),
        ({k: v for k, v in LISTING.items() if k != "url"}, "url"),
        ({k: v for k, v in LISTING.items() if k != "title"}, "title"),
        ({**LISTING, "url": "not a url"}, "url"),
        ({**LISTING, "url": "javascript:alert(1)"}, "url"),
        ({**LISTING, "merchant_ref": "NO-SUCH"}, "merchant_ref"),
        ({**LISTING, "price": "cheap"}, "price"),
        ({**LISTING, "price": "-5"}, "price"),
        ({**LISTING, "price": "1e20"}, "price"),
        ({**LISTING, "currency": "EURO"}, "currency"),
        ({**LISTING, "currency": "E1R"}, "currency"),
        ({**LISTING, "title": {"en": "x"}}, "title"),
    ],
)
def test_it_refuses_bad_listing_input(world, api, body, field):
    error = assert_json_error(api(world.platform).post(LIST, body, format="json"), 400)
    assert field in error


def test_it_refuses_an_invalid_json_body_and_other_content_types(world, api):
    client = api(world.platform)
    assert_json_error(client.post(LIST, '{"platform_ref": ', content_type="application/json"), 400)
    assert_json_error(client.post(LIST, "platform_ref=L", content_type="text/plain"), 415)


# --- bulk ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 200),
        ("compliance", 403),
        ("platform", 200),
        ("merchant", 403),
        ("outsider", 403),
    ],
)
def test_it_lets_only_the_marketplace_and_reviewers_bulk_write(world, as_role, role, status):
    response = as_role(role).post(BULK, [LISTING], format="json")
    if status == 200:
        assert response.status_code == 200 and response.json()["created"] == 1
    else:
        assert_json_error(response, status)
        assert not Listing.objects.filter(platform_ref="L-100").exists()


def test_it_answers_per_item_for_a_mixed_bulk(world, api):
    existing = ListingFactory(merchant=world.merchant, platform_ref="L-OLD")
    items = [
        LISTING,
        {**LISTING, "platform_ref": "L-101", "url": "nope"},
        {"platform_ref": "L-OLD", "merchant_ref": "M-1", "url": existing.url, "title": "Renamed"},
        {**LISTING, "platform_ref": "L-102", "merchant_ref": "NO-SUCH"},
        "not an object",
        {**LISTING, "platform_ref": "L-103", "price": "-1"},
    ]
    response = api(world.platform).post(BULK, items, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 4)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4, 5]
    assert [r["status"] for r in results] == ["created", "error", "updated", "error", "error", "error"]
    assert "url" in results[1]["errors"]
    assert "merchant_ref" in results[3]["errors"] and results[3]["detail"]
    assert "price" in results[5]["errors"]
    assert Listing.objects.get(platform_ref="L-OLD").title == "Renamed"
    assert not Listing.objects.filter(platform_ref__in=["L-101", "L-102", "L-103"]).exists()


def test_it_accepts_a_wrapped_bulk(world, api):
    response = api(world.platform).post(BULK, {"listings": [LISTING]}, format="json")
    assert response.status_code == 200 and response.json()["created"] == 1


@pytest.mark.parametrize("body", [{"platform_ref": "L-1"}, "a string", 42, {}, None])
def test_it_refuses_a_bulk_that_is_not_a_list(world, api, body):
    assert_json_error(api(world.platform).post(BULK, body, format="json"), 400)


def test_it_refuses_more_than_a_thousand_items(world, api):
    items = [{**LISTING, "platform_ref": f"L-{n}"} for n in range(1001)]
    body = assert_json_error(api(world.platform).post(BULK, items, format="json"), 400)
    assert "1,000" in body["detail"]
    assert not Listing.objects.filter(platform_ref="L-0").exists()


def test_it_refuses_an_invalid_json_bulk(world, api):
    assert_json_error(api(world.platform).post(BULK, "[{", content_type="application/json"), 400)


def test_a_banned_merchants_listings_arrive_removed(world, api):
    """A banned seller has no active listing, whatever the marketplace pushes for it afterwards."""
    from merchants.models import Merchant

    Merchant.objects.filter(pk=world.merchant.pk).update(status="banned")
    body = {
        "platform_ref": "LATE-1",
        "merchant_ref": world.merchant.platform_ref,
        "url": "https://market.example/l/late-1",
        "title": "Same bag, new shop window",
    }
    response = api(world.platform).post("/api/v1/listings/", body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "removed"
    moved = {**body, "platform_ref": world.other_listing.platform_ref}
    assert api(world.platform).post("/api/v1/listings/", moved, format="json").json()["status"] == "removed"
