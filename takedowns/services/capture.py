"""Capturing the listing when a claim is filed: the reviewer compares the evidence with the listing as it was,
not as the marketplace shows it by the time the claim is decided (a seller who edits the title or swaps the
photos after a notice changes nothing in the capture)."""

from __future__ import annotations

from django.utils import timezone

from core.statements import Statement
from merchants.models import Listing, ListingImage, Merchant
from takedowns.models import Claim, ListingCapture, ListingCaptureImage


def listing_capture_statements(*, claim: Claim, listing: Listing) -> list[Statement]:
    """The writes that copy the listing's fields and attributes and its seller's name and reference, and pin
    its photos (the rows, and so the files: they cannot be deleted while a capture names them) for `claim`.
    The caller runs them in the transaction that creates the claim, so a claim never exists without its
    capture. Each reads what it copies (the capture's key is the claim's), where the ORM took longer to build
    the capture's row than the database to write it; neither reads the other's rows (`write_together`)."""
    capture, image = ListingCapture._meta, ListingCaptureImage._meta
    return [
        (
            f"INSERT INTO {capture.db_table} (claim_id, captured_at, platform_ref, url, title, price, currency, "
            "seller_name, seller_ref, attributes) "
            "SELECT %s, %s, l.platform_ref, l.url, l.title, l.price, l.currency, m.name, m.platform_ref, "
            f"l.attributes FROM {Listing._meta.db_table} l JOIN {Merchant._meta.db_table} m ON m.id = l.merchant_id "
            "WHERE l.id = %s",
            [claim.pk, timezone.now(), listing.pk],
        ),
        (
            f"INSERT INTO {image.db_table} (capture_id, image_id, position) "
            f"SELECT %s, id, ROW_NUMBER() OVER (ORDER BY created_at, id) FROM {ListingImage._meta.db_table} "
            "WHERE listing_id = %s",
            [claim.pk, listing.pk],
        ),
    ]
