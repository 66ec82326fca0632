import re
import subprocess

import pytest
from django.utils import timezone

from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as

pytestmark = pytest.mark.browser


def test_it_downloads_a_report(world, new_page, client):
    claim_as(world, "taken_down")
    client.force_login(world.compliance)
    if client.get("/api/v1/reports/export/?format=csv").status_code == 404:
        pytest.skip("the report export endpoint is not there yet")
    page = new_page()
    sign_in(page, "compliance")
    page.goto("/reports/")
    assert page.locator(".chart svg").count() == 4
    assert_accessible(page)
    screenshot(page, "compliance-reports-1280")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    path = download.value.path()
    content = open(path, encoding="utf-8-sig").read()
    assert download.value.suggested_filename.endswith(".csv")
    assert "," in content.splitlines()[0]


def test_it_reports_a_chosen_period_and_signs_a_chinese_pdf_that_the_audit_trail_knows(
    world, new_page, tmp_path
):
    claim_as(world, "taken_down")
    today = timezone.localdate()
    first = today.replace(day=1)
    page = new_page()
    sign_in(page, "compliance")
    page.goto("/reports/")

    # a preset sets the period, says it, and marks itself as the one shown
    presets = page.get_by_role("navigation", name="Period presets")
    presets.get_by_role("link", name="This month").click()
    page.wait_for_url(re.compile(rf"from={first.isoformat()}&to={today.isoformat()}"))
    assert presets.get_by_role("link", name="This month").get_attribute("aria-current") == "true"
    assert presets.get_by_role("link", name="Last month").get_attribute("aria-current") is None
    assert f"{first:%Y-%m-%d} – {today:%Y-%m-%d}" in page.locator(".period").inner_text()
    assert page.get_by_label("From", exact=True).input_value() == first.isoformat()

    # charts of counts tick in whole numbers
    for chart in (1, 2):  # claims filed and taken down; time to decision
        ticks = page.locator(".chart svg").nth(chart).locator(".axis.y text").all_text_contents()
        assert ticks and all(re.fullmatch(r"\d+", tick.strip()) for tick in ticks if tick.strip()), ticks

    # the file is named after the period
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    assert csv_download.value.suggested_filename == f"takedown-report_{first}_{today}.csv"

    # the PDF in Chinese, chosen on the page
    assert page.get_by_role("button", name="Download PDF (English)").is_visible()
    assert_accessible(page)
    screenshot(page, "compliance-reports-pdf-languages-1280")
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download PDF (简体中文)").click()
    assert pdf_download.value.suggested_filename == f"takedown-report_{first}_{today}.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", pdf_download.value.path(), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "下架报告" in text and "签署" in text
    report_id = re.search(r"TDR(?:-[0-9A-F]{4}){4}", text).group(0)

    # the audit trail records that export: its filters, its language and the ID printed on it
    page.goto("/audit/")
    row = page.locator("tr", has_text=report_id)
    assert row.count() == 1
    assert f"pdf · from {first} · to {today} · lang zh-hans · report {report_id}" in row.inner_text()
