"""With STAFF_REQUIRE_2FA, reviewers and compliance officers enrol an authenticator and confirm its codes."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def second_factor(settings):
    settings.STAFF_REQUIRE_2FA = True


def _code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_reviewer_enrols_an_app_then_works(world, client_for):
    client = client_for(world.reviewer)
    first = client.get("/queue/")
    assert first.status_code == 302 and first["Location"].startswith("/account/two-factor/?next=/queue/")
    assert client.get("/api/v1/claims/").json()["code"] == "otp_required"
    page = client.get(first["Location"]).content.decode()
    assert "Set up your authenticator app" in page and re.search(r'src="data:image/svg\+xml;base64,', page)
    device = TOTPDevice.objects.get(user=world.reviewer)
    assert not device.confirmed
    assert (
        b"does not match"
        in client.post("/account/two-factor/", {"code": "123456", "next": "/queue/"}).content
    )
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try down (django-otp's throttling); not the subject here
    done = client.post("/account/two-factor/", {"code": _code(device), "next": "/queue/"})
    assert done.status_code == 302 and done["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200 and client.get("/api/v1/claims/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_an_enrolled_officer_confirms_a_code_each_session(world, client_for):
    device = TOTPDevice.objects.create(user=world.compliance, name="app", confirmed=True)
    client = client_for(world.compliance)
    page = client.get("/account/two-factor/").content.decode()
    assert "Enter the code" in page and "data:image/svg" not in page  # no new enrolment offered
    assert client.post("/account/two-factor/", {"code": _code(device)}).status_code == 302
    assert client.get("/reports/").status_code == 200


def test_brand_users_and_merchants_are_not_asked(world, client_for):
    assert client_for(world.owner).get("/claims/").status_code == 200
    assert client_for(world.merchant_user).get("/claims/").status_code == 200


def test_it_asks_nothing_when_not_required(world, client_for, settings):
    settings.STAFF_REQUIRE_2FA = False
    assert client_for(world.reviewer).get("/queue/").status_code == 200
