import pytest

from brands.models import IPRight
from core.models import AuditEvent
from tests.api.conftest import FILING_MATRIX, assert_json_error, png, upload
from tests.factories import IPRightFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/ip-rights/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def verify_url(right):
    return f"/api/v1/ip-rights/{right.pk}/verify/"


def right_form(for_brand, **overrides):
    form = {
        "brand": for_brand.pk,
        "kind": "trademark",
        "mark": "AURELIA",
        "registration_number": "018000001",
        "office": "EUIPO",
        "classes": "18,25",
        "valid_from": "2020-01-01",
        "valid_until": "2030-01-01",
        "certificate": upload("certificate.pdf", PDF, "application/pdf"),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


@pytest.mark.parametrize(
    "role, marks",
    [
        ("owner", ["AURELIA"]),
        ("agent", ["AURELIA"]),
        ("viewer", ["AURELIA"]),
        ("other_owner", ["NORTHPEAK"]),
        ("reviewer", ["AURELIA", "NORTHPEAK"]),
        ("compliance", ["AURELIA", "NORTHPEAK"]),
        ("platform", []),
        ("merchant", []),
        ("outsider", []),
    ],
)
def test_it_lists_only_the_rights_a_role_may_see(as_role, role, marks):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    assert sorted(r["mark"] for r in response.json()["results"]) == marks


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
def test_it_shows_a_right_only_to_those_who_may_see_it(world, as_role, role, status):
    response = as_role(role).get(f"{LIST}{world.right.pk}/")
    if status == 200:
        assert response.status_code == 200 and response.json()["status"] == "verified"
    else:
        assert_json_error(response, status)


@pytest.mark.parametrize("role, status", FILING_MATRIX)
def test_it_lets_only_the_brands_filers_register_a_right(world, as_role, role, status):
    response = as_role(role).post(LIST, right_form(world.brand), format="multipart")
    if status != 201:
        assert_json_error(response, status)
        assert not IPRight.objects.filter(registration_number="018000001").exists()
        return
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["classes"] == "18,25" and body["certificate"]
    right = IPRight.objects.get(pk=body["id"])
    assert right.brand == world.brand and right.certificate.read() == PDF


def test_it_accepts_classes_as_a_repeated_field(world, api):
    form = right_form(world.brand, classes=["18", "25"])
    response = api(world.owner).post(LIST, form, format="multipart")
    assert response.status_code == 201 and response.json()["classes"] == "18,25"


def test_it_accepts_a_json_body_without_a_certificate(world, api):
    form = right_form(world.brand, certificate=None, classes=[9, 35])
    response = api(world.owner).post(LIST, form, format="json")
    assert response.status_code == 201 and response.json()["classes"] == "9,35"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"brand": None}, "brand"),
        ({"brand": 999999}, "brand"),
        ({"brand": "abc"}, "brand"),
        ({"kind": "secret_recipe"}, "kind"),
        ({"mark": None}, "mark"),
        ({"registration_number": None}, "registration_number"),
        ({"office": None}, "office"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"valid_from": "2030-01-01", "valid_until": "2020-01-01"}, "valid_until"),
        ({"certificate": "not a file"}, "certificate"),
    ],
)
def test_it_refuses_bad_right_input(world, api, overrides, field):
    body = assert_json_error(
        api(world.owner).post(LIST, right_form(world.brand, **overrides), format="multipart"), 400
    )
    assert field in body


@pytest.mark.parametrize(
    "name, content",
    [
        ("certificate.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("certificate.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ],
)
def test_it_refuses_a_certificate_that_is_not_a_pdf_or_image(world, api, name, content):
    form = right_form(world.brand, certificate=upload(name, content))
    body = assert_json_error(api(world.owner).post(LIST, form, format="multipart"), 400)
    assert "certificate" in body
    assert not IPRight.objects.filter(registration_number="018000001").exists()


def test_it_accepts_an_image_certificate(world, api):
    response = api(world.owner).post(
        LIST, right_form(world.brand, certificate=png("scan.png")), format="multipart"
    )
    assert response.status_code == 201


def test_it_refuses_a_duplicate_registration(world, api):
    assert api(world.owner).post(LIST, right_form(world.brand), format="multipart").status_code == 201
    assert_json_error(api(world.owner).post(LIST, right_form(world.brand), format="multipart"), 409)


# --- verification ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 200),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_lets_only_reviewers_verify_a_right(world, as_role, role, status):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    response = as_role(role).post(
        verify_url(right), {"decision": "verified", "note": "Checked the register."}, format="json"
    )
    right.refresh_from_db()
    if status == 200:
        assert response.status_code == 200 and response.json()["status"] == "verified"
        assert right.status == "verified" and right.reviewed_at is not None
        assert AuditEvent.objects.filter(action="ip_right_verified", object_id=str(right.pk)).exists()
    else:
        assert_json_error(response, status)
        assert right.status == "pending"


def test_it_rejects_a_right_with_a_note(world, api):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    response = api(world.reviewer).post(
        verify_url(right), {"decision": "rejected", "note": "Not on the register."}, format="json"
    )
    assert response.status_code == 200
    assert (
        response.json()["status"] == "rejected" and response.json()["review_note"] == "Not on the register."
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "decision"),
        ({"decision": "approved"}, "decision"),
        ({"decision": ["verified"]}, "decision"),
        ({"decision": "rejected"}, "note"),
        ({"decision": "rejected", "note": "   "}, "note"),
    ],
)
def test_it_refuses_a_bad_decision(world, api, body, field):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    error = assert_json_error(api(world.reviewer).post(verify_url(right), body, format="json"), 400)
    assert field in error


def test_it_refuses_to_decide_twice(world, api):
    body = assert_json_error(
        api(world.reviewer).post(
            verify_url(world.right), {"decision": "rejected", "note": "x"}, format="json"
        ),
        409,
    )
    assert body["code"] == "already_reviewed"


def test_it_answers_404_for_an_unknown_right(world, api):
    assert_json_error(
        api(world.reviewer).post("/api/v1/ip-rights/999999/verify/", {"decision": "verified"}, format="json"),
        404,
    )


def test_it_refuses_an_invalid_json_body(world, api):
    right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    assert_json_error(api(world.reviewer).post(verify_url(right), "{", content_type="application/json"), 400)
