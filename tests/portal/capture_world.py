"""Claims filed through the filing service (so the listing is captured), for the review and merchant page
tests: a listing with attributes and two photos, evidence whose names and notes carry a person's data."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from merchants.models import Listing
from merchants.services.marketplace import listing_image_add
from takedowns.models import Claim, Evidence
from takedowns.services.filing import claim_create
from tests.lifecycle import PATHS, step

# A whole one-page PDF: `%PDF` is what the upload sniffer looks for.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def filed_claim(world, state: str, *, listing: Listing | None = None, brand=None, right=None) -> Claim:
    """A claim created by `claim_create` (the listing captured), evidenced, and moved to `state`."""
    listing = listing or world.listing
    Listing.objects.filter(pk=listing.pk).update(
        title="AURELIA tote bag, original", attributes={"brand": "Aurelia", "colour": "red"}
    )
    listing = Listing.objects.select_related("merchant").get(pk=listing.pk)
    for colour in ((200, 0, 0), (0, 0, 200)):
        listing_image_add(listing=listing, file=SimpleUploadedFile("p.png", png(colour), "image/png"))
    owner = world.owner if brand is None else world.other_owner
    claim = claim_create(
        actor=world.actor(owner),
        brand=brand or world.brand,
        ip_right=right or world.right,
        listing=listing,
        infringement_type="counterfeit",
        description="The logo is misprinted. Questions: jane.counsel@lawfirm.example",
        good_faith=True,
        accurate=True,
        signature="Jane Counsel",
    )
    photo = png((10, 200, 10))
    for name, content, content_type, kind in (
        ("jane_doe_test_buy.png", photo, "image/png", "test_purchase"),
        ("receipt_jane_doe.pdf", PDF, "application/pdf", "document"),
    ):
        Evidence.objects.create(
            claim=claim,
            file=ContentFile(content, name=f"stored.{name.rsplit('.', 1)[1]}"),
            original_name=name,
            sha256=hashlib.sha256(content).hexdigest(),
            content_type=content_type,
            size=len(content),
            kind=kind,
            note="Bought by Jane Doe, 12 High Street",
            uploaded_by=owner,
        )
    for name in PATHS[state]:
        if name == "enforce":
            claim.refresh_from_db()
            if claim.state == "taken_down":
                continue
        claim = step(world, claim, name, **({"actor": world.actor(owner)} if name == "submit" else {}))
    claim.refresh_from_db()
    assert claim.state == state, (claim.state, state)
    return claim
