import re

import pytest

pytestmark = pytest.mark.django_db


def test_it_serves_an_openapi_3_schema(api):
    response = api().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/brands/",
        "/api/v1/ip-rights/",
        "/api/v1/ip-rights/{id}/verify/",
        "/api/v1/merchants/",
        "/api/v1/listings/",
        "/api/v1/listings/bulk/",
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/evidence/",
        "/api/v1/claims/{id}/transitions/{name}/",
        "/api/v1/claims/bulk/",
        "/api/v1/claim-batches/{id}/",
        "/api/v1/claim-batches/{id}/evidence/",
        "/api/v1/claim-batches/{id}/submit/",
        "/api/v1/audit-events/",
    ]:
        assert path in paths, path


def test_it_serves_the_schema_as_yaml_by_default(api):
    response = api().get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_it_serves_docs_without_a_cdn(api, settings):
    # Tests run without collectstatic, so the manifest storage has no entries to hash against.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = api().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
    # Every script and stylesheet comes from our own static files.
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html
