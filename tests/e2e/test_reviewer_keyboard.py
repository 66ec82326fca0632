import time

import pytest

from takedowns.models import Claim
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as

pytestmark = pytest.mark.browser


def test_it_approves_from_the_queue_with_the_keyboard(world, new_page):
    first = claim_as(world, "submitted")
    second = claim_as(world, "submitted")
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/queue/")
    assert_accessible(page)
    page.keyboard.press("j")
    assert page.locator("tr.current").get_attribute("data-claim") == str(first.pk)
    screenshot(page, "reviewer-queue-1280")
    page.keyboard.press("a")  # opens the selected claim: no decision without seeing it
    page.wait_for_url(f"**/claims/{first.pk}/#approve")
    page.keyboard.press("s")  # assign it to me: the review starts
    page.wait_for_selector("text=is now")
    page.keyboard.press("a")
    page.wait_for_selector("text=is now")
    assert Claim.objects.get(pk=first.pk).state == "taken_down"  # approved, then enforced when it committed
    page.goto("/queue/")

    page.keyboard.press("j")
    page.keyboard.press("Enter")  # open the review page
    page.wait_for_url(f"**/claims/{second.pk}/")
    assert_accessible(page)
    screenshot(page, "reviewer-review-1280")
    page.keyboard.press("s")  # a submitted claim is assigned first; only then can it be decided
    page.wait_for_selector("text=is now")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reject-reason"
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("a")
    page.wait_for_selector("text=is now")
    second.refresh_from_db()
    assert second.state == "taken_down" and second.assignee == world.reviewer


def test_it_walks_the_queue_with_j_and_k(world, new_page):
    claims = [claim_as(world, "submitted") for _ in range(3)]
    page = new_page()
    sign_in(page, "reviewer")
    page.goto(f"/claims/{claims[0].pk}/")
    page.keyboard.press("j")
    page.wait_for_url(f"**/claims/{claims[1].pk}/")
    page.keyboard.press("k")
    page.wait_for_url(f"**/claims/{claims[0].pk}/")


def test_enter_on_a_focused_link_follows_that_link(world, new_page):
    claim = claim_as(world, "submitted")
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/queue/")
    brand_link = page.locator(f"tr[data-claim='{claim.pk}'] a[href='/brands/{world.brand.pk}/']")
    brand_link.focus()
    assert (
        page.evaluate("document.activeElement.getAttribute('href')") == f"/brands/{world.brand.pk}/"
    )  # focus stays
    assert page.locator("tr.current").get_attribute("data-claim") == str(claim.pk)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brands/{world.brand.pk}/")
    page.goto("/queue/")
    page.keyboard.press("j")
    page.keyboard.press("Enter")  # the row's reference link has the focus: Enter opens the claim
    page.wait_for_url(f"**/claims/{claim.pk}/")


def test_it_decides_fifty_claims_with_two_keys_each(world, new_page):
    """The measure of the queue by keyboard: `n` takes the first unassigned claim and opens it in review, `a`
    approves it and opens the next claim of the queue, `s` starts the review of that one, `a` again… Every
    key is counted and the whole run timed (the figures are printed with -s)."""
    claims = [claim_as(world, "submitted") for _ in range(50)]
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/queue/")
    presses = 0
    started = time.monotonic()

    def press(key: str, url: str | None = None) -> None:
        nonlocal presses
        presses += 1
        if url is None:
            page.keyboard.press(key)
        else:
            with page.expect_navigation(url=url):
                page.keyboard.press(key)

    press("n", f"**/claims/{claims[0].pk}/")  # next unassigned: assigned to me, in review
    for index, claim in enumerate(claims):
        following = claims[index + 1].pk if index + 1 < len(claims) else None
        if index:
            press("s", f"**/claims/{claim.pk}/")  # assign to me: the review starts
        press("a", f"**/claims/{following}/" if following else "**/queue/")  # approve, on to the next
    elapsed = time.monotonic() - started
    decided = Claim.objects.filter(pk__in=[c.pk for c in claims], decided_by=world.reviewer).count()
    assert decided == 50
    assert presses == 100  # two keys a claim, and no mouse
    print(
        f"\n50 claims decided by keyboard: {presses} key presses, {elapsed:.1f} s ({elapsed / 50:.2f} s a claim)"
    )
