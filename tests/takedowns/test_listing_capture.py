"""The listing as captured when a claim is filed (`takedowns.services.capture`): later edits of the listing
change nothing in it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from PIL import Image

from merchants.models import Listing, ListingImage
from merchants.services.marketplace import listing_image_add, listings_upsert
from takedowns.models import ListingCapture
from takedowns.services.filing import claim_create

pytestmark = pytest.mark.django_db


def photo(colour) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def push(world, **fields) -> Listing:
    """The marketplace sends the world's listing again (create or update by platform_ref)."""
    item = {
        "platform_ref": world.listing.platform_ref,
        "merchant_ref": world.merchant.platform_ref,
        "url": world.listing.url,
        "title": world.listing.title,
        "price": "49.00",
        "currency": "EUR",
        **fields,
    }
    [result] = listings_upsert([item])
    assert result["status"] == "updated", result
    return Listing.objects.select_related("merchant").get(pk=world.listing.pk)


def file_claim(world, listing):
    return claim_create(
        actor=world.actor(world.owner),
        brand=world.brand,
        ip_right=world.right,
        listing=listing,
        infringement_type="counterfeit",
        description="Fake tote.",
        good_faith=True,
        accurate=True,
        signature="Jane Counsel",
    )


def test_it_captures_the_listing_as_it_was_when_the_claim_was_filed(world):
    listing = push(world, title="AURELIA tote, genuine!", attributes={"brand": "Aurelia", "colour": "red"})
    red = listing_image_add(listing=listing, file=photo((200, 0, 0)))[0]
    blue = listing_image_add(listing=listing, file=photo((0, 0, 200)))[0]
    claim = file_claim(world, listing)

    # The seller edits everything after the notice: a new title, price, attributes, seller name and photo.
    edited = push(world, title="Tote bag", price="9.99", currency="USD", attributes={"brand": "Generic"})
    world.merchant.name = "Renamed Outlet"
    world.merchant.save()
    listing_image_add(listing=edited, file=photo((0, 200, 0)))

    capture = ListingCapture.objects.get(claim=claim)
    assert (capture.title, str(capture.price), capture.currency) == ("AURELIA tote, genuine!", "49.00", "EUR")
    assert (capture.url, capture.platform_ref) == (world.listing.url, world.listing.platform_ref)
    assert (capture.seller_name, capture.seller_ref) == ("Lucky Outlet", world.merchant.platform_ref)
    assert capture.attributes == {"brand": "Aurelia", "colour": "red"}
    assert [(p.position, p.image_id) for p in capture.images.all()] == [(1, red.pk), (2, blue.pk)]
    assert listing.images.count() == 3


def test_a_captured_photo_cannot_be_deleted(world):
    listing = push(world)
    image, _ = listing_image_add(listing=listing, file=photo((10, 20, 30)))
    file_claim(world, listing)
    with pytest.raises(ProtectedError):
        ListingImage.objects.filter(pk=image.pk).delete()


def test_a_listing_without_photos_or_attributes_is_captured_with_none(world):
    claim = file_claim(world, Listing.objects.select_related("merchant").get(pk=world.listing.pk))
    capture = ListingCapture.objects.get(claim=claim)
    assert capture.attributes == {} and not capture.images.exists()
    assert capture.title == world.listing.title


def test_the_claim_api_shows_the_capture_not_the_listing_of_today(world, api):
    listing = push(world, attributes={"model": "Tote 24"})
    image, _ = listing_image_add(listing=listing, file=photo((200, 0, 0)))
    claim = file_claim(world, listing)
    push(world, title="Changed", attributes={})
    for user in (world.owner, world.reviewer):
        body = api(user).get(f"/api/v1/claims/{claim.pk}/").json()["listing_capture"]
        assert body["title"] == world.listing.title and body["attributes"] == {"model": "Tote 24"}
        assert body["seller_name"] == "Lucky Outlet" and body["price"] == "49.00"
        [shown] = body["images"]
        assert (shown["id"], shown["position"], shown["sha256"]) == (image.pk, 1, image.sha256)
        served = api(user).get(shown["url"])
        assert served.status_code == 200 and served["Content-Type"] == "image/png"
    # Another brand does not see the claim at all.
    assert api(world.other_owner).get(f"/api/v1/claims/{claim.pk}/").status_code == 404
