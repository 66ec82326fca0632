"""Uploads held between two submissions of a portal form.

A browser forgets the files chosen in a form once the page comes back with an error, so a form that fails
validation would make its user choose every file again. Instead each file that passes the upload checks
(`core.uploads.upload_check`) is kept under `staged/` in the file storage, and the page carries a signed
token for it: the token names the stored file, its original name and type, and the user it belongs to, so
nobody can claim another user's file or any other stored path. A staged file is used up when the form
succeeds, and `staged_purge` (hourly, Celery beat) removes what was abandoned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.uploads import stored_name, upload_check

STAGED_DIR = "staged"
STAGED_MAX_AGE = timedelta(days=1)
_SALT = "core.staged"


@dataclass(frozen=True)
class Staged:
    token: str
    path: str
    name: str
    content_type: str
    size: int

    def open(self) -> File:
        """The stored file under its original name, as an upload would arrive (`checked_upload` checks it
        again and gives it a stored name of its own)."""
        return File(default_storage.open(self.path, "rb"), name=self.name)

    def discard(self) -> None:
        default_storage.delete(self.path)


def stage(file, *, user_id: int, field: str = "evidence") -> Staged:
    """Check an upload as evidence is checked and keep it for this user; Invalid (keyed by `field`, naming
    the file) when it would be refused anyway."""
    name = (getattr(file, "name", "") or "")[:255]
    try:
        content_type = upload_check(file, field=field)
    except Invalid as exc:
        message = f"{name}: {exc.detail}" if name else str(exc.detail)
        raise Invalid(message, code=exc.code, extra={"fields": {field: [message]}}) from exc
    file.seek(0)
    path = default_storage.save(f"{STAGED_DIR}/{stored_name(content_type)}", file)
    token = signing.dumps({"p": path, "n": name, "t": content_type, "s": file.size, "u": user_id}, salt=_SALT)
    return Staged(token=token, path=path, name=name, content_type=content_type, size=file.size)


def unstage(token: str, *, user_id: int) -> Staged:
    """The staged file a token names, when the token is this user's, unaltered, recent and its file is still
    there; Invalid otherwise (the user chooses the file again)."""
    gone = Invalid(_("A file chosen earlier is no longer held; choose it again."), code="staged_gone")
    try:
        data = signing.loads(token, salt=_SALT, max_age=STAGED_MAX_AGE)
    except signing.BadSignature as exc:
        raise gone from exc
    path = data.get("p", "")
    if data.get("u") != user_id or not path.startswith(f"{STAGED_DIR}/") or ".." in path:
        raise gone
    if not default_storage.exists(path):
        raise gone
    return Staged(token=token, path=path, name=data["n"], content_type=data["t"], size=int(data["s"]))


def staged_purge(now=None) -> int:
    """Remove staged files older than a day (abandoned forms); the number removed."""
    return files_purge(STAGED_DIR, now=now)


def files_purge(directory: str, *, now=None, keep=frozenset()) -> int:
    """Remove the files of a storage folder older than `STAGED_MAX_AGE`, except the names in `keep`; the
    number removed."""
    cutoff = (now or timezone.now()) - STAGED_MAX_AGE
    directory = directory.rstrip("/")
    try:
        _dirs, names = default_storage.listdir(directory)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{directory}/{name}"
        if path not in keep and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
