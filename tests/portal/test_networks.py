"""The portal's intelligence pages: networks, ban evasion, reused photos, and the brand's view of the
seller's network with filing against it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.fingerprints import fingerprint_fields, perceptual_hash
from merchants.models import Listing, ListingImage, Merchant
from merchants.services.networks import merchant_identifiers_record
from takedowns.management.photos import encoded, product_photo
from takedowns.models import Claim, ClaimBatch, ClaimState
from takedowns.services.filing import evidence_add
from tests.factories import ClaimFactory, ListingFactory, MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ring(world):
    """The world's merchant and two sister storefronts sharing a payout account; one sister banned."""
    sister = MerchantFactory(platform_ref="SIS", name="Sister Store")
    banned = MerchantFactory(platform_ref="BAN", name="Banned Bazaar", status=Merchant.Status.BANNED)
    for merchant in (banned, sister, world.merchant):
        merchant_identifiers_record(merchant=merchant, identifiers={"payout_account": "ACC-777"})
    ListingFactory(merchant=sister, title="AURELIA bag, 90% off", url="https://market.example/sis/1")
    ListingFactory(merchant=sister, title="AURELIA wallet", url="https://market.example/sis/2")
    ListingFactory(merchant=sister, title="Unbranded scarf", url="https://market.example/sis/3")
    world.merchant.refresh_from_db()
    return world.merchant.network_id


def test_it_shows_reviewers_the_network_and_what_links_it(world, client_for, ring):
    page = client_for(world.reviewer).get(f"/networks/{ring}/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Lucky Outlet", "Sister Store", "Banned Bazaar", "Payout account", "Ban evasion"):
        assert name in html
    assert "ACC-777" not in html
    listing = client_for(world.reviewer).get("/networks/?banned=1")
    assert f"/networks/{ring}/" in listing.content.decode()


@pytest.mark.parametrize("user", ["owner", "merchant_user", "compliance", "platform"])
def test_it_keeps_network_pages_from_everyone_but_reviewers(world, client_for, ring, user):
    assert client_for(getattr(world, user)).get(f"/networks/{ring}/").status_code == 403
    assert client_for(getattr(world, user)).get("/networks/").status_code == 403


def test_it_explains_the_ban_evasion_on_the_merchant_page_and_the_review_page(world, client_for, ring):
    merchant = Merchant.objects.get(pk=world.merchant.pk)
    assert merchant.ban_evasion  # it arrived after the banned one, sharing its account
    html = client_for(world.reviewer).get(f"/merchants/{merchant.pk}/").content.decode()
    assert "Shares Payout account with a banned merchant" in html and "Banned Bazaar" in html
    claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, state=ClaimState.SUBMITTED
    )
    review = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "The seller shares Payout account with the banned merchant Banned Bazaar." in review
    assert "Part of a network of 3 storefronts" in review


def test_it_shows_the_brand_counts_and_lets_it_file_against_the_network(world, client_for, ring):
    claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, state=ClaimState.SUBMITTED
    )
    owner = client_for(world.owner)
    html = owner.get(f"/claims/{claim.pk}/").content.decode()
    assert "network of 3 storefronts" in html and "2 other active listings carrying your marks" in html
    assert "Sister Store" not in html and "Banned Bazaar" not in html
    page = owner.get(f"/claims/{claim.pk}/network/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "AURELIA bag" in text and "Unbranded scarf" not in text and "Sister Store" not in text
    chosen = [
        str(pk) for pk in Listing.objects.filter(title__startswith="AURELIA").values_list("pk", flat=True)
    ]
    response = owner.post(
        f"/claims/{claim.pk}/network/",
        {
            "listings": chosen,
            "description": "Same operator as our claim: fake AURELIA goods.",
            "good_faith": "on",
            "accurate": "on",
            "signature": "Ada Owner",
        },
    )
    batch = ClaimBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/batches/{batch.pk}/"
    drafts = Claim.objects.filter(batch=batch)
    assert drafts.count() == 2 and set(drafts.values_list("state", flat=True)) == {ClaimState.DRAFT}
    assert set(drafts.values_list("ip_right", flat=True)) == {world.right.pk}


def test_it_refuses_network_filing_to_a_viewer_and_to_another_brand(world, client_for, ring):
    claim = ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing)
    assert client_for(world.viewer).get(f"/claims/{claim.pk}/network/").status_code == 403
    assert client_for(world.other_owner).get(f"/claims/{claim.pk}/network/").status_code == 404
    assert client_for(world.merchant_user).get(f"/claims/{claim.pk}/network/").status_code == 404


def test_it_shows_reviewers_where_else_a_photo_appears(world, client_for):
    photo = product_photo(11)
    claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, state=ClaimState.DRAFT
    )
    evidence_add(
        actor=world.actor(world.owner),
        claim=claim,
        file=SimpleUploadedFile("p.jpg", encoded(photo), content_type="image/jpeg"),
    )
    elsewhere = ListingFactory(title="Copy-cat bag listing")
    data = encoded(photo.resize((200, 150)), quality=50)
    image = ListingImage.objects.create(
        listing=elsewhere,
        file=SimpleUploadedFile("l.jpg", data),
        sha256="x",
        content_type="image/jpeg",
        size=len(data),
        **fingerprint_fields(perceptual_hash(io.BytesIO(data))),
    )
    html = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "This photo also appears in 1 other listing or claim." in html
    assert f"/listing-images/{image.pk}/" in html and "Copy-cat bag listing" in html
    served = client_for(world.reviewer).get(f"/listing-images/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert client_for(None).get(f"/listing-images/{image.pk}/").status_code == 302
