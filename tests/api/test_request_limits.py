"""Sizes are enforced before bodies are read: the request, each uploaded file, the rows of a bulk file, and
what an XLSX unpacks to."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

import takedowns.services.batches as batches
from tests.api.conftest import assert_json_error, png
from tests.lifecycle import claim_in_state


def _bulk(world, api, upload):
    body = {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "good_faith": True,
        "accurate": True,
        "signature": "Ana Owner",
        "file": upload,
    }
    return api(world.owner).post("/api/v1/claims/bulk/", body, format="multipart")


def test_it_refuses_a_body_over_the_limit_from_its_length(world, api, settings):
    settings.MAX_REQUEST_BYTES = 100_000
    claim = claim_in_state(world, "draft")
    before = claim.evidence.count()
    big = SimpleUploadedFile("big.txt", b"x" * 200_000, content_type="text/plain")
    response = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"file": big}, format="multipart"
    )
    assert assert_json_error(response, 413)["code"] == "request_too_large"
    assert claim.evidence.count() == before


def test_it_stops_a_file_over_the_evidence_limit_while_it_arrives(world, api, settings):
    settings.EVIDENCE_MAX_BYTES = 50_000
    claim = claim_in_state(world, "draft")
    before = claim.evidence.count()
    big = SimpleUploadedFile("notes.txt", b"y" * 120_000, content_type="text/plain")
    response = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"file": big}, format="multipart"
    )
    assert assert_json_error(response, 413)["code"] == "file_too_large"
    assert claim.evidence.count() == before
    assert api(world.owner).post(f"/api/v1/claims/{claim.pk}/evidence/", {"file": png()}).status_code == 201


def test_it_stops_reading_a_csv_at_the_row_limit(world, api, monkeypatch):
    monkeypatch.setattr(batches, "MAX_BATCH_ROWS", 5)
    rows = "listing_url\n" + "".join(f"https://market.example/l/{n}\n" for n in range(50))
    response = _bulk(world, api, SimpleUploadedFile("rows.csv", rows.encode(), content_type="text/csv"))
    assert assert_json_error(response, 400)["code"] == "too_many_rows"


def _xlsx(urls) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["listing_url", "description"])
    for url in urls:
        sheet.append([url, "Fake"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_the_listings_of_an_xlsx(world, api):
    upload = SimpleUploadedFile(
        "rows.xlsx", _xlsx([world.listing.url]), content_type="application/octet-stream"
    )
    response = _bulk(world, api, upload)
    assert response.status_code in (201, 202) and response.json()["total"] == 1


def test_it_refuses_an_xlsx_that_unpacks_to_far_more_than_it_holds(world, api):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/worksheets/sheet1.xml", "0" * (80 * 1024 * 1024)
        )  # 80 MB of zeros, ~80 kB packed
    upload = SimpleUploadedFile("rows.xlsx", bomb.getvalue(), content_type="application/octet-stream")
    assert len(bomb.getvalue()) < 200_000
    body = assert_json_error(_bulk(world, api, upload), 400)
    assert body["code"] == "file_format" and "unpacks" in body["detail"]


def _zip_of_photos(count: int, size: int) -> bytes:
    """A ZIP of `count` stored (uncompressed) PNG-named members of about `size` bytes: photos barely compress."""
    from tests.factories import PNG

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"shot-{n}.png", PNG + bytes(size - len(PNG)))
    return buffer.getvalue()


def test_the_bulk_evidence_zip_may_be_larger_than_one_evidence_file(world, api, settings):
    """A ZIP of many screenshots is over the one-file limit and the usual body limit, and arrives whole at
    the bulk path; the same bytes anywhere else, or under another field, are stopped as before."""
    settings.EVIDENCE_MAX_BYTES = 60_000
    settings.MAX_REQUEST_BYTES = 100_000
    settings.EVIDENCE_ARCHIVE_MAX_BYTES = 1_000_000
    archive = _zip_of_photos(8, 40_000)  # 320 KB: each member under the file limit, the whole over both
    rows = "listing_url,evidence\n" + "".join(
        f"{url},shot-{n}.png\n" for n, url in enumerate([world.listing.url, world.other_listing.url])
    )
    upload = SimpleUploadedFile("rows.csv", rows.encode(), content_type="text/csv")
    body = {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Screenshots of each listing",
        "good_faith": True,
        "accurate": True,
        "signature": "Ana Owner",
        "file": upload,
        "evidence_zip": SimpleUploadedFile("shots.zip", archive, content_type="application/zip"),
    }
    response = api(world.owner).post("/api/v1/claims/bulk/", body, format="multipart")
    assert response.status_code in (201, 202), response.content  # not 413: the ZIP's own limit applies
    assert response.json()["errors"] == []
    claim = claim_in_state(world, "draft")
    stray = SimpleUploadedFile("shots.zip", archive, content_type="application/zip")
    elsewhere = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"file": stray}, format="multipart"
    )
    assert assert_json_error(elsewhere, 413)["code"] == "request_too_large"
    settings.MAX_REQUEST_BYTES = 10_000_000  # past the body limit, a ZIP under another field is one file
    body["file"] = SimpleUploadedFile("rows.csv", rows.encode(), content_type="text/csv")
    body["evidence_zip"] = SimpleUploadedFile("shots.zip", archive, content_type="application/zip")
    body["evidence"] = body.pop("evidence_zip")
    renamed = api(world.owner).post("/api/v1/claims/bulk/", body, format="multipart")
    assert assert_json_error(renamed, 413)["code"] == "file_too_large"


def test_a_bulk_body_over_the_archive_limit_is_refused_from_its_length(world, api, settings):
    settings.MAX_REQUEST_BYTES = 100_000
    settings.EVIDENCE_ARCHIVE_MAX_BYTES = 200_000
    archive = _zip_of_photos(8, 40_000)
    body = {"brand": world.brand.pk, "evidence_zip": SimpleUploadedFile("s.zip", archive + archive)}
    response = api(world.owner).post("/api/v1/claims/bulk/", body, format="multipart")
    assert assert_json_error(response, 413)["code"] == "request_too_large"
