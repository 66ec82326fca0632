"""Bulk filing with per-row evidence in the portal: the preview counts what will be filed, the batch page keeps
every failed row with Fix and Discard, and the filer gets one digest e-mail (through the real SMTP harness)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.models import Notice
from takedowns.models import Claim, ClaimBatch
from tests.factories import PNG, ClaimFactory, ListingFactory

pytestmark = pytest.mark.django_db


def _csv(lines):
    body = "listing_url,infringement_type,evidence\n" + "".join(f"{line}\n" for line in lines)
    return SimpleUploadedFile("rows.csv", body.encode(), content_type="text/csv")


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return SimpleUploadedFile("evidence.zip", buffer.getvalue(), content_type="application/zip")


def _form(world, csv_file, evidence_zip=None):
    form = {
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Fakes",
        "good_faith": "on",
        "accurate": "on",
        "signature": "Jane Counsel",
        "csv_file": csv_file,
    }
    if evidence_zip is not None:
        form["evidence_zip"] = evidence_zip
    return form


@pytest.fixture
def smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def filed(world, client_for, smtp, django_capture_on_commit_callbacks):
    """Five rows: two good, an unknown type, a duplicate of row 1, a listing with an open claim, and one whose
    file is missing from the ZIP."""
    good, other, held, missing = (ListingFactory(merchant=world.merchant) for _ in range(4))
    ClaimFactory(brand=world.brand, ip_right=world.right, listing=held, state="submitted")
    lines = [
        f"{good.url},,a.png",
        f"{other.url},trademark,b.png",
        f"{world.listing.url},counterfit,a.png",
        f"{good.url},,a.png",
        f"{held.url},,a.png",
        f"{missing.url},,gone.png",
    ]
    client = client_for(world.owner)
    preview = client.post("/claims/bulk/", _form(world, _csv(lines), _zip({"a.png": PNG, "b.png": PNG})))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/claims/bulk/", {"confirm": "1"})
    batch = ClaimBatch.objects.get()
    assert response["Location"] == f"/batches/{batch.pk}/"
    return {"client": client, "batch": batch, "preview": preview.content.decode(), "missing": missing}


def test_it_counts_in_the_preview_exactly_what_is_filed(world, filed):
    page = filed["preview"]
    assert "File 2 claims" in page and 'data-testid="need-attention" style="color:#b91c1c">4<' in page
    assert "Unknown infringement type &#x27;counterfit&#x27;" in page
    assert "already in row 1 of this file" in page and "already has an open claim" in page
    assert "The evidence file gone.png is not in the ZIP file." in page
    batch = filed["batch"]
    assert set(Claim.objects.filter(batch=batch).values_list("state", flat=True)) == {"submitted"}
    assert batch.claims.count() == 2 and [e["row"] for e in batch.errors] == [3, 4, 5, 6]


def test_it_keeps_every_failed_row_on_the_batch_page_with_fix_and_discard(world, filed):
    client, batch = filed["client"], filed["batch"]
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert (
        'data-testid="batch-filed">2<' in page
        and 'data-testid="batch-attention" style="color:#b91c1c">4<' in page
    )
    for row in (3, 4, 5, 6):
        assert (
            f"/batches/{batch.pk}/rows/{row}/fix/" in page
            and f"/batches/{batch.pk}/rows/{row}/discard/" in page
        )


def test_it_says_the_rows_problems_in_the_readers_language(world, filed):
    client, batch = filed["client"], filed["batch"]
    page = client.get(f"/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        assert "本文件第 1 行" in page and "需要处理的行" in page and "已提交" in page


def test_it_fixes_a_row_with_its_own_file_and_files_it_into_the_batch(world, filed):
    client, batch = filed["client"], filed["batch"]
    form = client.get(f"/batches/{batch.pk}/rows/6/fix/").content.decode()
    assert f'value="{filed["missing"].url}"' in form  # pre-filled with the row
    response = client.post(
        f"/batches/{batch.pk}/rows/6/fix/",
        {
            "listing_url": filed["missing"].url,
            "infringement_type": "",
            "description": "",
            "evidence": SimpleUploadedFile("shot.png", PNG),
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(batch=batch, listing=filed["missing"])
    assert claim.state == "submitted" and claim.evidence.count() == 1
    batch.refresh_from_db()
    assert [e["row"] for e in batch.errors] == [3, 4, 5]


def test_it_checks_a_fixed_row_again(world, filed):
    client, batch = filed["client"], filed["batch"]
    response = client.post(
        f"/batches/{batch.pk}/rows/3/fix/",
        {"listing_url": world.listing.url, "infringement_type": "theft", "description": ""},
    )
    assert response.status_code == 200  # the choice is refused by the form
    response = client.post(
        f"/batches/{batch.pk}/rows/4/fix/", {"listing_url": "https://market.example/none", "description": ""}
    )
    assert b"No listing with URL https://market.example/none is known" in response.content
    assert batch.claims.count() == 2


def test_it_discards_a_row_and_keeps_it_as_discarded(world, filed):
    client, batch = filed["client"], filed["batch"]
    assert client.post(f"/batches/{batch.pk}/rows/5/discard/").status_code == 302
    batch.refresh_from_db()
    assert [e["row"] for e in batch.errors if e.get("discarded")] == [5]
    assert client.get(f"/batches/{batch.pk}/rows/5/fix/").status_code == 404
    assert client.post(f"/batches/{batch.pk}/rows/5/discard/").status_code == 302  # said, not a 500
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert f"/batches/{batch.pk}/rows/5/fix/" not in page and "Rows discarded" in page


def test_it_sends_one_digest_instead_of_a_receipt_per_claim(world, filed, smtp):
    batch = filed["batch"]
    assert Notice.objects.filter(kind="claim_received").count() == 0
    assert list(Notice.objects.values_list("kind", "status")) == [("batch_digest", "sent")]
    [message] = smtp.to(world.owner.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"#{batch.pk}" in message["Subject"] and "2 filed, 4 need attention" in message["Subject"]
    assert "We received 2 claims" in body and f"/batches/{batch.pk}/" in body


def test_it_hides_another_brands_rows(world, filed, client_for, nothing_written):
    batch = filed["batch"]
    other = client_for(world.other_owner)
    with nothing_written():
        assert other.get(f"/batches/{batch.pk}/rows/3/fix/").status_code == 404
        assert other.post(f"/batches/{batch.pk}/rows/3/discard/").status_code == 404
        assert other.post(f"/batches/{batch.pk}/rows/3/fix/", {"listing_url": "x"}).status_code == 404


def test_it_refuses_a_zip_with_a_path_leaving_its_folder(world, client_for):
    response = client_for(world.owner).post(
        "/claims/bulk/", _form(world, _csv([f"{world.listing.url},,a.png"]), _zip({"../a.png": PNG}))
    )
    assert b"leaves its folder" in response.content and not ClaimBatch.objects.exists()


def test_it_asks_for_the_zip_when_the_file_names_evidence(world, client_for):
    response = client_for(world.owner).post(
        "/claims/bulk/", _form(world, _csv([f"{world.listing.url},,a.png"]))
    )
    assert b"upload the ZIP file that holds them" in response.content
