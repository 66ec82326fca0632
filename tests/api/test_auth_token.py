import pytest

from tests.api.conftest import assert_json_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def test_it_returns_a_token_for_good_credentials(world, api):
    response = api().post(URL, {"username": "owner", "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}

    # The token works on the API.
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/brands/").status_code == 200


def test_it_returns_the_same_token_twice(world, api):
    first = (
        api().post(URL, {"username": "owner", "password": "pw-for-tests-1"}, format="json").json()["token"]
    )
    second = (
        api().post(URL, {"username": "owner", "password": "pw-for-tests-1"}, format="json").json()["token"]
    )
    assert first == second


def test_it_accepts_a_form_body(world, api):
    response = api().post(URL, {"username": "owner", "password": "pw-for-tests-1"})
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "owner", "password": "wrong"},
        {"username": "nobody", "password": "pw-for-tests-1"},
        {"username": "owner"},
        {"password": "pw-for-tests-1"},
        {},
        {"username": ["owner"], "password": 1},
    ],
)
def test_it_refuses_bad_credentials_with_json(world, api, body):
    body = assert_json_error(api().post(URL, body, format="json"), 400)
    assert "token" not in body


def test_it_refuses_an_invalid_json_body(world, api):
    assert_json_error(api().post(URL, '{"username": ', content_type="application/json"), 400)


def test_it_refuses_an_unsupported_content_type(world, api):
    assert_json_error(api().post(URL, "<xml/>", content_type="application/xml"), 415)


def test_it_refuses_get(world, api):
    assert_json_error(api().get(URL), 405)


def test_it_refuses_an_unknown_token(world, api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert_json_error(client.get("/api/v1/claims/"), 401)
