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


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_files_survive_an_error_each_with_its_kind_and_the_listing_is_shown(world, new_page, tmp_path):
    """The journey of issue 11: the listing shows once its URL is typed; a missing signature sends the focus
    to the summary and keeps both files, with the kind chosen for each; the claim is then filed."""
    import time

    photo, receipt = tmp_path / "front.png", tmp_path / "receipt.pdf"
    photo.write_bytes(PNG)
    receipt.write_bytes(PDF)
    page = new_page()
    sign_in(page, "owner")
    started, actions = time.monotonic(), 0
    page.goto("/claims/new/")
    page.get_by_label("Listing URL").fill(world.listing.url)
    actions += 1
    preview = page.locator("#listing-preview .listing-preview")
    preview.wait_for()
    assert world.listing.title in preview.inner_text() and world.listing.merchant.name in preview.inner_text()
    page.get_by_label("Infringement type").select_option("counterfeit")
    page.get_by_label("Explanation").fill("Our logo on a bag we never made.")
    page.set_input_files("#id_evidence", [str(photo), str(receipt)])
    actions += 3
    assert page.get_by_label("receipt.pdf").input_value() == "document"  # a PDF is not taken for an image
    page.get_by_label("front.png").select_option("capture")
    page.get_by_label("I have a good-faith belief").check()
    page.get_by_label("The information in this notice is accurate").check()
    page.get_by_role("button", name="Submit claim").click()  # no signature yet
    actions += 4
    summary = page.locator("#form-errors")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert "Signature" in summary.inner_text()
    kept = page.locator(".held-files li")
    assert kept.count() == 2
    assert page.get_by_label("Kind of evidence for front.png").input_value() == "capture"
    assert page.get_by_label("Kind of evidence for receipt.pdf").input_value() == "document"
    assert page.locator("#listing-preview .listing-preview").count() == 1  # still shown
    assert_accessible(page)
    screenshot(page, "brand-file-claim-kept-files-1280")
    page.get_by_label("I have a good-faith belief").check()
    page.get_by_label("The information in this notice is accurate").check()
    page.get_by_label("Signature (your full name)").fill("Jane Counsel")
    page.get_by_role("button", name="Submit claim").click()
    actions += 4
    page.wait_for_selector("text=was submitted")
    claim = Claim.objects.get()
    kinds = {item.original_name: item.kind for item in claim.evidence.all()}
    assert kinds == {"front.png": "capture", "receipt.pdf": "document"}
    print(f"\nfiling with an error and two files: {time.monotonic() - started:.1f} s, {actions} actions")
