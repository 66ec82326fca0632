"""The test purchase pages: the list, recording one, its page and photos, attaching one from the claim page,
the review page, and the genuine verdict's warning when filing (one claim and in bulk)."""

from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from takedowns.models import Claim, ClaimBatch, Priority, TestPurchase
from tests.factories import PNG, ListingFactory
from tests.lifecycle import claim_in_state, step
from tests.purchases import photo, record_purchase


def form(world, **overrides):
    data = {
        "brand": world.brand.pk,
        "listing_url": world.listing.url,
        "order_ref": "ORD-88",
        "ordered_on": "2026-02-10",
        "amount": "120.00",
        "currency": "eur",
        "verdict": "counterfeit",
        "notes": "Serial number not in our register.",
        "photos": [photo("parcel.jpg"), photo("label.png", shade=60)],
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


# --- the list --------------------------------------------------------------------------------------------
def test_it_lists_a_brands_own_purchases_and_everyones_for_staff(world, client_for):
    ours = record_purchase(world, order_ref="OURS-1")
    record_purchase(world, "genuine", order_ref="THEIRS-1", user=world.other_owner, brand=world.other_brand)
    for user, shown, hidden in [
        (world.owner, ["OURS-1"], ["THEIRS-1"]),
        (world.viewer, ["OURS-1"], ["THEIRS-1"]),
        (world.other_owner, ["THEIRS-1"], ["OURS-1"]),
        (world.reviewer, ["OURS-1", "THEIRS-1"], []),
        (world.compliance, ["OURS-1", "THEIRS-1"], []),
    ]:
        page = client_for(user).get("/test-purchases/").content.decode()
        assert all(ref in page for ref in shown) and not any(ref in page for ref in hidden), user
    assert f"/test-purchases/{ours.pk}/" in client_for(world.owner).get("/test-purchases/").content.decode()


@pytest.mark.parametrize("who", ["merchant_user", "platform", "outsider"])
def test_the_list_is_refused_to_merchants_and_others(world, client_for, who):
    assert client_for(getattr(world, who)).get("/test-purchases/").status_code == 403


def test_brands_find_it_in_the_navigation(world, client_for):
    page = client_for(world.viewer).get("/dashboard/").content.decode()
    assert 'href="/test-purchases/"' in page
    assert 'href="/test-purchases/"' not in client_for(world.merchant_user).get("/claims/").content.decode()


# --- recording one ---------------------------------------------------------------------------------------
def test_it_records_a_purchase_and_shows_its_page(world, client_for):
    client = client_for(world.agent)
    response = client.post("/test-purchases/new/", form(world))
    purchase = TestPurchase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/test-purchases/{purchase.pk}/"
    assert (purchase.currency, purchase.merchant_id, purchase.photos.count()) == ("EUR", world.merchant.pk, 2)
    page = client.get(response["Location"]).content.decode()
    assert "ORD-88" in page and "Counterfeit" in page and "120.00 EUR" in page
    for item in purchase.photos.all():
        assert f'<img src="/test-purchases/photos/{item.pk}/"' in page


def test_it_offers_the_form_to_filers_only(world, client_for):
    page = client_for(world.owner).get("/test-purchases/new/").content.decode()
    assert "Record test purchase" in page and 'name="photos"' in page and "Northpeak" not in page
    for user in (world.viewer, world.unverified_agent, world.reviewer, world.merchant_user):
        assert client_for(user).get("/test-purchases/new/").status_code == 403


def test_it_names_each_missing_field_and_records_nothing(world, client_for):
    response = client_for(world.owner).post("/test-purchases/new/", {})
    page = response.content.decode()
    assert response.status_code == 200 and page.count('class="field-error"') >= 7
    assert not TestPurchase.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"listing_url": "https://market.example/nope"}, "No listing with that id or URL"),
        ({"currency": "E1R"}, "three-letter code"),
        ({"amount": "-5"}, "greater than or equal to 0"),
        ({"ordered_on": "2099-01-01"}, "cannot be in the future"),
        (
            {"photos": [SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n")]},
            "Only images (JPEG, PNG, GIF, WebP)",
        ),
        ({"brand": "999999"}, "Select a valid choice"),
    ],
)
def test_it_says_what_is_wrong(world, client_for, overrides, message):
    response = client_for(world.owner).post("/test-purchases/new/", form(world, **overrides))
    assert response.status_code == 200 and escape(message) in response.content.decode()
    assert not TestPurchase.objects.exists()


def test_it_says_when_the_order_reference_is_already_recorded(world, client_for):
    record_purchase(world, order_ref="ORD-88")
    page = client_for(world.owner).post("/test-purchases/new/", form(world)).content.decode()
    assert "already recorded a test purchase with the order reference ORD-88" in page
    assert TestPurchase.objects.count() == 1


# --- its page and photos ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("viewer", 200),
        ("reviewer", 200),
        ("compliance", 200),
        ("other_owner", 404),
        ("merchant_user", 404),
        ("platform", 404),
        ("outsider", 404),
    ],
)
def test_the_page_and_photos_are_for_the_brand_and_staff_only(world, client_for, who, status):
    purchase = record_purchase(world)
    item = purchase.photos.get()
    client = client_for(getattr(world, who))
    assert client.get(f"/test-purchases/{purchase.pk}/").status_code == status
    download = client.get(f"/test-purchases/photos/{item.pk}/")
    assert download.status_code == status
    if status == 200:
        assert download["Content-Type"] == "image/jpeg" and download["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download["Content-Security-Policy"]


# --- attaching from the claim page -----------------------------------------------------------------------------
def test_the_claim_page_offers_the_brands_purchases_from_that_seller(world, client_for):
    claim = claim_in_state(world, "submitted")
    offered = record_purchase(world, "counterfeit", order_ref="FROM-SELLER")
    record_purchase(world, order_ref="OTHER-SELLER", listing=ListingFactory())
    record_purchase(world, order_ref="OTHER-BRAND", user=world.other_owner, brand=world.other_brand)
    client = client_for(world.owner)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert f'<option value="{offered.pk}">' in page
    assert "OTHER-SELLER" not in page and "OTHER-BRAND" not in page
    response = client.post(f"/claims/{claim.pk}/test-purchases/", {"test_purchase": offered.pk})
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "The test purchase is attached to the claim." in page
    assert f'href="/test-purchases/{offered.pk}/"' in page
    assert f'<option value="{offered.pk}">' not in page  # attached: no longer offered
    claim.refresh_from_db()
    assert claim.priority == Priority.HIGH


def test_a_refused_attachment_is_said_on_the_claim_page(world, client_for):
    claim = claim_in_state(world, "submitted")
    elsewhere = record_purchase(world, listing=ListingFactory())
    client = client_for(world.owner)
    page = client.post(
        f"/claims/{claim.pk}/test-purchases/", {"test_purchase": elsewhere.pk}, follow=True
    ).content.decode()
    assert "another seller than the one of this claim" in page
    page = client.post(f"/claims/{claim.pk}/test-purchases/", {"test_purchase": "x"}, follow=True)
    assert "This brand has no test purchase with that id." in page.content.decode()
    assert not claim.test_purchases.exists()


def test_only_the_brands_filers_may_attach(world, client_for):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world)
    for user in (world.viewer, world.reviewer):
        response = client_for(user).post(
            f"/claims/{claim.pk}/test-purchases/", {"test_purchase": purchase.pk}
        )
        assert response.status_code == 302
    assert client_for(world.other_owner).post(f"/claims/{claim.pk}/test-purchases/", {}).status_code == 404
    assert not claim.test_purchases.exists()
    viewer_page = client_for(world.viewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "Attach test purchase" not in viewer_page


def test_the_merchant_never_sees_the_purchases_of_a_claim(world, client_for):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world, order_ref="SECRET-ORDER")
    purchase.claims.add(claim)
    for name in ("start_review", "approve", "enforce"):
        step(world, claim, name)
    claim.refresh_from_db()
    assert claim.state == "taken_down"  # the merchant reads the claim now
    response = client_for(world.merchant_user).get(f"/claims/{claim.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "SECRET-ORDER" not in page and "/test-purchases/" not in page


def test_the_review_page_shows_the_purchases_and_why_the_claim_is_first(world, client_for):
    claim = claim_in_state(world, "in_review")
    purchase = record_purchase(world, "counterfeit", order_ref="CF-1")
    client_for(world.owner).post(f"/claims/{claim.pk}/test-purchases/", {"test_purchase": purchase.pk})
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "Why this claim is at high priority" in page
    assert "A test purchase found the goods counterfeit." in page
    assert "Order CF-1" in page and "status-rejected" in page
    assert f'<img src="/test-purchases/photos/{purchase.photos.get().pk}/"' in page
    # the brand reads its purchases, not the queue's reasons
    brand_page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "Order CF-1" in brand_page and "Why this claim is at high priority" not in brand_page


# --- the warning before filing against a seller found genuine -----------------------------------------------------
def claim_form(world, **overrides):
    data = {
        "listing_url": world.listing.url,
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Fake logo",
        "good_faith": "on",
        "accurate": "on",
        "signature": "Jane Counsel",
        "evidence_kind": "image",
        "evidence": [SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_filing_against_a_seller_found_genuine_asks_for_confirmation(world, client_for):
    record_purchase(world, "genuine", order_ref="G-42")
    client = client_for(world.owner)
    response = client.post("/claims/new/", claim_form(world))
    page = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.exists()
    assert "Before you file against this seller" in page and "G-42" in page
    assert 'name="file_anyway"' in page
    response = client.post("/claims/new/", claim_form(world, file_anyway="on"))
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.state == "submitted"


def test_no_confirmation_without_a_genuine_verdict(world, client_for):
    record_purchase(world, "counterfeit")
    page = client_for(world.owner).get("/claims/new/").content.decode()
    assert 'name="file_anyway"' not in page
    assert client_for(world.owner).post("/claims/new/", claim_form(world)).status_code == 302


def _csv(urls):
    rows = "listing_url,infringement_type\n" + "".join(f"{url},counterfeit\n" for url in urls)
    return SimpleUploadedFile("rows.csv", rows.encode(), content_type="text/csv")


def test_bulk_filing_against_sellers_found_genuine_asks_for_confirmation(world, client_for):
    record_purchase(world, "genuine")
    client = client_for(world.owner)
    fields = {
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Fakes",
        "good_faith": "on",
        "accurate": "on",
        "signature": "Jane Counsel",
        "csv_file": _csv([world.listing.url, ListingFactory().url]),
    }
    page = client.post("/claims/bulk/", fields).content.decode()
    assert "1 listing is sold by a seller your test purchase found genuine" in page
    assert f"Row 1: {world.listing.url}" in page and 'name="file_anyway"' in page
    refused = client.post("/claims/bulk/", {"confirm": "1"})
    assert refused.status_code == 200 and "Confirm that you file against sellers" in refused.content.decode()
    assert not ClaimBatch.objects.exists()
    response = client.post("/claims/bulk/", {"confirm": "1", "file_anyway": "1"})
    assert response.status_code == 302 and ClaimBatch.objects.get().claims.count() == 2
