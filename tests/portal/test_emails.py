import pytest
from django.template.loader import render_to_string
from django.utils import translation

KINDS = [
    "claim_received",
    "claim_succeeded",
    "counter_notice_copy",
    "counter_notice_decision",
    "decision",
    "info_requested",
    "merchant_banned",
    "reinstated",
    "sla_reminder",
    "strike_warning",
    "takedown_notice",
]
CONTEXT = {
    "reference": "TD-2026-000001",
    "listing_title": "Fake <bag>",
    "listing_url": "https://market.example/1",
    "ip_right": "AURELIA (EUIPO 1)",
    "ip_right_kind": "trademark",
    "brand": "Aurelia",
    "brand_email": "a@b.example",
    "merchant_name": "Lucky",
    "link": "http://testserver/m/abc/",
    "counter_notice_until": "2027-05-01",
    "reason": "other",
    "note": "See file",
    "state": "rejected",
    "site_url": "http://testserver",
}


@pytest.mark.parametrize("kind", KINDS)
def test_it_renders_every_email_in_english_and_chinese(kind):
    with translation.override("en"):
        english = render_to_string(f"emails/{kind}.txt", CONTEXT) + render_to_string(
            f"emails/{kind}_subject.txt", CONTEXT
        )
        html = render_to_string(f"emails/{kind}.html", CONTEXT)
    with translation.override("zh-hans"):
        chinese = render_to_string(f"emails/{kind}.txt", CONTEXT) + render_to_string(
            f"emails/{kind}_subject.txt", CONTEXT
        )
    assert "Takedown Desk" in english and "下架工作台" in chinese
    assert chinese != english
    if "listing_title" in open(f"templates/emails/{kind}.txt").read():
        assert "Fake <bag>" in english and "Fake &lt;bag&gt;" in html  # text as is, HTML escaped


def test_it_keeps_the_link_in_the_chinese_takedown_notice():
    with translation.override("zh-hans"):
        body = render_to_string("emails/takedown_notice.txt", CONTEXT)
    assert "http://testserver/m/abc/" in body and "反通知" in body
