"""The review page and the brand's claim page: the listing as filed beside the evidence, its photos in the
image viewer, and the merchant's counter-notice documents."""

import re

import pytest

from merchants.models import Listing
from takedowns.models import ListingCapture
from tests.factories import ClaimFactory, with_evidence
from tests.portal.capture_world import filed_claim

pytestmark = pytest.mark.django_db


def zoom_items(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*data-zoom="([^"]+)"', page)


def test_it_shows_the_listing_as_filed_beside_the_evidence(world, client_for):
    claim = filed_claim(world, "submitted")
    # The seller edits the listing after the notice: the review page still shows it as filed.
    Listing.objects.filter(pk=world.listing.pk).update(
        title="Plain tote bag", attributes={"brand": "Generic"}
    )
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    compare = page[page.index('class="grid-2 compare"') : page.index('id="listing-h"')]
    evidence, capture = compare.split('id="capture-h"')
    assert "jane_doe_test_buy.png" in evidence and "Listing as filed" in capture
    assert "<mark>AURELIA</mark> tote bag, original" in capture
    assert "<dt>colour</dt><dd>red</dd>" in capture and "Generic" not in capture
    assert "Lucky Outlet" in capture and "49.00 EUR" in capture
    assert "The listing has changed since it was filed; it now reads “Plain tote bag”." in capture
    pinned = list(ListingCapture.objects.get(claim=claim).images.values_list("image_id", flat=True))
    # One sequence for the viewer: the evidence photo, then the listing's two photos; a PDF is a link only.
    items = zoom_items(page)
    assert [href for href, _ in items] == [
        f"/evidence/{claim.evidence.get(content_type='image/png').pk}/",
        *(f"/listing-images/{pk}/" for pk in pinned),
    ]
    assert items[0][1] == "Evidence 1 of 2: jane_doe_test_buy.png"
    assert items[2][1] == "Listing as filed, photo 2 of 2"
    assert 'id="image-viewer"' in page and "js/viewer.js" in page
    for href, _ in items:
        served = client_for(world.reviewer).get(href)
        assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_it_says_when_a_claim_was_filed_before_captures(world, client_for):
    claim = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "filed before listings were captured" in page
    assert world.listing.title in page


def test_the_brand_sees_the_capture_and_another_brand_sees_nothing(world, client_for):
    claim = filed_claim(world, "submitted")
    page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "Listing as filed" in page and "<dt>brand</dt><dd><mark>Aurelia</mark></dd>" in page
    assert len(zoom_items(page)) == 3
    assert client_for(world.other_owner).get(f"/claims/{claim.pk}/").status_code == 404


def test_an_attribute_named_items_is_shown_as_any_other(world, client_for):
    claim = filed_claim(world, "submitted")
    ListingCapture.objects.filter(claim=claim).update(attributes={"items": "2", "colour": "red"})
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "<dt>items</dt><dd>2</dd>" in page and "<dt>colour</dt><dd>red</dd>" in page


def test_attributes_and_titles_are_escaped(world, client_for):
    claim = filed_claim(world, "submitted")
    ListingCapture.objects.filter(claim=claim).update(
        title="<script>alert(1)</script> AURELIA", attributes={"<b>x</b>": "<img src=x onerror=alert(1)>"}
    )
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_reviewer_reads_the_capture_in_chinese(world, client_for):
    claim = filed_claim(world, "submitted")
    client = client_for(world.reviewer)
    page = client.get(f"/claims/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for text in ("提交时的商品", "商品照片 1", "提交时的商品，第 2 张照片，共 2 张", "放大", "上一张图片"):
        assert text in page, text
    assert "Listing as filed" not in page and "Zoom in" not in page
