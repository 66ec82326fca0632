import pytest

from takedowns.models import Claim
from tests.e2e.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.factories import PNG

pytestmark = pytest.mark.browser


def test_it_files_a_claim_with_evidence(world, new_page, tmp_path):
    photo = tmp_path / "logo-closeup.png"
    photo.write_bytes(PNG)
    page = new_page()
    sign_in(page, "owner")
    page.get_by_role("link", name="File a claim").first.click()
    page.get_by_label("Listing URL").fill(world.listing.url)
    page.get_by_label("IP right").select_option(str(world.right.pk))
    page.get_by_label("Infringement type").select_option("counterfeit")
    page.get_by_label("Explanation").fill("Logo stitched upside down; sold at a tenth of the price.")
    page.set_input_files("#id_evidence", str(photo))
    page.wait_for_selector("#evidence-previews img")  # the preview of the dropped image
    page.get_by_label("I have a good-faith belief").check()
    page.get_by_label("The information in this notice is accurate").check()
    page.get_by_label("Signature (your full name)").fill("Jane Counsel")
    assert_accessible(page)
    screenshot(page, "brand-file-claim-1280")
    page.get_by_role("button", name="Submit claim").click()
    page.wait_for_selector("text=was submitted")
    claim = Claim.objects.get()
    assert claim.state == "submitted" and claim.evidence.count() == 1
    assert page.locator(".gallery img").count() == 1
    assert_accessible(page)


def test_it_shows_every_unmet_condition(world, new_page):
    page = new_page(viewport=PHONE)
    sign_in(page, "owner")
    page.goto("/claims/new/")
    page.get_by_role("button", name="Submit claim").click()
    problems = page.locator(".problems li")
    assert problems.count() >= 5  # URL, right, explanation, evidence, both declarations, signature
    assert_accessible(page)
    screenshot(page, "brand-file-claim-errors-390")
