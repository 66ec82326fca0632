"""The merchant's claim page, logged in and through the signed link: the brand's explanation and a list of
its evidence without personal data; counter-notice documents sniffed, size-limited, and shown to the
reviewer and the claim's brand only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from takedowns.models import CounterNoticeEvidence
from takedowns.services.notices import merchant_link_token
from tests.portal.capture_world import PDF, filed_claim

pytestmark = pytest.mark.django_db

# What the claim's filer put in it that is a person's data, and must never reach the merchant.
PERSONAL = [
    "jane_doe_test_buy.png",
    "receipt_jane_doe.pdf",
    "Jane Doe",
    "12 High Street",
    "Jane Counsel",
    "jane.counsel@lawfirm.example",
    "owner@",  # the uploader's e-mail (factories: <username>@example.com)
    ">owner<",
]


def pages(world, claim, client_for):
    logged_in = client_for(world.merchant_user).get(f"/claims/{claim.pk}/").content.decode()
    linked = client_for().get(f"/m/{merchant_link_token(claim)}/").content.decode()
    return {"logged in": logged_in, "signed link": linked}


def test_the_merchant_reads_the_brands_case_without_personal_data(world, client_for):
    claim = filed_claim(world, "taken_down")
    for how, page in pages(world, claim, client_for).items():
        case = page[page.index('id="case-h"') :]
        assert "The logo is misprinted. Questions: [e-mail address removed]" in case, how
        rows = case[case.index("<tbody>") : case.index("</tbody>")]
        assert "<td>Image 1</td><td>Test purchase</td>" in rows, how
        assert "<td>PDF document 1</td><td>Document</td>" in rows, how
        assert "Its evidence (2 files)" in case, how
        for text in PERSONAL:
            assert text not in page, (how, text)
        # Not the files either: no link to any evidence file.
        assert "/evidence/" not in page, how


def test_the_merchant_cannot_open_the_brands_evidence_files(world, client_for):
    claim = filed_claim(world, "taken_down")
    for item in claim.evidence.all():
        assert client_for(world.merchant_user).get(f"/evidence/{item.pk}/").status_code == 404


def test_it_offers_an_upload_for_invoices_and_licences(world, client_for):
    claim = filed_claim(world, "taken_down")
    for how, page in pages(world, claim, client_for).items():
        assert 'name="documents"' in page and 'accept="application/pdf,image/jpeg' in page, how
        assert "at most 20 MB each" in page, how


def counter_notice(**extra):
    return {
        "reason": "authorized",
        "statement": "Bought from the authorised distributor, invoice attached.",
        "good_faith": "on",
        "signature": "Sam Seller",
        **extra,
    }


def test_the_merchant_files_with_an_invoice_the_reviewer_and_the_brand_read_it(world, client_for):
    claim = filed_claim(world, "taken_down")
    invoice = SimpleUploadedFile("invoice-2026-118.pdf", PDF, content_type="application/pdf")
    response = client_for().post(f"/m/{merchant_link_token(claim)}/", counter_notice(documents=[invoice]))
    assert response.status_code == 302
    document = CounterNoticeEvidence.objects.get(counter_notice__claim=claim)
    assert (document.original_name, document.content_type) == ("invoice-2026-118.pdf", "application/pdf")
    for user in (world.reviewer, world.owner, world.viewer, world.merchant_user):
        page = client_for(user).get(f"/claims/{claim.pk}/").content.decode()
        assert "invoice-2026-118.pdf" in page and f"/counter-documents/{document.pk}/" in page, user
        served = client_for(user).get(f"/counter-documents/{document.pk}/")
        assert served.status_code == 200 and served["Content-Type"] == "application/pdf", user
        assert b"".join(served.streaming_content) == PDF
    # Another brand, compliance and an outsider get nothing.
    for user in (world.other_owner, world.compliance, world.outsider):
        assert client_for(user).get(f"/counter-documents/{document.pk}/").status_code == 404, user
    assert client_for(world.other_owner).get(f"/claims/{claim.pk}/").status_code == 404


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>", "Only images"),
        ("invoice.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "named invoice.pdf but holds image/png"),
        ("invoice.exe", b"MZ\x90\x00\x03" + b"\x00" * 64, "Only images"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_a_document_that_is_not_what_it_says_files_nothing(world, client_for, name, content, says):
    claim = filed_claim(world, "taken_down")
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client_for(world.merchant_user).post(
        f"/claims/{claim.pk}/do/counter_notice/", counter_notice(documents=[upload]), follow=True
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "taken_down" and not CounterNoticeEvidence.objects.exists()


def test_a_document_over_the_size_limit_is_refused(world, client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    claim = filed_claim(world, "taken_down")
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    page = client_for().get(f"/m/{merchant_link_token(claim)}/").content.decode()
    assert f'data-max-bytes="{1024 * 1024}"' in page  # the browser refuses it before sending (documents.js)
    response = client_for().post(f"/m/{merchant_link_token(claim)}/", counter_notice(documents=[big]))
    # The server stops the upload while it arrives, and says why (the form is read by the first middleware
    # that needs it; wherever that is, the answer is the 413 with its message).
    assert response.status_code == 413
    assert "The file is larger than 1 MB; nothing was kept." in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "taken_down" and not CounterNoticeEvidence.objects.exists()


def test_the_merchant_adds_a_licence_later(world, client_for):
    claim = filed_claim(world, "counter_noticed")
    licence = SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")
    response = client_for().post(f"/m/{merchant_link_token(claim)}/documents/", {"documents": [licence]})
    assert response.status_code == 302
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "licence.pdf" in page and "Documents with the counter-notice" in page


def test_the_merchant_reads_its_page_in_chinese(world, client_for):
    claim = filed_claim(world, "taken_down")
    page = (
        client_for().get(f"/m/{merchant_link_token(claim)}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    for text in (
        "权利人的投诉理由",
        "权利人的证据（2 个文件）",
        "<td>图片 1</td>",
        "<td>PDF 文件 1</td>",
        "[电子邮件地址已移除]",
    ):
        assert text in page, text
    assert "The rights holder's case" not in page and "Image 1" not in page


def test_the_api_gives_the_merchant_the_same_view_of_the_brands_case(world, api):
    import json

    claim = filed_claim(world, "taken_down")
    body = api(world.merchant_user).get(f"/api/v1/claims/{claim.pk}/").json()
    assert body["description"] == "The logo is misprinted. Questions: [e-mail address removed]"
    assert "evidence" not in body and "signature" not in body
    assert [(e["label"], e["kind"]) for e in body["evidence_summary"]] == [
        ("Image 1", "Test purchase"),
        ("PDF document 1", "Document"),
    ]
    assert body["listing_capture"]["title"] == "AURELIA tote bag, original"
    text = json.dumps(body)
    for personal in PERSONAL:
        assert personal not in text, personal
    # The brand reads its own explanation as written.
    brand = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()
    assert brand["description"].endswith("jane.counsel@lawfirm.example")


def test_contact_details_in_the_explanation_are_removed_but_not_order_numbers_or_prices():
    from takedowns.selectors import without_contact_details

    text = (
        "Call Jane on +44 20 7946 0958 or jane@firm.example. Order 4412345678, paid 129.00 EUR on 2026-03-01."
    )
    assert without_contact_details(text) == (
        "Call Jane on [phone number removed] or [e-mail address removed]. Order 4412345678, paid 129.00 EUR on "
        "2026-03-01."
    )
