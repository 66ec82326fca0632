import re
import time

import pytest

from core.models import Notice
from tests.e2e.conftest import PHONE, assert_accessible, screenshot
from tests.e2e.scenes import claim_as

pytestmark = pytest.mark.browser


def _link_from_email(smtp_server, address):
    for message in smtp_server.to(address):
        body = message.get_body(preferencelist=("plain",)).get_content()
        found = re.search(r"https?://\S+/m/[^/\s]+/", body)
        if found:
            return found.group(0)
    return None


def test_it_files_a_counter_notice_from_the_link_in_the_email(
    world, new_page, settings, smtp_server, live_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.SITE_URL = live_server.url
    smtp_server.clear()
    claim = claim_as(world, "taken_down")
    link = _link_from_email(smtp_server, world.merchant.email)
    assert link, "the takedown e-mail carries the signed link"
    assert Notice.objects.filter(claim_id=claim.pk, kind="takedown_notice", status="sent").exists()

    page = new_page(viewport=PHONE)
    page.goto(link)
    assert page.get_by_role("heading", level=1, name=re.compile("was removed")).is_visible()
    assert page.get_by_text(world.brand.contact_email).first.is_visible()
    assert_accessible(page)
    screenshot(page, "merchant-link-390")
    page.get_by_label("Why the removal was a mistake").select_option("authorized")
    page.get_by_label("Statement").fill("We buy from the brand's authorised distributor; invoice 2026-118.")
    page.get_by_label("I state under penalty of perjury").check()
    page.get_by_label("Signature (your full name)").fill("Sam Seller")
    page.get_by_role("button", name="File counter-notice").click()
    page.wait_for_selector("text=Your counter-notice was filed")
    claim.refresh_from_db()
    assert claim.state == "counter_noticed"
    assert_accessible(page)


def _invoice_pdf() -> bytes:
    """A real invoice, as a merchant would scan or print it (WeasyPrint: installed for the reports)."""
    from weasyprint import HTML

    return HTML(
        string="<h1>Invoice 2026-118</h1><p>Aurelia Distribution GmbH to Lucky Outlet: 40 Aurelia totes, "
        "EUR 1,960.00.</p>"
    ).write_pdf()


def test_the_merchant_attaches_an_invoice_and_the_reviewer_reads_it_beside_the_listing(
    world, new_page, live_server, tmp_path
):
    from takedowns.services.notices import merchant_link_token
    from tests.e2e.conftest import sign_in
    from tests.portal.capture_world import filed_claim

    claim = filed_claim(world, "taken_down")
    invoice = tmp_path / "invoice-2026-118.pdf"
    invoice.write_bytes(_invoice_pdf())

    # The merchant, from the link in its e-mail: the brand's case, then a counter-notice with the invoice.
    page = new_page()
    started = time.monotonic()
    page.goto(f"/m/{merchant_link_token(claim)}/")
    loading = time.monotonic() - started  # the merchant's time: the page, then the form (checks not counted)
    case = page.locator("section", has=page.get_by_role("heading", name="The rights holder's case"))
    assert case.get_by_role("cell", name="Image 1").is_visible()
    assert case.get_by_role("cell", name="PDF document 1").is_visible()
    assert "[e-mail address removed]" in case.inner_text()
    for personal in ("jane_doe", "Jane Doe", "Jane Counsel", "lawfirm.example"):
        assert personal not in page.content()
    case.scroll_into_view_if_needed()
    screenshot(page, "merchant-brand-case")
    actions = 1  # opening the link
    started = time.monotonic()
    page.get_by_label("Why the removal was a mistake").select_option("authorized")
    page.get_by_label("Statement").fill("We buy from the brand's authorised distributor: invoice 2026-118.")
    page.get_by_label("I state under penalty of perjury").check()
    page.get_by_label("Signature (your full name)").fill("Sam Seller")
    page.get_by_label("Documents that support it").set_input_files(str(invoice))
    page.get_by_role("button", name="File counter-notice").click()
    actions += 6
    page.wait_for_selector("text=Your counter-notice was filed")
    elapsed = loading + time.monotonic() - started
    print(
        f"\nmerchant counter-notice with an invoice: {actions} actions, {elapsed:.2f} s (link opened to filed)"
    )
    assert page.get_by_role("link", name="invoice-2026-118.pdf").is_visible()
    assert_accessible(page)
    screenshot(page, "merchant-counter-notice-with-invoice")
    claim.refresh_from_db()
    assert claim.state == "counter_noticed"

    # The reviewer: the invoice with the counter-notice, the listing as filed beside the evidence.
    reviewer = new_page()
    sign_in(reviewer, "reviewer")
    reviewer.goto(f"/claims/{claim.pk}/")
    document = reviewer.get_by_role("link", name="invoice-2026-118.pdf")
    assert document.is_visible()
    served = reviewer.request.get(document.get_attribute("href"))
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    assert served.body() == invoice.read_bytes()
    evidence = reviewer.get_by_role("heading", name=re.compile(r"^Evidence \(2\)")).bounding_box()
    listing = reviewer.get_by_role("heading", name="Listing as filed").bounding_box()
    assert abs(evidence["y"] - listing["y"]) < 5 and listing["x"] > evidence["x"] + 300  # side by side
    reviewer.get_by_role("heading", name="Listing as filed").scroll_into_view_if_needed()
    screenshot(reviewer, "review-listing-beside-evidence")
    assert_accessible(reviewer)

    # Paging by keyboard: ] and [ through the evidence photo and the listing's two photos, + zooms.
    viewer = reviewer.get_by_role("dialog")
    reviewer.keyboard.press("]")
    assert viewer.get_by_role("heading", name="Evidence 1 of 2: jane_doe_test_buy.png").is_visible()
    reviewer.keyboard.press("]")
    assert viewer.get_by_role("heading", name="Listing as filed, photo 1 of 2").is_visible()
    reviewer.keyboard.press("]")
    assert viewer.get_by_role("heading", name="Listing as filed, photo 2 of 2").is_visible()
    reviewer.keyboard.press("[")
    assert viewer.get_by_role("heading", name="Listing as filed, photo 1 of 2").is_visible()
    reviewer.keyboard.press("+")
    reviewer.keyboard.press("+")
    assert viewer.get_by_text("200%").is_visible()
    assert reviewer.evaluate("document.querySelector('.viewer-stage img').naturalWidth") == 16  # it loaded
    screenshot(reviewer, "review-image-viewer-zoomed")
    reviewer.keyboard.press("Escape")
    assert not viewer.is_visible()
    # Clicking a thumbnail opens it too.
    reviewer.get_by_role("img", name="Listing photo 2").click()
    assert viewer.get_by_role("heading", name="Listing as filed, photo 2 of 2").is_visible()
    viewer.get_by_role("button", name="Close").click()
    assert not viewer.is_visible()


def test_the_review_shortcuts_are_silent_while_the_viewer_is_open(world, new_page, live_server):
    from tests.e2e.conftest import sign_in
    from tests.portal.capture_world import filed_claim

    claim = filed_claim(world, "in_review")
    page = new_page()
    sign_in(page, "reviewer")
    page.goto(f"/claims/{claim.pk}/")
    page.keyboard.press("]")
    assert page.get_by_role("dialog").is_visible()
    page.keyboard.press("a")  # approve, on the page behind the photo: nothing happens
    page.wait_for_timeout(500)
    claim.refresh_from_db()
    assert claim.state == "in_review" and f"/claims/{claim.pk}/" in page.url
    page.keyboard.press("Escape")
    page.keyboard.press("a")  # with the viewer closed, a approves as before
    page.wait_for_selector("text=is now")
    claim.refresh_from_db()
    assert claim.state in ("approved", "taken_down")
