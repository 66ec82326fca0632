"""Fixtures for the REST API tests: the roles of the permission matrix, uploads, a clean throttle cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PNG

# Every role of the permission matrix, by the `world` attribute that holds its user (None: anonymous).
ROLES = {
    "anonymous": None,
    "owner": "owner",
    "agent": "agent",
    "viewer": "viewer",
    "other_owner": "other_owner",
    "reviewer": "reviewer",
    "compliance": "compliance",
    "platform": "platform",
    "merchant": "merchant_user",
    "outsider": "outsider",
}


# Who may file (claims, bulk claims, IP rights) for the world's brand, and what the others get.
FILING_MATRIX = [
    ("anonymous", 401),
    ("owner", 201),
    ("agent", 201),
    ("viewer", 403),
    ("other_owner", 400),  # another tenant's brand is not a valid choice for it
    ("reviewer", 403),
    ("compliance", 403),
    ("platform", 403),
    ("merchant", 403),
    ("outsider", 403),
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The throttles count in the cache; the matrix sends far more anonymous requests than a minute allows.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_role(world, api):
    """`as_role("reviewer")` → an APIClient for that role of the matrix."""

    def make(role: str):
        attr = ROLES[role]
        return api(getattr(world, attr) if attr else None)

    return make


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def assert_json_error(response, status: int) -> dict:
    """A JSON error of the documented shape, never HTML or a traceback."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert body.get("code"), body
    assert "Traceback" not in response.content.decode()
    return body
