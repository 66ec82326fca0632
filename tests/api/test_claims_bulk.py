import json

import pytest

from takedowns.models import Claim, ClaimBatch
from tests.api.conftest import FILING_MATRIX, assert_json_error, png, upload
from tests.factories import PNG, ListingFactory

pytestmark = pytest.mark.django_db

BULK = "/api/v1/claims/bulk/"
BATCHES = "/api/v1/claim-batches/"


def fields(world, **overrides):
    body = {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Counterfeit Aurelia totes.",
        "good_faith": True,
        "accurate": True,
        "signature": "Jane Counsel",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def csv_file(text: str, name: str = "claims.csv"):
    return upload(name, text.encode(), "text/csv")


@pytest.fixture
def batch(world, api):
    urls = [world.listing.url, world.other_listing.url]
    response = api(world.owner).post(BULK, fields(world, listing_urls=urls), format="json")
    assert response.status_code == 201
    return ClaimBatch.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("role, status", FILING_MATRIX)
def test_it_lets_only_the_brands_filers_file_in_bulk(world, as_role, role, status):
    response = as_role(role).post(BULK, fields(world, listing_urls=[world.listing.url]), format="json")
    if status == 201:
        assert response.status_code == 201
        body = response.json()
        assert {"id", "status", "total", "done", "errors"} <= set(body)
        assert (body["status"], body["total"], body["done"], body["errors"]) == ("done", 1, 1, [])
    else:
        assert_json_error(response, status)
        assert not Claim.objects.exists()


def test_it_answers_per_row_for_unknown_and_empty_urls(world, api):
    urls = [world.listing.url, "https://market.example/item/unknown", "  ", world.other_listing.url]
    body = api(world.owner).post(BULK, fields(world, listing_urls=urls), format="json").json()
    assert (body["status"], body["total"], body["done"], body["claims"]) == ("done", 4, 4, 2)
    assert [e["row"] for e in body["errors"]] == [2, 3]
    assert all(e["detail"] for e in body["errors"])
    claims = Claim.objects.filter(batch_id=body["id"])
    assert {c.listing_id for c in claims} == {world.listing.pk, world.other_listing.pk}
    assert {c.state for c in claims} == {"draft"}


def test_it_takes_a_csv_with_per_row_type_and_description(world, api):
    text = (
        "listing_url,infringement_type,description\n"
        f"{world.listing.url},trademark,Logo on the strap\n"
        f"{world.other_listing.url},,\n"
        "https://market.example/item/nope,,\n"
        f"{world.listing.url},theft,\n"
    )
    response = api(world.owner).post(BULK, {**fields(world), "file": csv_file(text)}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["total"], body["claims"]) == (4, 2)
    assert [e["row"] for e in body["errors"]] == [3, 4]
    first = Claim.objects.get(batch_id=body["id"], listing=world.listing)
    second = Claim.objects.get(batch_id=body["id"], listing=world.other_listing)
    assert (first.infringement_type, first.description) == ("trademark", "Logo on the strap")
    assert (second.infringement_type, second.description) == ("counterfeit", "Counterfeit Aurelia totes.")


def test_it_takes_listing_urls_as_a_json_string_in_a_form(world, api):
    form = {**fields(world), "listing_urls": json.dumps([world.listing.url])}
    response = api(world.owner).post(BULK, form, format="multipart")
    assert response.status_code == 201 and response.json()["claims"] == 1


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("url,description\nhttps://market.example/item/1,x\n", "listing_url"),
        ("", "empty"),
        ("listing_url\n", "at least one"),
    ],
)
def test_it_refuses_a_csv_without_rows_or_the_column(world, api, text, fragment):
    error = assert_json_error(
        api(world.owner).post(BULK, {**fields(world), "file": csv_file(text)}, format="multipart"), 400
    )
    assert fragment in error["detail"]
    assert not ClaimBatch.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"listing_url\n\xff\xfe\xfa not utf-8\n",
        b'listing_url,description\nhttps://market.example/item/1,"'
        + b"x" * 200_000
        + b'"\n',  # over csv's field limit
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_it_refuses_a_file_that_is_not_a_csv(world, api, content):
    form = {**fields(world), "file": upload("claims.csv", content, "text/csv")}
    assert_json_error(api(world.owner).post(BULK, form, format="multipart"), 400)
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"listing_urls": None}, "listing_urls"),
        ({"listing_urls": []}, "listing_urls"),
        ({"listing_urls": "https://market.example/item/1"}, "listing_urls"),
        ({"listing_urls": [1, 2]}, "listing_urls"),
        ({"listing_urls": {"url": "x"}}, "listing_urls"),
        ({"brand": None}, "brand"),
        ({"brand": 999999}, "brand"),
        ({"ip_right": 999999}, "ip_right"),
        ({"infringement_type": "theft"}, "infringement_type"),
        ({"good_faith": "perhaps"}, "good_faith"),
    ],
)
def test_it_refuses_bad_bulk_input(world, api, overrides, field):
    body = fields(world, listing_urls=[world.listing.url])
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    error = assert_json_error(api(world.owner).post(BULK, body, format="json"), 400)
    assert field in error
    assert not ClaimBatch.objects.exists()


def test_it_refuses_a_right_of_another_brand(world, api):
    body = fields(world, ip_right=world.other_right.pk, listing_urls=[world.listing.url])
    assert_json_error(api(world.owner).post(BULK, body, format="json"), 400)


def test_it_refuses_an_invalid_json_body_and_other_content_types(world, api):
    client = api(world.owner)
    assert_json_error(
        client.post(BULK, '{"brand": 1, "listing_urls": [', content_type="application/json"), 400
    )
    assert_json_error(client.post(BULK, "listing_url\nx", content_type="text/csv"), 415)


def test_it_files_a_large_batch_in_the_background(world, api, django_capture_on_commit_callbacks):
    listings = [ListingFactory(merchant=world.merchant) for _ in range(120)]
    urls = [item.url for item in listings] + ["https://market.example/item/unknown"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.owner).post(BULK, fields(world, listing_urls=urls), format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["total"] == 121 and body["status"] in ("pending", "running", "done")
    progress = api(world.owner).get(f"{BATCHES}{body['id']}/").json()
    assert (progress["status"], progress["done"], progress["total"], progress["claims"]) == (
        "done",
        121,
        121,
        120,
    )
    [error] = progress["errors"]
    assert (error["row"], error["code"], error["values"]["listing_url"]) == (
        121,
        "listing_unknown",
        "https://market.example/item/unknown",
    )
    assert error["detail"] == (
        "No listing with URL https://market.example/item/unknown is known to the marketplace."
    )
    assert not Claim.objects.filter(batch_id=body["id"], listing__url__contains="unknown").exists()


# --- batches ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 200),
        ("other_owner", 404),
        ("reviewer", 200),
        ("compliance", 200),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_a_batch_only_to_those_who_may_see_it(world, as_role, batch, role, status):
    response = as_role(role).get(f"{BATCHES}{batch.pk}/")
    if status == 200:
        assert response.status_code == 200 and response.json()["claims"] == 2
    else:
        assert_json_error(response, status)


@pytest.mark.parametrize(
    "role, count",
    [
        ("owner", 1),
        ("other_owner", 0),
        ("reviewer", 1),
        ("compliance", 1),
        ("platform", 0),
        ("merchant", 0),
        ("outsider", 0),
    ],
)
def test_it_lists_only_the_batches_a_role_may_see(as_role, batch, role, count):
    response = as_role(role).get(BATCHES)
    assert response.status_code == 200 and response.json()["count"] == count


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
def test_it_lets_only_the_brands_filers_add_evidence_to_a_batch(world, as_role, batch, role, status):
    response = as_role(role).post(
        f"{BATCHES}{batch.pk}/evidence/", {"file": png(), "kind": "image"}, format="multipart"
    )
    if status == 201:
        assert response.status_code == 201 and response.json() == {"attached": 2}
        assert all(c.evidence.count() == 1 for c in batch.claims.all())
    else:
        assert_json_error(response, status)
        assert not any(c.evidence.exists() for c in batch.claims.all())


def test_it_refuses_batch_evidence_from_compliance_even_when_the_batch_is_empty(world, api):
    body = fields(world, listing_urls=["https://market.example/item/unknown"])
    empty = api(world.owner).post(BULK, body, format="json").json()
    for user in (world.compliance, world.viewer, world.reviewer):
        assert_json_error(
            api(user).post(f"{BATCHES}{empty['id']}/evidence/", {"file": png()}, format="multipart"), 403
        )


@pytest.mark.parametrize(
    "form, field",
    [
        ({}, "file"),
        ({"file": upload("photo.png", b"<html><script>x</script></html>")}, "file"),
        ({"file": png(), "kind": "video"}, "kind"),
    ],
)
def test_it_refuses_bad_batch_evidence(world, api, batch, form, field):
    error = assert_json_error(
        api(world.owner).post(f"{BATCHES}{batch.pk}/evidence/", form, format="multipart"), 400
    )
    assert field in error
    assert not any(c.evidence.exists() for c in batch.claims.all())


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_lets_only_the_brands_filers_submit_a_batch(world, as_role, api, batch, role, status):
    api(world.owner).post(f"{BATCHES}{batch.pk}/evidence/", {"file": png()}, format="multipart")
    response = as_role(role).post(f"{BATCHES}{batch.pk}/submit/", {}, format="json")
    states = set(batch.claims.values_list("state", flat=True))
    if status == 200:
        assert response.status_code == 200 and response.json() == {"submitted": 2, "errors": []}
        assert states == {"submitted"}
    else:
        assert_json_error(response, status)
        assert states == {"draft"}


def test_it_reports_the_claims_a_batch_submit_could_not_submit(world, api, batch):
    body = api(world.owner).post(f"{BATCHES}{batch.pk}/submit/", {}, format="json").json()
    assert body["submitted"] == 0 and len(body["errors"]) == 2
    assert all(e["claim"].startswith("TD-") and "evidence" in e["detail"] for e in body["errors"])


def test_it_answers_404_for_an_unknown_batch(world, api):
    assert_json_error(api(world.owner).get(f"{BATCHES}999999/"), 404)
    assert_json_error(api(world.owner).post(f"{BATCHES}999999/submit/", {}, format="json"), 404)


def test_it_refuses_a_forbidden_file_for_a_batch_without_drafts(world, api):
    empty = (
        api(world.owner)
        .post(BULK, fields(world, listing_urls=["https://market.example/item/x"]), format="json")
        .json()
    )
    exe = upload("photo.png", b"MZ\x90\x00" + b"\x00" * 60)
    error = assert_json_error(
        api(world.owner).post(f"{BATCHES}{empty['id']}/evidence/", {"file": exe}, format="multipart"), 400
    )
    assert "file" in error


# --- the same checks as the preview: every row that cannot be filed is an error with its row number ----------
def _zip(files: dict):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return upload("evidence.zip", buffer.getvalue(), "application/zip")


def test_it_answers_every_row_that_cannot_be_filed_with_its_number_and_leaves_no_stuck_draft(world, api):
    from tests.factories import ClaimFactory

    held = ListingFactory(merchant=world.merchant)
    ClaimFactory(brand=world.brand, ip_right=world.right, listing=held, state="submitted")
    text = (
        "listing_url,infringement_type\n"
        f"{world.listing.url},\n"
        f"{world.other_listing.url},counterfit\n"
        f"{world.listing.url},\n"
        f"{held.url},\n"
        "https://market.example/item/nope,\n"
    )
    response = api(world.owner).post(BULK, {**fields(world), "file": csv_file(text)}, format="multipart")
    body = response.json()
    assert response.status_code == 201 and body["claims"] == 1
    assert [(e["row"], e["code"]) for e in body["errors"]] == [
        (2, "type_unknown"),
        (3, "row_duplicate"),
        (4, "open_claim"),
        (5, "listing_unknown"),
    ]
    assert all(e["detail"] and e["values"]["listing_url"] for e in body["errors"])
    assert Claim.objects.filter(batch_id=body["id"]).count() == 1


def test_it_files_and_submits_rows_with_their_own_evidence(world, api):
    text = f"listing_url,evidence\n{world.listing.url},a.png\n{world.other_listing.url},b.png\n"
    form = {**fields(world), "file": csv_file(text), "evidence_zip": _zip({"a.png": PNG, "b.png": b"MZ\x90"})}
    body = api(world.owner).post(BULK, form, format="multipart").json()
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "evidence_file_type")]
    claim = Claim.objects.get(batch_id=body["id"])
    assert claim.state == "submitted" and claim.evidence.count() == 1
    assert not Claim.objects.filter(state="draft").exists()


def test_it_answers_errors_in_the_readers_language(world, api):
    text = "listing_url\nhttps://market.example/item/nope\n"
    body = api(world.owner).post(BULK, {**fields(world), "file": csv_file(text)}, format="multipart").json()
    chinese = api(world.owner).get(f"{BATCHES}{body['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["errors"][0]["detail"] != body["errors"][0]["detail"]
    assert "https://market.example/item/nope" in chinese["errors"][0]["detail"]


@pytest.mark.parametrize(
    "archive, overrides",
    [
        ({"../escape.png": PNG}, {}),
        ({"a.png": PNG}, {"good_faith": False}),
    ],
)
def test_it_refuses_a_zip_leaving_its_folder_or_rows_it_could_not_submit(world, api, archive, overrides):
    text = f"listing_url,evidence\n{world.listing.url},a.png\n"
    form = {**fields(world, **overrides), "file": csv_file(text), "evidence_zip": _zip(archive)}
    assert_json_error(api(world.owner).post(BULK, form, format="multipart"), 400)
    assert not ClaimBatch.objects.exists() and not Claim.objects.exists()
