"""Capturing the listing when a claim is filed: the reviewer compares the evidence with the listing as it was,
not as the marketplace shows it by the time the claim is decided (a seller who edits the title or swaps the
photos after a notice changes nothing in the capture)."""

from __future__ import annotations

from django.db import connection

from merchants.models import Listing, ListingImage
from takedowns.models import Claim, ListingCapture, ListingCaptureImage


def listing_capture(*, claim: Claim, listing: Listing) -> ListingCapture:
    """Copy the listing's fields and attributes and pin its photos (the rows, and so the files: they cannot
    be deleted while a capture names them) for `claim`. Run in the transaction that creates the claim, so a
    claim never exists without its capture. Two queries: the capture, and its photos read and pinned."""
    capture = ListingCapture.objects.create(
        claim=claim,
        platform_ref=listing.platform_ref,
        url=listing.url,
        title=listing.title,
        price=listing.price,
        currency=listing.currency,
        seller_name=listing.merchant.name,
        seller_ref=listing.merchant.platform_ref,
        attributes=dict(listing.attributes or {}),
    )
    # The photos pinned in the same round trip as they are read.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ListingCaptureImage._meta.db_table} (capture_id, image_id, position) "
            f"SELECT %s, id, ROW_NUMBER() OVER (ORDER BY created_at, id) FROM {ListingImage._meta.db_table} "
            "WHERE listing_id = %s",
            [capture.pk, listing.pk],
        )
    return capture
