"""Portal tests render real templates: serve static files without the collectstatic manifest."""

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def client_for(db):
    """`client_for(user)` → a Django test client signed in as that user."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
