"""The brand's owner adds an agent with an authorisation letter; a reviewer warns the brand, then suspends it.
Screenshots of the brand pages at both widths."""

import pytest

from brands.models import Brand, BrandMembership
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

LETTER = {
    "name": "authorisation.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4 authorisation letter",
}


def test_an_owner_adds_an_agent_and_a_reviewer_warns_then_suspends(world, new_page):
    UserFactory(username="lawfirm", email="ip@lawfirm.example")
    claim_as(world, "taken_down")
    claim_as(world, "rejected")
    page = new_page()
    sign_in(page, "owner")
    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Aurelia").click()
    page.wait_for_url(f"**/brands/{world.brand.pk}/members/")
    page.get_by_label("Username").fill("lawfirm")
    page.get_by_label("Role").select_option("agent")
    page.get_by_role("button", name="Add member").click()  # no letter: the service's rule is shown
    page.wait_for_selector("text=An agent needs an authorisation letter from the brand.")
    page.get_by_label("Authorisation letter (PDF, JPEG or PNG)").set_input_files(LETTER)
    page.get_by_role("button", name="Add member").click()
    page.wait_for_selector("text=lawfirm was added as an agent")
    assert (
        page.get_by_role("row", name="lawfirm")
        .get_by_text("not yet: letter awaiting a reviewer")
        .is_visible()
    )
    assert_accessible(page)
    screenshot(page, "brand-members-1280")
    membership = BrandMembership.objects.get(user__username="lawfirm", brand=world.brand)
    assert (
        membership.role == "agent"
        and membership.authorisation_letter
        and not membership.authorisation_verified
    )

    page.context.clear_cookies()
    sign_in(page, "reviewer")
    page.get_by_role("link", name="Brands").click()
    page.get_by_role("link", name="Aurelia").click()
    page.wait_for_url(f"**/brands/{world.brand.pk}/")
    page.locator("#id_suspend-days").fill("14")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Suspend brand").click()  # not warned yet: refused
    page.wait_for_selector("text=Warn the brand before suspending it (DSA Art. 23(3)).")
    assert Brand.objects.get(pk=world.brand.pk).suspended_until is None
    page.get_by_label("Warning sent to the brand").fill("Half of your recent claims were unfounded.")
    page.get_by_role("button", name="Warn brand").click()
    page.wait_for_selector("text=Aurelia was warned")
    page.locator("#id_suspend-days").fill("14")
    page.get_by_label("Reason for the suspension").fill("Unfounded claims went on after the warning.")
    page.get_by_role("button", name="Suspend brand").click()
    page.wait_for_selector("text=Aurelia may not file claims until")
    brand = Brand.objects.get(pk=world.brand.pk)
    assert brand.misuse_warned_at and brand.is_suspended()
    assert page.get_by_role(
        "cell", name="Filing suspended"
    ).is_visible()  # a label, not the code brand_suspended
    assert_accessible(page)
    screenshot(page, "reviewer-brand-1280")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_screenshots_the_brand_pages(world, new_page, viewport):
    claim_as(world, "taken_down")
    Brand.objects.filter(pk=world.brand.pk).update(
        trusted_flagger=True, trusted_flagger_designation="DSC-IE 2024/17"
    )
    UserFactory(username="newcomer")
    width = viewport["width"]
    page = new_page(viewport=viewport)
    pages = {
        "reviewer": [("reviewer-brands", "/brands/"), ("reviewer-brand", f"/brands/{world.brand.pk}/")],
        "owner": [("brand-members", f"/brands/{world.brand.pk}/members/"), ("brand-brands", "/brands/")],
        "newcomer": [("brand-register", "/brands/new/")],
    }
    for user, items in pages.items():
        page.context.clear_cookies()
        sign_in(page, user)
        for name, path in items:
            if name == "reviewer-brand" and width == DESKTOP["width"]:
                continue  # the workflow test above takes this one with its history
            if name == "brand-members" and width == DESKTOP["width"]:
                continue
            assert page.goto(path).status == 200, path
            assert_accessible(page)
            screenshot(page, f"{name}-{width}")
