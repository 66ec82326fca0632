"""Every page runs only the project's own script files, and pages that carry a credential are never cached."""

import re

import pytest

from takedowns.services.notices import merchant_link_token
from tests.lifecycle import claim_in_state

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
PAGES = {
    "reviewer": [
        "/queue/",
        "/counter-notices/",
        "/verification/",
        "/merchants/",
        "/brands/",
        "/audit/",
        "/reports/",
    ],
    "owner": ["/dashboard/", "/claims/", "/claims/new/", "/claims/bulk/", "/ip-rights/", "/account/"],
    "compliance": ["/reports/", "/audit/"],
}


def _script_src(policy: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith("script-src"))


@pytest.mark.parametrize("who, path", [(who, path) for who, paths in PAGES.items() for path in paths])
def test_it_sends_a_policy_that_forbids_inline_script_and_needs_none(world, client_for, who, path):
    claim_in_state(world, "taken_down")  # the pages draw charts and tables of something
    response = client_for(getattr(world, who)).get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in _script_src(policy) and "'unsafe-eval'" not in _script_src(policy)
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert not INLINE_SCRIPT.search(response.content.decode()), "an inline <script> would be blocked"


def test_the_api_documentation_needs_no_inline_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200 and not INLINE_SCRIPT.search(page.content.decode())


def test_it_never_caches_the_merchant_link_or_the_account_page_nor_sends_them_on(world, client_for):
    claim = claim_in_state(world, "taken_down")
    link = client_for().get(f"/m/{merchant_link_token(claim)}/")
    account = client_for(world.owner).get("/account/")
    for response in (link, account):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"
