"""The reviewer queue's tools in a browser: assigning to a colleague, Next unassigned, sorting, saved views, and
cards instead of the table on a phone."""

import re

import pytest

from core.models import AuditEvent
from takedowns.models import Claim, QueueView
from tests.e2e.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as
from tests.factories import ListingFactory

pytestmark = pytest.mark.browser


def test_it_assigns_takes_the_next_sorts_and_saves_a_view(world, new_page):
    first = claim_as(world, "submitted", listing=ListingFactory(merchant=world.merchant, title="Zeta watch"))
    second = claim_as(world, "submitted", listing=ListingFactory(merchant=world.merchant, title="Alpha bag"))
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/queue/")

    # assign the first claim to a colleague from the bulk bar
    page.get_by_label(f"Select {first.reference}").check()
    page.get_by_label("Assign the selected claims to").select_option(label="reviewer2")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_selector("text=1 claim assigned to reviewer2.")
    assert Claim.objects.get(pk=first.pk).assignee == world.second_reviewer
    assert AuditEvent.objects.filter(action="claim_assign", claim_id=first.pk).exists()

    # whose claims: nobody's is the second one only
    page.get_by_role("link", name=re.compile(r"^Unassigned\s*\d+$")).click()  # the tab and its count
    page.wait_for_url("**/queue/?who=unassigned")
    assert page.locator("tr[data-claim]").count() == 1
    assert page.locator("tr[data-claim]").get_attribute("data-claim") == str(second.pk)

    # sort by listing, both ways, within the filter
    page.get_by_role("link", name="Everyone").click()
    header = page.get_by_role("columnheader", name="Listing")
    header.get_by_role("link").click()
    page.wait_for_url("**sort=listing**")
    assert page.get_by_role("columnheader", name="Listing").get_attribute("aria-sort") == "ascending"
    rows = page.locator("tr[data-claim]")
    assert [rows.nth(i).get_attribute("data-claim") for i in range(2)] == [str(second.pk), str(first.pk)]
    page.get_by_role("columnheader", name="Listing").get_by_role("link").click()
    page.wait_for_url("**sort=-listing**")
    assert page.get_by_role("columnheader", name="Listing").get_attribute("aria-sort") == "descending"
    assert rows.first.get_attribute("data-claim") == str(first.pk)

    # save the sorted queue as a view, open the whole queue, then the view again
    page.get_by_text("Saved views", exact=True).click()  # closed while there is none
    page.get_by_label("Save these filters and sort as").fill("Listings Z to A")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_selector("text=View “Listings Z to A” saved.")
    assert QueueView.objects.get(owner=world.reviewer).query == "sort=-listing"
    assert_accessible(page)
    screenshot(page, "queue-tools-1280")
    page.goto("/queue/")
    page.get_by_role("link", name="Listings Z to A").click()
    page.wait_for_url("**/queue/?sort=-listing")

    # the review page gives a claim to a colleague too
    page.goto(f"/claims/{second.pk}/")
    page.get_by_role("link", name="Assign to a colleague").click()
    page.get_by_label("Assign to").select_option(label="reviewer2")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_selector(f"text={second.reference} is now assigned to reviewer2.")
    page.get_by_role("link", name="← Queue").click()

    # and back to the queue: nobody's claim is left, so Next unassigned says so
    page.get_by_role("button", name="Next unassigned").click()
    page.wait_for_selector("text=No unassigned claim is waiting")
    third = claim_as(world, "submitted")
    page.keyboard.press("n")  # the same from the keyboard
    page.wait_for_url(f"**/claims/{third.pk}/")
    page.wait_for_selector(f"text={third.reference} is now assigned to you.")
    third.refresh_from_db()
    assert (third.state, third.assignee) == ("in_review", world.reviewer)

    # the saved view is deleted from the list
    page.goto("/queue/")
    page.get_by_role("button", name="Delete the view Listings Z to A").click()
    page.wait_for_selector("text=View “Listings Z to A” deleted.")
    assert not QueueView.objects.exists()


def test_on_a_phone_the_queue_is_cards_with_nothing_cut_off(world, new_page):
    long_title = (
        "Genuine-looking replica handbag with gold-tone hardware and monogram canvas, boxed, free shipping"
    )
    for _ in range(3):
        claim_as(world, "submitted", listing=ListingFactory(merchant=world.merchant, title=long_title))
    claim_as(world, "in_review")
    page = new_page(viewport=PHONE)
    sign_in(page, "reviewer")
    page.goto("/queue/")
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 40))"""
    )
    assert too_wide == [], too_wide
    card = page.locator("tr[data-claim]").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    for label in (
        "SLA",
        "Reference",
        "State",
        "Brand",
        "Listing",
        "Merchant",
        "Type",
        "Evidence",
        "Reviewer",
    ):
        cell = card.locator(f"td[data-label='{label}']")
        assert cell.is_visible(), label
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, label
    listing = card.locator("td[data-label='Listing']")
    assert long_title in listing.inner_text()  # the whole title, wrapped, not cut
    assert listing.evaluate("td => td.scrollWidth <= td.clientWidth")
    assert_accessible(page)
    screenshot(page, "queue-cards-390")
    page.get_by_text("Saved views", exact=True).click()
    page.locator(".decision-bar").scroll_into_view_if_needed()
    screenshot(page, "queue-cards-bulk-bar-390")
