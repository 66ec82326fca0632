"""Due process in a real browser: a brand appeals a rejection and a second reviewer grants it; a heavy ban
is held until a second reviewer confirms it."""

import re

import pytest

from merchants.models import Listing, Merchant
from takedowns.models import Appeal, Claim
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as
from tests.factories import PNG, ListingFactory, MerchantFactory

pytestmark = pytest.mark.browser


def test_a_brand_appeals_a_rejection_and_a_second_reviewer_grants_it(world, new_page, tmp_path):
    claim = claim_as(world, "rejected")
    page = new_page()
    sign_in(page, "owner")
    page.goto(f"/claims/{claim.pk}/")
    decision = page.locator("section.decision")
    assert decision.get_by_text("The claim was rejected").is_visible()
    assert decision.get_by_text(re.compile("You may appeal this rejection until")).is_visible()
    page.get_by_label("Why the rejection was wrong (required)").fill(
        "Our test purchase of 12 May arrived with a fake hologram; the report is attached."
    )
    photo = tmp_path / "test-purchase.png"
    photo.write_bytes(PNG)
    page.locator("#appeal-files").set_input_files(str(photo))
    assert_accessible(page)
    screenshot(page, "brand-appeal-1280")
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_selector("text=is now Appealed")
    assert Claim.objects.get(pk=claim.pk).state == "appealed"
    assert claim.evidence.filter(original_name="test-purchase.png").exists()

    # The reviewer who rejected it is told a colleague decides.
    rejector = new_page()
    sign_in(rejector, "reviewer")
    rejector.goto(f"/claims/{claim.pk}/")
    assert rejector.get_by_text("a reviewer other than you decides the appeal").is_visible()
    assert rejector.get_by_role("button", name="Grant the appeal").count() == 0

    second = new_page()
    second.on("dialog", lambda dialog: dialog.accept())
    sign_in(second, "reviewer2")
    second.goto("/queue/?state=appealed")
    second.get_by_role("link", name=claim.reference).click()
    assert second.locator("#appeal-h + dl").get_by_text("Our test purchase of 12 May").is_visible()
    assert_accessible(second)
    screenshot(second, "reviewer-appeal-1280")
    second.get_by_label("Explanation to the brand (optional)").fill("The purchase report convinces.")
    second.get_by_role("button", name="Grant the appeal").click()
    second.wait_for_selector("text=is now")
    claim.refresh_from_db()
    assert claim.state == "taken_down"  # approved, then enforced once it committed
    assert Appeal.objects.get(claim=claim).outcome == "granted"

    page.goto(f"/claims/{claim.pk}/")
    assert page.locator("section.decision").get_by_text("The appeal was granted").is_visible()


def test_a_heavy_ban_is_held_until_a_second_reviewer_confirms_it(world, new_page, settings):
    settings.BAN_SECOND_APPROVAL_LISTINGS = 5
    merchant = MerchantFactory(platform_ref="BIG-7", name="Bulk Bargains")
    ListingFactory.create_batch(6, merchant=merchant)
    first = new_page()
    first.on("dialog", lambda dialog: dialog.accept())
    sign_in(first, "reviewer")
    first.goto(f"/merchants/{merchant.pk}/")
    first.get_by_label("Reason, sent to the merchant").fill("Six listings with the same counterfeit photos.")
    first.get_by_role("button", name="Ban merchant").click()
    first.wait_for_selector("text=held for a second reviewer")
    assert Merchant.objects.get(pk=merchant.pk).status == "ban_pending"
    assert Listing.objects.filter(merchant=merchant, status="active").count() == 6
    assert first.get_by_text("another reviewer confirms or declines it").is_visible()
    first.goto("/queue/held/")
    assert first.get_by_role("link", name="Bulk Bargains").is_visible()
    assert_accessible(first)
    screenshot(first, "reviewer-held-1280")

    second = new_page()
    second.on("dialog", lambda dialog: dialog.accept())
    sign_in(second, "reviewer2")
    second.goto("/queue/held/")
    second.get_by_role("link", name="Bulk Bargains").click()
    assert_accessible(second)
    screenshot(second, "reviewer-held-merchant-1280")
    second.get_by_role("button", name="Confirm the ban").click()
    second.wait_for_selector("text=Confirmed")
    assert Merchant.objects.get(pk=merchant.pk).status == "banned"
    assert Listing.objects.filter(merchant=merchant, status="active").count() == 0
