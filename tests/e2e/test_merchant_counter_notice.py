import re

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
