"""Test purchases for the tests: real small photos made with Pillow, and purchases recorded through the service."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core.roles import actor_for
from takedowns.services import test_purchases as purchases


def photo_bytes(shade: int = 0, fmt: str = "JPEG") -> bytes:
    """A 48×48 photo with a diagonal band (so its perceptual hash is not flat), in JPEG or PNG."""
    image = Image.new("RGB", (48, 48), (240, 240 - shade, 230))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 0), (24, 0), (48, 48), (24, 48)], fill=(30 + shade, 60, 120))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "parcel.jpg", shade: int = 0) -> SimpleUploadedFile:
    fmt = "PNG" if name.endswith(".png") else "JPEG"
    return SimpleUploadedFile(name, photo_bytes(shade, fmt), content_type=f"image/{fmt.lower()}")


def record_purchase(world, verdict: str = "counterfeit", *, user=None, brand=None, listing=None, **fields):
    """A test purchase of the world's brand (unless given) on the world's listing, by its owner."""
    values = {
        "order_ref": f"ORD-{verdict}-{fields.pop('n', 1)}",
        "ordered_on": dt.date(2026, 1, 15),
        "amount": Decimal("49.90"),
        "currency": "EUR",
        "notes": "Stitching uneven, logo misprinted.",
        "photos": [photo()],
        **fields,
    }
    return purchases.test_purchase_create(
        actor=actor_for(user or world.owner),
        brand=brand or world.brand,
        listing=listing or world.listing,
        verdict=verdict,
        **values,
    )
