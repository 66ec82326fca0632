"""What every endpoint shares: JSON errors for unknown URLs, methods and content types; never HTML."""

import pytest

from tests.api.conftest import assert_json_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/claims/1/transitions/",
        "/api/v1/claims/1/whatever/",
        "/api/v1/claims/bulk/extra/",
        "/api/v2/claims/",
        "/api/v1/reports/nope/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_json_404_for_an_unknown_url(world, api, path, method):
    response = getattr(api(world.owner), method)(path, {}, format="json")
    assert_json_error(response, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/brands/",
        "/api/v1/ip-rights/",
        "/api/v1/merchants/",
        "/api/v1/listings/",
        "/api/v1/claims/",
        "/api/v1/claim-batches/",
        "/api/v1/audit-events/",
    ],
)
def test_it_answers_json_401_without_credentials(path, api):
    body = assert_json_error(api().get(path), 401)
    assert body["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/bulk/",
        "/api/v1/listings/bulk/",
        "/api/v1/claim-batches/",
        "/api/v1/auth/token/",
    ],
)
def test_it_answers_json_405_for_a_wrong_method(world, api, path):
    assert_json_error(api(world.reviewer).put(path, {}, format="json"), 405)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/brands/",
        "/api/v1/ip-rights/",
        "/api/v1/merchants/",
        "/api/v1/listings/",
        "/api/v1/listings/bulk/",
        "/api/v1/claims/",
        "/api/v1/claims/bulk/",
        "/api/v1/auth/token/",
    ],
)
def test_it_answers_json_to_a_malformed_body_on_every_write(world, api, path):
    client = api(
        world.owner if "claims" in path or "brands" in path or "ip-rights" in path else world.platform
    )
    assert_json_error(client.post(path, b"\xff\xfe{{", content_type="application/json"), 400)
    assert_json_error(client.post(path, "a: b", content_type="application/yaml"), 415)


def test_it_answers_a_form_with_too_many_fields_with_json(world, api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    form = {f"field{n}": "x" for n in range(20)}
    assert_json_error(api(world.owner).post("/api/v1/claims/", form), 400)


def test_it_answers_a_body_over_the_upload_limit_with_json(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = assert_json_error(
        api(world.platform).post(
            "/api/v1/merchants/", {"platform_ref": "M", "name": "x" * 5000}, format="json"
        ),
        413,
    )
    assert body["code"] == "request_too_large"


@pytest.mark.parametrize(
    "path, user",
    [("/api/v1/auth/token/", None), ("/api/v1/merchants/", "platform"), ("/api/v1/claims/", "owner")],
)
@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_it_answers_400_to_json_nested_too_deeply(world, api, path, user, opening, closing):
    body = opening * 5000 + "1" + closing * 5000
    response = api(getattr(world, user) if user else None).post(path, body, content_type="application/json")
    error = assert_json_error(response, 400)
    assert error["code"] == "parse_error"
