"""Perceptual hashes and near matches on real image files (core.fingerprints), through the evidence and
listing-photo uploads and the claim detail's `image_matches`."""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.fingerprints import (
    distance,
    fingerprint_fields,
    near_filter,
    near_matches,
    perceptual_hash,
    quarters,
)
from merchants.models import ListingImage
from takedowns.management.photos import encoded, product_photo
from takedowns.models import Evidence
from tests.factories import ClaimFactory, ListingFactory

SEEDS = range(8)


def hash_of(data: bytes) -> int:
    value = perceptual_hash(io.BytesIO(data))
    assert value is not None
    return value


def trimmed(image, share):
    w, h = image.size
    dx, dy = int(w * share), int(h * share)
    return image.crop((dx, dy, w - dx, h - dy))


@pytest.mark.parametrize("seed", SEEDS)
def test_it_matches_the_same_photo_resized_recompressed_and_trimmed(seed, settings):
    photo = product_photo(seed)
    original = hash_of(encoded(photo))
    w, h = photo.size
    variants = {
        "half size": encoded(photo.resize((w // 2, h // 2))),
        "thumbnail": encoded(photo.resize((160, 120))),
        "JPEG quality 25": encoded(photo, quality=25),
        "PNG": encoded(photo, "PNG"),
        "1% trimmed": encoded(trimmed(photo, 0.01)),
    }
    for name, data in variants.items():
        assert distance(original, hash_of(data)) <= settings.IMAGE_MATCH_DISTANCE, name


@pytest.mark.parametrize("seed", SEEDS)
def test_it_does_not_match_a_heavy_crop_or_another_photo(seed, settings):
    photo = product_photo(seed)
    original = hash_of(encoded(photo))
    w, h = photo.size
    assert (
        distance(original, hash_of(encoded(photo.crop((w // 5, h // 5, w, h)))))
        > settings.IMAGE_MATCH_DISTANCE
    )
    assert distance(original, hash_of(encoded(product_photo(seed + 100)))) > 2 * settings.IMAGE_MATCH_DISTANCE


def test_it_gives_no_hash_for_a_file_that_is_not_an_image():
    assert perceptual_hash(io.BytesIO(b"%PDF-1.4 not an image")) is None
    assert fingerprint_fields(None)["phash"] is None


def test_it_finds_every_hash_within_the_distance_through_the_quarters():
    """The pigeonhole argument, checked: every value up to the distance away passes the quartered filter."""
    base = 0x0123_4567_89AB_CDEF
    for bits in itertools.islice(itertools.combinations(range(64), 6), 0, 200_000, 997):
        other = base
        for b in bits:
            other ^= 1 << b
        q = near_filter(base, 6)
        row = dict(zip(("phash_q0", "phash_q1", "phash_q2", "phash_q3"), quarters(other), strict=True))
        assert any(row[child[0].removesuffix("__in")] in child[1] for child in q.children), (
            f"{bits} escaped the filter"
        )


@pytest.mark.django_db
def test_it_looks_up_near_matches_in_the_database(world):
    listing = ListingFactory()
    photo = product_photo(3)
    for name, data in {"same": encoded(photo.resize((320, 240))), "other": encoded(product_photo(4))}.items():
        ListingImage.objects.create(
            listing=listing,
            file=SimpleUploadedFile(f"{name}.jpg", data),
            sha256=name,
            content_type="image/jpeg",
            size=len(data),
            **fingerprint_fields(hash_of(data)),
        )
    found = near_matches(ListingImage.objects.all(), hash_of(encoded(photo)), 6)
    assert [row.sha256 for row, _d in found] == ["same"]


@pytest.mark.django_db
def test_it_shows_reviewers_the_claims_and_listings_that_reuse_a_photo(world, as_role):
    photo = product_photo(7)
    first = ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing)
    second = ClaimFactory(brand=world.other_brand, ip_right=world.other_right, listing=ListingFactory())
    elsewhere = ListingFactory()
    owner, other_owner, platform = as_role("owner"), as_role("other_owner"), as_role("platform")
    response = owner.post(
        f"/api/v1/claims/{first.pk}/evidence/",
        {"file": SimpleUploadedFile("photo.jpg", encoded(photo), content_type="image/jpeg"), "kind": "image"},
    )
    assert response.status_code == 201, response.json()
    smaller = encoded(photo.resize((300, 225)), quality=60)
    assert (
        other_owner.post(
            f"/api/v1/claims/{second.pk}/evidence/",
            {"file": SimpleUploadedFile("copy.jpg", smaller, content_type="image/jpeg"), "kind": "image"},
        ).status_code
        == 201
    )
    sent = platform.post(
        f"/api/v1/listings/{elsewhere.pk}/images/",
        {
            "file": SimpleUploadedFile(
                "listing.png", encoded(trimmed(photo, 0.01), "PNG"), content_type="image/png"
            )
        },
    )
    assert sent.status_code == 201, sent.json()
    again = platform.post(
        f"/api/v1/listings/{elsewhere.pk}/images/",
        {
            "file": SimpleUploadedFile(
                "listing.png", encoded(trimmed(photo, 0.01), "PNG"), content_type="image/png"
            )
        },
    )
    assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]
    unrelated = ListingFactory()
    platform.post(
        f"/api/v1/listings/{unrelated.pk}/images/",
        {"file": SimpleUploadedFile("x.jpg", encoded(product_photo(70)), content_type="image/jpeg")},
    )
    matches = as_role("reviewer").get(f"/api/v1/claims/{first.pk}/").json()["image_matches"]
    assert {(m["claim"], m["listing"]) for m in matches} == {
        (second.pk, second.listing_id),
        (None, elsewhere.pk),
    }
    assert all(m["distance"] <= 6 for m in matches)
    # Brands never learn of other brands' claims through a photo.
    assert "image_matches" not in owner.get(f"/api/v1/claims/{first.pk}/").json()
    assert Evidence.objects.filter(claim=first, phash__isnull=False).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_listing_photo_that_is_not_an_image_or_from_an_outsider(world, as_role):
    listing = ListingFactory()
    url = f"/api/v1/listings/{listing.pk}/images/"
    text = as_role("platform").post(
        url, {"file": SimpleUploadedFile("a.png", b"hello", content_type="image/png")}
    )
    assert text.status_code == 400 and "file" in text.json()
    data = encoded(product_photo(1))
    refused = as_role("owner").post(
        url, {"file": SimpleUploadedFile("a.jpg", data, content_type="image/jpeg")}
    )
    assert refused.status_code == 403
    assert as_role("owner").get(url).status_code == 200
