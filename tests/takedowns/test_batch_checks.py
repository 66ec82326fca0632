"""The one check of a bulk-filing row (`batch_rows_check`): what the preview, the worker, the API and Fix run."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from brands.models import IPRight
from core.errors import Invalid
from core.roles import actor_for
from takedowns.models import Claim, ClaimBatch
from takedowns.services.batches import (
    EvidenceArchive,
    batch_create,
    batch_rows_check,
    row_problem_text,
)
from tests.factories import PNG, ClaimFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "infringement_type": "counterfeit",
    "description": "Fakes",
    "good_faith": True,
    "accurate": True,
    "signature": "Jane Counsel",
}


def row(url, kind="", evidence=""):
    return {"listing_url": url, "infringement_type": kind, "description": "", "evidence": evidence}


def zip_of(files: dict) -> EvidenceArchive:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return EvidenceArchive(buffer)


def check(world, rows, **kwargs):
    return batch_rows_check(
        actor=actor_for(world.owner),
        brand=world.brand,
        ip_right=world.right,
        fields=FIELDS,
        rows=rows,
        **kwargs,
    )


def codes(checked):
    return [[p["code"] for p in item.problems] for item in checked]


def test_it_passes_good_rows(world):
    assert codes(check(world, [row(world.listing.url), row(world.other_listing.url, "trademark")])) == [
        [],
        [],
    ]


def test_it_refuses_an_unknown_type_in_the_check_not_after_it(world):
    [checked] = check(world, [row(world.listing.url, "counterfit")])
    assert codes([checked]) == [["type_unknown"]]
    assert "'counterfit'" in row_problem_text(checked.problems[0])


def test_it_refuses_a_listing_twice_in_the_file_naming_the_first_row(world):
    checked = check(world, [row(world.listing.url), row(world.other_listing.url), row(world.listing.url)])
    assert codes(checked) == [[], [], ["row_duplicate"]]
    assert checked[2].problems[0]["params"] == {"first": 1}


def test_it_carries_duplicates_across_chunks(world):
    seen: dict = {}
    check(world, [row(world.listing.url)], seen=seen)
    assert codes(check(world, [row(world.listing.url)], seen=seen, first_row=201)) == [["row_duplicate"]]


def test_it_refuses_a_listing_with_an_open_claim_of_the_brand(world):
    open_claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, state="submitted"
    )
    [checked] = check(world, [row(world.listing.url)])
    assert checked.problems == [{"code": "open_claim", "params": {"reference": open_claim.reference}}]


def test_it_refuses_an_unknown_or_empty_listing(world):
    assert codes(check(world, [row("https://market.example/none"), row("")])) == [
        ["listing_unknown"],
        ["listing_url_empty"],
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"status": IPRight.Status.PENDING},
        {"valid_until": timezone.localdate() - dt.timedelta(days=1)},
    ],
)
def test_it_refuses_every_row_under_a_pending_or_expired_right(world, change):
    IPRight.objects.filter(pk=world.right.pk).update(**change)
    world.right.refresh_from_db()
    assert codes(check(world, [row(world.listing.url), row(world.other_listing.url)])) == [
        ["right_unusable"],
        ["right_unusable"],
    ]
    with pytest.raises(Invalid) as refused:
        batch_create(
            actor=actor_for(world.owner),
            brand=world.brand,
            ip_right=world.right,
            fields=FIELDS,
            rows=[row(world.listing.url)],
        )
    assert refused.value.code == "ip_right_unusable" and not ClaimBatch.objects.exists()


def test_it_refuses_a_missing_evidence_file_and_a_bad_file_in_the_zip(world):
    archive = zip_of({"shots/a.png": PNG, "b.png": b"MZ\x90\x00 not an image", "c.txt": b"<html><script>"})
    checked = check(
        world,
        [
            row(world.listing.url, evidence="a.png"),
            row(world.other_listing.url, evidence="missing.png; b.png"),
            row("https://market.example/none", evidence=""),
        ],
        archive=archive,
    )
    assert codes(checked) == [
        [],
        ["evidence_missing", "evidence_file_type"],
        ["listing_unknown", "evidence_none"],
    ]
    assert "missing.png" in row_problem_text(checked[1].problems[0])


def test_it_refuses_an_oversized_member_whatever_its_header_says(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    archive = zip_of({"big.png": PNG + b"\x00" * 2000})
    [checked] = check(world, [row(world.listing.url, evidence="big.png")], archive=archive)
    assert checked.problems[0]["code"] == "evidence_file_too_large"


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "/abs/shot.png", "a\\..\\b.png"])
def test_it_refuses_a_zip_with_a_path_leaving_its_folder(name):
    with pytest.raises(Invalid) as refused:
        zip_of({name: PNG})
    assert refused.value.code == "evidence_zip"


def test_it_refuses_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.png", b"\x00" * (50 * 1024 * 1024))
    buffer.seek(0)
    with pytest.raises(Invalid, match="unpacks to far more"):
        EvidenceArchive(buffer)


def test_it_refuses_a_file_that_is_not_a_zip():
    with pytest.raises(Invalid) as refused:
        EvidenceArchive(io.BytesIO(b"PK\x03\x04 but broken"))
    assert refused.value.code == "evidence_zip"


def test_it_says_stored_problems_in_the_readers_language(world):
    [checked] = check(world, [row(world.listing.url, "counterfit")])
    with translation.override("zh-hans"):
        chinese = row_problem_text(checked.problems[0])
    assert chinese != row_problem_text(checked.problems[0]) and "counterfit" in chinese


def test_it_files_and_submits_rows_with_their_own_evidence_and_leaves_no_draft(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.png", PNG)
        archive.writestr("b.png", b"not an image")
    upload = SimpleUploadedFile("evidence.zip", buffer.getvalue(), content_type="application/zip")
    batch = batch_create(
        actor=actor_for(world.owner),
        brand=world.brand,
        ip_right=world.right,
        fields=FIELDS,
        rows=[row(world.listing.url, evidence="a.png"), row(world.other_listing.url, evidence="b.png")],
        evidence_archive=upload,
    )
    assert batch.status == "done" and [e["row"] for e in batch.errors] == [2]
    claim = Claim.objects.get(batch=batch)
    assert claim.listing == world.listing and claim.state == "submitted" and claim.evidence.count() == 1
    assert not Claim.objects.filter(state="draft").exists()


def test_a_rows_files_take_the_kind_their_content_gives_as_a_single_filing_does(world):
    """A PDF is a document and a photo an image, whatever the file is called."""
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("shot.png", PNG)
        archive.writestr("invoice.pdf", pdf)
        archive.writestr("scan", PNG)  # no extension: the bytes say it is a photo
    upload = SimpleUploadedFile("evidence.zip", buffer.getvalue(), content_type="application/zip")
    batch = batch_create(
        actor=actor_for(world.owner),
        brand=world.brand,
        ip_right=world.right,
        fields=FIELDS,
        rows=[row(world.listing.url, evidence="shot.png; invoice.pdf; scan")],
        evidence_archive=upload,
    )
    kinds = {item.original_name: item.kind for item in Claim.objects.get(batch=batch).evidence.all()}
    assert kinds == {"shot.png": "image", "invoice.pdf": "document", "scan": "image"}
