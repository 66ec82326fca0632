"""Capturing the listing when a claim is filed: the reviewer compares the evidence with the listing as it was,
not as the marketplace shows it by the time the claim is decided (a seller who edits the title or swaps the
photos after a notice changes nothing in the capture)."""

from __future__ import annotations

from merchants.models import Listing
from takedowns.models import Claim, ListingCapture, ListingCaptureImage


def listing_capture(*, claim: Claim, listing: Listing) -> ListingCapture:
    """Copy the listing's fields and attributes and pin its photos (the rows, and so the files: they cannot
    be deleted while a capture names them) for `claim`. Run in the transaction that creates the claim, so a
    claim never exists without its capture. Two queries (the capture written, the photos read), three when
    the listing has photos."""
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
    image_ids = list(listing.images.order_by("created_at", "id").values_list("pk", flat=True))
    if image_ids:
        ListingCaptureImage.objects.bulk_create(
            ListingCaptureImage(capture=capture, image_id=image_id, position=position)
            for position, image_id in enumerate(image_ids, start=1)
        )
    return capture
