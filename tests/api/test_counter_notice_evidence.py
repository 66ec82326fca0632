"""The merchant's documents with its counter-notice: through the API (`counter-notice-evidence/`, multipart
`file`), the signed link and the merchant's own login; sniffed and size-limited like the brand's evidence;
read by the reviewers, the claim's brand and the merchant, never by anyone else."""

import pytest

from core.models import AuditEvent
from takedowns.models import CounterNoticeEvidence
from takedowns.services.notices import merchant_link_token
from tests.api.conftest import assert_json_error, upload
from tests.factories import PNG
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(claim):
    return f"/api/v1/claims/{claim.pk}/counter-notice-evidence/"


@pytest.fixture
def countered(world):
    return claim_in_state(world, "counter_noticed")


def test_the_merchant_attaches_an_invoice_and_the_reviewer_and_brand_read_it(world, api, countered):
    answer = api(world.merchant_user).post(
        url(countered), {"file": upload("invoice.pdf", PDF)}, format="multipart"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["content_type"] == "application/pdf" and body["original_name"] == "invoice.pdf"
    for who in ("reviewer", "owner", "viewer", "merchant_user"):
        detail = api(getattr(world, who)).get(f"/api/v1/claims/{countered.pk}/").json()
        [document] = detail["counter_notices"][0]["evidence"]
        assert document["sha256"] == body["sha256"]
        served = api(getattr(world, who)).get(document["url"])
        assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
        assert served["X-Content-Type-Options"] == "nosniff"
    for who in ("other_owner", "platform", "outsider"):
        assert api(getattr(world, who)).get(body["url"]).status_code == 404
    assert AuditEvent.objects.filter(action="counter_notice_evidence", claim_id=countered.pk).count() == 1


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 401), ("owner", 403), ("reviewer", 403), ("other_owner", 404), ("compliance", 403)],
)
def test_only_the_merchant_attaches(world, api, countered, who, status):
    client = api(None) if who == "anonymous" else api(getattr(world, who))
    assert_json_error(client.post(url(countered), {"file": upload("a.png", PNG)}, format="multipart"), status)
    assert not CounterNoticeEvidence.objects.exists()


def test_there_must_be_a_pending_counter_notice(world, api):
    claim = claim_in_state(world, "taken_down")
    error = assert_json_error(
        api(world.merchant_user).post(url(claim), {"file": upload("a.png", PNG)}, format="multipart"), 409
    )
    assert error["code"] == "no_pending_counter_notice"


@pytest.mark.parametrize(
    "name, content",
    [("invoice.pdf", b"<html><script>x()</script></html>"), ("licence.png", b"MZ\x90\x00" + b"\x00" * 60)],
)
def test_files_are_sniffed(world, api, countered, name, content):
    error = assert_json_error(
        api(world.merchant_user).post(url(countered), {"file": upload(name, content)}, format="multipart"),
        400,
    )
    assert error["code"] == "file_type"


def test_the_size_limit_holds(world, api, countered, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    answer = api(world.merchant_user).post(
        url(countered), {"file": upload("invoice.pdf", PDF)}, format="multipart"
    )
    assert answer.status_code in (400, 413)
    assert not CounterNoticeEvidence.objects.exists()


def test_through_the_signed_link_with_the_counter_notice_and_after(world, client_for):
    claim = claim_in_state(world, "taken_down")
    token = merchant_link_token(claim)
    page = client_for().post(
        f"/m/{token}/",
        {
            "reason": "authorized",
            "statement": "Bought from the brand's distributor; invoice attached.",
            "good_faith": "on",
            "signature": "Sam Seller",
            "documents": [upload("invoice.pdf", PDF)],
        },
        follow=True,
    )
    assert page.status_code == 200
    assert "invoice.pdf" in page.content.decode()
    more = client_for().post(
        f"/m/{token}/documents/", {"documents": [upload("licence.png", PNG)]}, follow=True
    )
    assert "licence.png" in more.content.decode()
    items = CounterNoticeEvidence.objects.filter(counter_notice__claim=claim)
    assert sorted(items.values_list("original_name", flat=True)) == ["invoice.pdf", "licence.png"]
    assert all(item.via_link for item in items)
    document = items.get(original_name="invoice.pdf")
    assert client_for().get(f"/m/{token}/documents/{document.pk}/").status_code == 200
    # Another claim's link does not open this claim's documents.
    other = claim_in_state(world, "taken_down", listing=world.other_listing)
    assert client_for().get(f"/m/{merchant_link_token(other)}/documents/{document.pk}/").status_code == 404
    # The reviewer sees it next to the statement; the brand on its claim page.
    review = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "invoice.pdf" in review and "Documents with the counter-notice" in review
    assert "invoice.pdf" in client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert client_for(world.owner).get(f"/counter-documents/{document.pk}/").status_code == 200
    assert client_for(world.other_owner).get(f"/counter-documents/{document.pk}/").status_code == 404


def test_a_refused_file_files_no_counter_notice(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for().post(
        f"/m/{merchant_link_token(claim)}/",
        {
            "reason": "owner",
            "statement": "Mine.",
            "good_faith": "on",
            "signature": "Sam Seller",
            "documents": [upload("invoice.pdf", b"<html><script>x()</script></html>")],
        },
    )
    assert page.status_code == 200
    claim.refresh_from_db()
    assert claim.state == "taken_down" and not claim.counter_notices.exists()


def test_compliance_does_not_read_the_merchants_documents(world, api, client_for, countered):
    answer = api(world.merchant_user).post(
        url(countered), {"file": upload("invoice.pdf", PDF)}, format="multipart"
    )
    document = CounterNoticeEvidence.objects.get(pk=answer.json()["id"])
    assert api(world.compliance).get(answer.json()["url"]).status_code == 404
    assert client_for(world.compliance).get(f"/counter-documents/{document.pk}/").status_code == 404
    detail = api(world.compliance).get(f"/api/v1/claims/{countered.pk}/").json()
    assert detail["counter_notices"][0]["evidence"] == []
    assert "invoice.pdf" not in client_for(world.compliance).get(f"/claims/{countered.pk}/").content.decode()
