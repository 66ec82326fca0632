"""Guessing passwords locks the account name, and separately the address, for a while (django-axes)."""

import pytest
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"


def _sign_in(username: str, password: str, address: str = "203.0.113.7", path: str = "/login/"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_it_locks_an_account_after_repeated_wrong_passwords_even_from_new_addresses(world, settings, path):
    settings.AXES_FAILURE_LIMIT = 5
    for attempt in range(4):
        assert _sign_in("owner", "wrong-password", f"198.51.100.{attempt}", path).status_code == 200
    assert _sign_in("owner", "wrong-password", "198.51.100.9", path).status_code == 429  # the fifth locks
    locked = _sign_in("owner", PASSWORD, "192.0.2.99", path)
    assert locked.status_code == 429 and b"temporarily locked" in locked.content
    assert "_auth_user_id" not in locked.client.session


def test_it_locks_an_address_that_tries_many_accounts(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for name in ("a", "b", "c", "d", "e"):
        _sign_in(name, "wrong-password")
    assert _sign_in("owner", PASSWORD).status_code == 429  # same address
    assert _sign_in("owner", PASSWORD, "192.0.2.50").status_code == 302  # another address signs in


def test_a_success_resets_the_count(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _sign_in("owner", "wrong-password")
    assert _sign_in("owner", PASSWORD).status_code == 302
    for _ in range(2):
        _sign_in("owner", "wrong-password")
    assert _sign_in("owner", PASSWORD).status_code == 302


def test_the_api_token_endpoint_counts_towards_the_lockout(world, settings, api):
    settings.AXES_FAILURE_LIMIT = 3
    answers = [
        api()
        .post("/api/v1/auth/token/", {"username": "viewer", "password": "nope"}, format="json")
        .status_code
        for _ in range(3)
    ]
    assert answers == [400, 400, 429]  # the third failure locks
    refused = api().post("/api/v1/auth/token/", {"username": "viewer", "password": PASSWORD}, format="json")
    assert (
        refused.status_code == 429
        and refused.json()["code"] == "locked_out"
        and "token" not in refused.json()
    )


def test_new_passwords_follow_the_policy(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = UserFactory(username="jordan.reviewer", email="jordan@example.com")
    for weak in ("short-pw-1", "jordan.reviewer1", "123456789012345", "password1234"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("correct horse staple 26", user)
