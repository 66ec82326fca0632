import hashlib

import pytest

from takedowns.models import ClaimState, Evidence
from tests.api.conftest import assert_json_error, png, upload
from tests.factories import PNG
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120


def url(claim):
    return f"/api/v1/claims/{claim.pk}/evidence/"


@pytest.fixture
def draft(world):
    return claim_in_state(world, "draft")


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 201),
        ("agent", 201),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_lets_only_the_brands_filers_add_evidence(world, as_role, draft, role, status):
    before = draft.evidence.count()
    response = as_role(role).post(
        url(draft), {"file": png(), "kind": "test_purchase", "note": "Bought 3 March"}, format="multipart"
    )
    if status == 201:
        assert response.status_code == 201
        body = response.json()
        assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
        assert (body["content_type"], body["size"], body["kind"], body["note"]) == (
            "image/png",
            len(PNG),
            "test_purchase",
            "Bought 3 March",
        )
        assert draft.evidence.count() == before + 1
    else:
        assert_json_error(response, status)
        assert draft.evidence.count() == before


def test_it_refuses_a_merchant_evidence_on_a_claim_it_can_see(world, api):
    claim = claim_in_state(world, "taken_down")
    assert_json_error(api(world.merchant_user).post(url(claim), {"file": png()}, format="multipart"), 403)


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("receipt.pdf", PDF, "application/pdf"),
        ("notes.txt", "Order #1234 — 3 bags, 49 €".encode(), "text/plain"),
        ("capture", PNG, "image/png"),
    ],
)
def test_it_sniffs_and_keeps_pdf_text_and_images(world, api, draft, name, content, content_type):
    response = api(world.owner).post(
        url(draft), {"file": upload(name, content), "kind": "document"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == content_type


@pytest.mark.parametrize(
    "name, content",
    [
        ("setup.exe", EXE),
        ("photo.png", EXE),  # an executable renamed
        ("photo.png", b"<!DOCTYPE html><html><body><script>steal()</script></body></html>"),
        ("photo.png", b"  <html><head></head></html>"),
        (
            "logo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
        ),
        ("page.txt", b"<script>alert(1)</script>"),
        ("photo.png", b"just some text pretending to be an image"),
        ("report.pdf", PNG),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 60),
        ("blob.bin", bytes(range(256)) * 4),
    ],
)
def test_it_refuses_forbidden_files(world, api, draft, name, content):
    before = draft.evidence.count()
    error = assert_json_error(
        api(world.owner).post(url(draft), {"file": upload(name, content)}, format="multipart"), 400
    )
    assert error["code"] == "file_type" and "file" in error
    assert draft.evidence.count() == before


def test_it_refuses_a_file_over_the_size_limit(world, api, draft, settings):
    settings.EVIDENCE_MAX_BYTES = len(PNG) - 1
    # Stopped while the file arrives (413), before it is read whole.
    error = assert_json_error(api(world.owner).post(url(draft), {"file": png()}, format="multipart"), 413)
    assert error["code"] == "file_too_large"
    settings.EVIDENCE_MAX_BYTES = len(PNG)
    assert api(world.owner).post(url(draft), {"file": png()}, format="multipart").status_code == 201


def test_it_refuses_an_empty_file(world, api, draft):
    error = assert_json_error(
        api(world.owner).post(url(draft), {"file": upload("empty.png", b"")}, format="multipart"), 400
    )
    assert "file" in error


@pytest.mark.parametrize(
    "form, field",
    [
        ({}, "file"),
        ({"file": "not a file"}, "file"),
        ({"kind": "video"}, "kind"),
    ],
)
def test_it_refuses_bad_evidence_input(world, api, draft, form, field):
    if field != "file":
        form = {"file": png(), **form}
    error = assert_json_error(api(world.owner).post(url(draft), form, format="multipart"), 400)
    assert field in error


def test_it_refuses_a_json_body(world, api, draft):
    assert_json_error(api(world.owner).post(url(draft), {"file": "aGVsbG8="}, format="json"), 415)


@pytest.mark.parametrize("state", ["approved", "taken_down", "withdrawn"])
def test_it_refuses_evidence_on_a_decided_claim(world, api, state):
    claim = claim_in_state(world, state)
    error = assert_json_error(api(world.owner).post(url(claim), {"file": png()}, format="multipart"), 409)
    assert f"“{ClaimState(state).label}”" in error["detail"]


def test_a_rejection_takes_evidence_for_the_appeal_until_the_appeal_is_decided(world, api):
    claim = claim_in_state(world, "appealed")
    assert api(world.owner).post(url(claim), {"file": png()}, format="multipart").status_code == 201
    step(world, claim, "appeal_deny")
    error = assert_json_error(api(world.owner).post(url(claim), {"file": png()}, format="multipart"), 409)
    assert "“Rejected”" in error["detail"]


def test_it_answers_404_for_an_unknown_claim(world, api):
    assert_json_error(
        api(world.owner).post("/api/v1/claims/999999/evidence/", {"file": png()}, format="multipart"), 404
    )


def test_it_stores_the_file(world, api, draft):
    body = api(world.owner).post(url(draft), {"file": upload("receipt.pdf", PDF)}, format="multipart").json()
    evidence = Evidence.objects.get(pk=body["id"])
    assert evidence.file.read() == PDF and evidence.original_name == "receipt.pdf"
