"""Upload checks shared by every file the apps keep: the type is sniffed from the bytes, never taken from
the name, and markup is never accepted."""

from __future__ import annotations

import hashlib
import re
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.errors import Invalid

ALLOWED_EVIDENCE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
}

# What a file name promises: a name ending in one of these must hold that kind of content.
EXTENSION_TYPES = {
    "png": "image/",
    "jpg": "image/",
    "jpeg": "image/",
    "gif": "image/",
    "webp": "image/",
    "pdf": "application/pdf",
    "txt": "text/plain",
}

# The extension a stored file gets, from its sniffed type: never the one its uploader chose.
STORED_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
}

# Markup is text to a sniffer but runs as a page (or an SVG script) when a browser opens it.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.IGNORECASE)


def sniff_content_type(head: bytes) -> str | None:
    """What the bytes are, whatever the file name says: images, PDF, or plain UTF-8 text (never markup)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is still text
        if exc.start < len(head) - 4:
            return None
    if MARKUP.search(head):
        return None
    return "text/plain"


def upload_check(
    file,
    *,
    allowed=ALLOWED_EVIDENCE_TYPES,
    accepted: str = "images (JPEG, PNG, GIF, WebP), PDF and plain text",
    field: str = "file",
) -> str:
    """The sniffed content type of an upload, or Invalid (keyed by `field`) when it is empty, too large, of a
    type we do not keep, or not what its name says it is."""

    def refuse(message: str, code: str):
        return Invalid(message, code=code, extra={"fields": {field: [message]}})

    if file is None:
        raise refuse(_("Attach a file."), "file_required")
    if file.size > settings.EVIDENCE_MAX_BYTES:
        raise refuse(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            "file_too_large",
        )
    if file.size == 0:
        raise refuse(_("The file is empty."), "file_empty")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None or content_type not in allowed:
        raise refuse(_("Only %(accepted)s are accepted.") % {"accepted": accepted}, "file_type")
    name = getattr(file, "name", "") or ""
    promised = EXTENSION_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if promised and not content_type.startswith(promised):
        raise refuse(
            _("The file is named %(name)s but holds %(type)s.") % {"name": name[:100], "type": content_type},
            "file_type",
        )
    if content_type.startswith("image/") and not _is_whole_image(file):
        raise refuse(_("The image is damaged or not an image at all."), "file_type")
    return content_type


def _is_whole_image(file) -> bool:
    """Pillow reads the image's structure: a file that only starts like a PNG (a polyglot, a truncated or
    crafted file) is refused."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        file.seek(0)
    return True


def stored_name(content_type: str) -> str:
    """A random name with the extension of the sniffed type: the uploader's file name is kept only as data."""
    return f"{uuid.uuid4().hex}.{STORED_EXTENSIONS.get(content_type, 'bin')}"


def store_as(file, content_type: str):
    """Give an upload its stored name before it is saved (the original name is the caller's to keep)."""
    file.name = stored_name(content_type)
    return file


def checked_upload(
    file,
    *,
    allowed=ALLOWED_EVIDENCE_TYPES,
    accepted: str = "images (JPEG, PNG, GIF, WebP), PDF and plain text",
    field: str = "file",
) -> dict:
    """An upload checked (`upload_check`) and named for storage, with the columns every kept file has:
    `file`, `original_name` (as data only), `sha256`, `content_type`, `size`."""
    original_name = (getattr(file, "name", "") or "")[:255]  # before `store_as` renames it
    content_type = upload_check(file, allowed=allowed, accepted=accepted, field=field)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return {
        "file": store_as(file, content_type),
        "original_name": original_name,
        "sha256": digest.hexdigest(),
        "content_type": content_type,
        "size": file.size,
    }


class FileTooLarge(RequestDataTooBig):
    code = "file_too_large"


# Bulk filing's per-row evidence arrives as one ZIP (the field `evidence_zip` of these two paths), of up to
# EVIDENCE_ARCHIVE_MAX_BYTES; every other file, and every file inside the ZIP, is held to EVIDENCE_MAX_BYTES.
ARCHIVE_FIELD = "evidence_zip"
ARCHIVE_PATHS = frozenset({"/claims/bulk/", "/api/v1/claims/bulk/"})


def request_max_bytes(path: str) -> int:
    """The largest body a request to `path` may declare."""
    extra = settings.EVIDENCE_ARCHIVE_MAX_BYTES if path in ARCHIVE_PATHS else 0
    return settings.MAX_REQUEST_BYTES + extra


class FileSizeLimitHandler(FileUploadHandler):
    """Stops an upload as soon as one file passes the largest size we keep (`EVIDENCE_MAX_BYTES`, or for the
    bulk filing's evidence ZIP `EVIDENCE_ARCHIVE_MAX_BYTES`), while it is still arriving, instead of after the
    whole file sits on disk."""

    limit = 0

    def new_file(self, field_name, *args, **kwargs):
        archive = field_name == ARCHIVE_FIELD and getattr(self.request, "path", "") in ARCHIVE_PATHS
        self.limit = settings.EVIDENCE_ARCHIVE_MAX_BYTES if archive else settings.EVIDENCE_MAX_BYTES
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        limit = self.limit or settings.EVIDENCE_MAX_BYTES
        if start + len(raw_data) > limit:
            raise FileTooLarge(
                _("The file is larger than %(mb)s MB; nothing was kept.")
                % {"mb": max(limit // (1024 * 1024), 1)}
            )
        return raw_data

    def file_complete(self, file_size):
        return None
