import pytest

from tests.e2e.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as

pytestmark = pytest.mark.browser


def test_it_switches_the_portal_to_simplified_chinese(world, new_page):
    claim_as(world, "submitted")
    page = new_page()
    sign_in(page, "owner")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_selector("html[lang='zh-hans']")
    assert page.get_by_role("heading", name="仪表板").is_visible()
    assert page.get_by_role("link", name="提交投诉").first.is_visible()
    assert_accessible(page)
    screenshot(page, "zh-brand-dashboard-1280")
    page.goto("/claims/new/")
    assert page.get_by_role("button", name="提交投诉").is_visible()
    screenshot(page, "zh-brand-file-claim-1280")


def test_it_shows_the_reviewer_queue_in_chinese_on_a_phone(world, new_page):
    claim_as(world, "submitted")
    page = new_page(viewport=PHONE)
    sign_in(page, "reviewer")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_selector("html[lang='zh-hans']")
    assert page.get_by_role("heading", name="审核队列").is_visible()
    assert_accessible(page)
    screenshot(page, "zh-reviewer-queue-390")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.get_by_role("heading", name="Review queue").is_visible()
