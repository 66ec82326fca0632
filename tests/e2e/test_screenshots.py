"""Every main page, for each role, at 1280×800 and 390×844: saved under docs/screenshots/ and checked with
axe-core (no serious or critical violation)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import BrandMembership
from takedowns.models import ClaimBatch
from takedowns.services.notices import merchant_link_token
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.e2e.scenes import claim_as
from tests.factories import IPRightFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(world):
    claims = {
        state: claim_as(world, state)
        for state in (
            "draft",
            "submitted",
            "in_review",
            "info_requested",
            "rejected",
            "taken_down",
            "counter_noticed",
        )
    }
    for _ in range(4):
        claim_as(world, "submitted")
    IPRightFactory(
        brand=world.brand,
        mark="AURELIA MONOGRAM",
        status="pending",
        certificate=SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 certificate"),
    )
    BrandMembership.objects.create(
        user=UserFactory(username="lawfirm"),
        brand=world.brand,
        role="agent",
        authorisation_letter=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter"),
    )
    batch = ClaimBatch.objects.create(
        brand=world.brand,
        ip_right=world.right,
        created_by=world.owner,
        total=1000,
        done=1000,
        status=ClaimBatch.Status.DONE,
        errors=[{"row": 7, "detail": "No listing with URL https://market.example/x is known."}],
    )
    return {"claims": claims, "batch": batch}


PAGES = {
    "owner": [
        ("brand-dashboard", "/dashboard/"),
        ("brand-claims", "/claims/"),
        ("brand-file-claim", "/claims/new/"),
        ("brand-bulk", "/claims/bulk/"),
        ("brand-batch", "/batches/{batch}/"),
        ("brand-ip-rights", "/ip-rights/"),
        ("brand-ip-right-new", "/ip-rights/new/"),
        ("brand-claim-info-requested", "/claims/{info_requested}/"),
        ("brand-claim-counter-noticed", "/claims/{counter_noticed}/"),
        ("account-token", "/account/"),
    ],
    "reviewer": [
        ("reviewer-queue", "/queue/"),
        ("reviewer-review", "/claims/{in_review}/"),
        ("reviewer-counter-notice", "/claims/{counter_noticed}/"),
        ("reviewer-counter-notices", "/counter-notices/"),
        ("reviewer-verification", "/verification/"),
        ("reviewer-merchants", "/merchants/"),
        ("reviewer-merchant", "/merchants/{merchant}/"),
    ],
    "compliance": [("compliance-reports", "/reports/"), ("compliance-audit", "/audit/")],
    "seller": [("merchant-claims", "/claims/"), ("merchant-claim", "/claims/{taken_down}/")],
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_screenshots_every_main_page(world, scene, new_page, viewport):
    ids = {state: claim.pk for state, claim in scene["claims"].items()}
    ids.update(batch=scene["batch"].pk, merchant=world.merchant.pk)
    width = viewport["width"]
    page = new_page(viewport=viewport)
    page.goto("/login/")
    assert_accessible(page)
    screenshot(page, f"sign-in-{width}")
    page.goto("/password-reset/")
    assert_accessible(page)
    screenshot(page, f"password-reset-{width}")
    for user, pages in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, user)
        for name, path in pages:
            response = page.goto(path.format(**ids))
            assert response.status == 200, path
            assert_accessible(page)
            screenshot(page, f"{name}-{width}")
    page.context.clear_cookies()
    page.goto(f"/m/{merchant_link_token(scene['claims']['taken_down'])}/")
    assert_accessible(page)
    screenshot(page, f"merchant-link-{width}")
