"""Serving stored files: only through views that check who may read them, with the type sniffed from the
bytes and never guessed from a name, and never as something a browser would run."""

from __future__ import annotations

from django.http import FileResponse

from core.uploads import ALLOWED_EVIDENCE_TYPES, sniff_content_type

# Shown in the browser: images and PDF, in a page of their own that may load nothing and run nothing.
# (A PDF is not sandboxed: browsers refuse to show a PDF in a sandboxed document.)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
PDF_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
# Everything else is a download, under a policy that gives it no origin and no script even if opened.
ATTACHMENT_POLICY = "default-src 'none'; sandbox"


# What `file_response` answers, for the OpenAPI schema: the sniffed type of a file we accepted, or a plain
# download when the bytes are no longer recognised.
FILE_RESPONSES = {
    (200, content_type): bytes
    for content_type in (*sorted(ALLOWED_EVIDENCE_TYPES), "application/octet-stream")
}


def file_response(field_file, *, download_name: str = "") -> FileResponse:
    """The stored file for a reader who was already allowed to see it."""
    handle = field_file.open("rb")
    head = handle.read(8192)
    handle.seek(0)
    content_type = sniff_content_type(head) or "application/octet-stream"
    inline = content_type in IMAGE_TYPES or content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=download_name or field_file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        IMAGE_POLICY if content_type in IMAGE_TYPES else PDF_POLICY if inline else ATTACHMENT_POLICY
    )
    response["Cache-Control"] = "private, no-store"
    return response
