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


# --- attributes and photos: what the marketplace sends, as a claim captures it ----------------------------
def png_of(colour: tuple[int, int, int], name: str = "photo.png"):
    """A real PNG of one colour: different colours are different photos (their own SHA-256)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


ATTRIBUTES = {"brand": "Aurelia", "model": "Tote 24", "condition": "new", "colour": "red", "size": 36}


def test_it_keeps_the_attributes_sent_with_a_listing(world, api):
    response = api(world.platform).post(LIST, {**LISTING, "attributes": ATTRIBUTES}, format="json")
    assert response.status_code == 201
    # A number is kept as its text: every attribute is a text.
    expected = {**ATTRIBUTES, "size": "36"}
    assert response.json()["attributes"] == expected
    assert Listing.objects.get(platform_ref="L-100").attributes == expected
    assert api(world.owner).get(f"{LIST}{response.json()['id']}/").json()["attributes"] == expected
    # An update without attributes leaves the listing with none, as it leaves out every other field.
    again = api(world.platform).post(LIST, LISTING, format="json")
    assert again.status_code == 200 and again.json()["attributes"] == {}


@pytest.mark.parametrize(
    "attributes, says",
    [
        (["brand", "Aurelia"], "JSON object"),
        ("brand=Aurelia", "JSON object"),
        ({"brand": {"name": "Aurelia"}}, "“brand” must be a text"),
        ({"brand": ["Aurelia"]}, "“brand” must be a text"),
        ({"original": True}, "“original” must be a text"),
        ({"colour": None}, "“colour” must be a text"),
        ({"model": "x" * 201}, "“model” is longer than 200"),
        ({"model": "bad\x00byte"}, "null character"),
        ({"n" * 51: "long name"}, "1 to 50 printable"),
        ({"  ": "blank name"}, "1 to 50 printable"),
        ({"line\nbreak": "x"}, "1 to 50 printable"),
        ({f"a{i}": "x" for i in range(31)}, "At most 30"),
        ({"colour": "red", " colour ": "blue"}, "sent twice"),
    ],
)
def test_it_refuses_attributes_that_are_not_a_flat_object_of_short_texts(world, api, attributes, says):
    body = assert_json_error(
        api(world.platform).post(LIST, {**LISTING, "attributes": attributes}, format="json"), 400
    )
    assert says in body["detail"] and body["detail"].startswith("attributes:")
    assert says in body["attributes"][0]
    assert not Listing.objects.filter(platform_ref="L-100").exists()


def test_it_checks_attributes_item_by_item_in_a_bulk(world, api):
    items = [
        {**LISTING, "platform_ref": "B-1", "attributes": {"brand": "Aurelia"}},
        {**LISTING, "platform_ref": "B-2", "attributes": {"brand": 3.5, "colour": ["red"]}},
        {**LISTING, "platform_ref": "B-3"},
    ]
    response = api(world.platform).post(BULK, items, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert results[1]["errors"] == {
        "attributes": [
            "The attribute “colour” must be a text (a list, an object, true/false or null is not)."
        ]
    }
    assert dict(
        Listing.objects.filter(platform_ref__startswith="B-").values_list("platform_ref", "attributes")
    ) == {
        "B-1": {"brand": "Aurelia"},
        "B-3": {},
    }


def test_it_accepts_listing_photos_sniffed_by_their_content_only(world, api):
    images = f"{LIST}{world.listing.pk}/images/"
    client = api(world.platform)
    first = client.post(images, {"file": png_of((200, 0, 0))}, format="multipart")
    assert first.status_code == 201 and first.json()["content_type"] == "image/png"
    assert (
        client.post(images, {"file": png_of((200, 0, 0))}, format="multipart").status_code == 200
    )  # same photo
    from tests.api.conftest import upload

    disguised = upload("photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    assert_json_error(client.post(images, {"file": disguised}, format="multipart"), 400)
    pdf = upload("photo.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    assert (
        "images" in assert_json_error(client.post(images, {"file": pdf}, format="multipart"), 400)["detail"]
    )
    assert_json_error(client.post(images, {}, format="multipart"), 400)
    # Only the marketplace and reviewers send photos; a brand reads them.
    assert_json_error(api(world.owner).post(images, {"file": png_of((0, 0, 200))}, format="multipart"), 403)
    listed = api(world.owner).get(images).json()["results"]
    assert [item["id"] for item in listed] == [first.json()["id"]]
