import pytest

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
