"""Perceptual hashes of images, and the indexed lookup of near matches.

A hash is imagehash's 64-bit difference hash (dHash): the image in grey at 9×8 pixels, one bit per pair of
neighbouring pixels. Resizing and re-encoding barely move it; a different photo lands about 32 bits away.
Two images are a near match when their hashes differ in at most `IMAGE_MATCH_DISTANCE` bits.

The lookup is multi-index hashing: each hash is stored whole and as four 16-bit quarters, each quarter
indexed. Two hashes within d bits differ in at most ⌊d/4⌋ bits in one of their quarters (pigeonhole), so the
candidates are the rows whose quarter equals one of the query's quarters with up to ⌊d/4⌋ bits flipped (17
values per quarter for d ≤ 7): four index lookups, a few rows each, checked exactly in Python. The same
query runs on PostgreSQL and SQLite. (Measured at a million images: docs/scaling.md.)
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import imagehash
from django.db import models
from django.db.models import Q
from PIL import Image, UnidentifiedImageError

QUARTERS = ("phash_q0", "phash_q1", "phash_q2", "phash_q3")


def perceptual_hash(file) -> int | None:
    """The 64-bit dHash of an image file (as a signed integer, to fit a PostgreSQL bigint), or None when the
    file is not an image Pillow can read (a PDF, a text, a truncated upload)."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.draft("L", (64, 64))  # JPEGs decode at a fraction of their size: the hash needs 9×8 pixels
            digest = imagehash.dhash(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)
    value = int(str(digest), 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def quarters(value: int) -> tuple[int, int, int, int]:
    unsigned = value & ((1 << 64) - 1)
    return tuple((unsigned >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def _within(quarter: int, bits: int) -> list[int]:
    """Every 16-bit value at most `bits` bits away from `quarter`."""
    values = [quarter]
    for flipped in range(1, bits + 1):
        for positions in combinations(range(16), flipped):
            mask = 0
            for p in positions:
                mask |= 1 << p
            values.append(quarter ^ mask)
    return values


def near_filter(value: int, max_distance: int) -> Q:
    """The candidate rows for `value`: some quarter within ⌊max_distance/4⌋ bits of the query's."""
    condition = Q()
    for name, quarter in zip(QUARTERS, quarters(value), strict=True):
        condition |= Q(**{f"{name}__in": _within(quarter, max_distance // 4)})
    return condition


def fingerprint_fields(value: int | None) -> dict:
    """The column values for a hash (all None for a file that is not an image)."""
    if value is None:
        return {"phash": None, **dict.fromkeys(QUARTERS)}
    return {"phash": value, **dict(zip(QUARTERS, quarters(value), strict=True))}


class Fingerprinted(models.Model):
    """The columns of an image's perceptual hash; each quarter indexed (the lookup above)."""

    phash = models.BigIntegerField(null=True, blank=True, editable=False)
    phash_q0 = models.IntegerField(null=True, blank=True, editable=False)
    phash_q1 = models.IntegerField(null=True, blank=True, editable=False)
    phash_q2 = models.IntegerField(null=True, blank=True, editable=False)
    phash_q3 = models.IntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [
            # near_filter: one index per quarter, each an equality lookup on a few values.
            models.Index(fields=["phash_q0"], name="%(class)s_phq0_idx"),
            models.Index(fields=["phash_q1"], name="%(class)s_phq1_idx"),
            models.Index(fields=["phash_q2"], name="%(class)s_phq2_idx"),
            models.Index(fields=["phash_q3"], name="%(class)s_phq3_idx"),
        ]


def near_matches(queryset, value: int, max_distance: int) -> list[tuple[Any, int]]:
    """(row, distance) for the rows of `queryset` within `max_distance` bits of `value`, nearest first. The
    candidates are read as (id, hash) pairs, a few hundred at a million rows; only the matches as rows."""
    near = {
        pk: distance(phash, value)
        for pk, phash in queryset.filter(near_filter(value, max_distance)).values_list("pk", "phash")
    }
    near = {pk: d for pk, d in near.items() if d <= max_distance}
    if not near:
        return []
    rows = queryset.filter(pk__in=list(near))
    return sorted(((row, near[row.pk]) for row in rows), key=lambda pair: (pair[1], pair[0].pk))
