"""Intelligence in a real browser: a banned seller's new storefront is flagged, the reviewer follows the
network and sees the reused photo; the brand files against the network's other listings."""

import pytest
from django.core.files.base import ContentFile

from core.roles import SYSTEM
from merchants.models import Merchant
from merchants.services.marketplace import listing_image_add
from merchants.services.networks import merchant_identifiers_record
from takedowns.management.photos import encoded, product_photo
from takedowns.models import ClaimBatch
from takedowns.services.bans import merchant_ban
from takedowns.services.filing import evidence_add
from takedowns.services.intelligence import merchant_record
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as
from tests.factories import ListingFactory, MerchantFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def evader(world):
    """A seller banned for counterfeits, its new storefront (the world's merchant, updated with the same
    payout account), and a third storefront with the same photo on two AURELIA listings."""
    banned = MerchantFactory(platform_ref="OLD", name="Banned Bazaar")
    merchant_identifiers_record(merchant=banned, identifiers={"payout_account": "CN 9558 8012 0000 4321"})
    merchant_ban(merchant=banned, actor=world.actor(world.reviewer), reason="Three counterfeit takedowns.")
    sister = MerchantFactory(platform_ref="SIS", name="Sister Store")
    merchant_identifiers_record(merchant=sister, identifiers={"payout_account": "cn9558801200004321"})
    photo = product_photo(21, label="AURELIA")
    for n in range(2):
        listing = ListingFactory(merchant=sister, title=f"AURELIA bag outlet {n}")
        listing_image_add(listing=listing, file=ContentFile(encoded(photo.resize((320, 240))), name="l.jpg"))
    claim = claim_as(world, "submitted")
    evidence_add(
        actor=world.actor(world.owner),
        claim=claim,
        file=ContentFile(encoded(photo), name="listing-photo.jpg"),
    )
    merchant_record(
        actor=SYSTEM,
        data={
            "platform_ref": world.merchant.platform_ref,
            "name": world.merchant.name,
            "identifiers": {"payout_account": "CN95588012 00004321"},
        },
    )
    return claim


def test_a_reviewer_follows_a_ban_evasion_flag_to_the_network_and_the_reused_photo(world, evader, new_page):
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/queue/")
    row = page.locator("tr", has_text=evader.reference)
    assert row.get_by_text("Ban evasion").is_visible()
    row.get_by_role("link", name=evader.reference).click()
    assert page.get_by_text(
        "The seller shares Payout account with the banned merchant Banned Bazaar."
    ).is_visible()
    assert page.get_by_text("This photo also appears in 2 other listings or claims.").is_visible()
    assert page.locator("#match-h ~ .gallery img").count() == 2
    page.locator("#match-h").scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "reviewer-image-match-1280")
    page.get_by_role("link", name="Network page").click()
    assert page.get_by_role("heading", name="What links them").is_visible()
    assert page.get_by_text("Payout account: Banned Bazaar, Lucky Outlet, Sister Store").is_visible()
    assert page.locator("td", has_text="Lucky Outlet").get_by_text("Ban evasion").is_visible()
    assert_accessible(page)
    screenshot(page, "reviewer-network-1280")
    page.get_by_role("link", name="All networks").click()
    assert page.get_by_role("heading", name="Seller networks").is_visible()


def test_a_brand_files_against_the_sellers_network(world, evader, new_page):
    page = new_page()
    sign_in(page, "owner")
    page.goto(f"/claims/{evader.pk}/")
    assert page.get_by_text("The seller belongs to a network of 3 storefronts").is_visible()
    assert page.get_by_text("Banned Bazaar").count() == 0 and page.get_by_text("Sister Store").count() == 0
    page.get_by_role("link", name="Review them and file").click()
    assert page.get_by_label("AURELIA bag outlet 0").is_checked()
    page.get_by_label("Explanation").fill("The same operator as our claim, selling the same fake bag.")
    page.get_by_label("I have a good-faith belief", exact=False).check()
    page.get_by_label("The information in this notice is accurate", exact=False).check()
    page.get_by_label("Signature (your full name)").fill("Ada Owner")
    assert_accessible(page)
    screenshot(page, "brand-network-filing-1280")
    page.get_by_role("button", name="Create the drafts").click()
    page.wait_for_url("**/batches/*/")
    batch = ClaimBatch.objects.get()
    assert batch.claims.count() == 2 and not batch.errors
    assert Merchant.objects.get(pk=world.merchant.pk).ban_evasion
