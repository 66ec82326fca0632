"""Static files with DEBUG off: the manifest `collectstatic` writes must exist before the app serves pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def require_collected_static() -> None:
    """Refuse to start when the static files were not collected: every page would fail to render."""
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"Static files are not collected in {settings.STATIC_ROOT}: run `manage.py collectstatic` before "
            "starting the web server (with DEBUG off the pages link to the hashed names it writes)."
        )
