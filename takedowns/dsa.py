"""DSA statements of reasons and their delivery to the Transparency Database (issue: compliance reporting)."""

from __future__ import annotations


def tdb_submit(notice) -> int:
    from .outbox import DeliveryFailed

    raise DeliveryFailed("Transparency Database delivery is not built yet", permanent=True)
