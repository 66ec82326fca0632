"""Business days for legal deadlines (DMCA §512(g): restore 10–14 business days after a counter-notice)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=32)
def _holidays(country: str, extra: tuple[str, ...], year: int) -> frozenset[dt.date]:
    days = set(holidays.country_holidays(country, years=[year]).keys()) if country else set()
    days.update(dt.date.fromisoformat(d) for d in extra if d.startswith(str(year)))
    return frozenset(days)


def is_business_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _holidays(settings.HOLIDAY_COUNTRY, tuple(settings.EXTRA_HOLIDAYS), day.year)


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """The moment `days` business days after `start`, at the same time of day."""
    current = start
    added = 0
    while added < days:
        current += dt.timedelta(days=1)
        if is_business_day(current.date()):
            added += 1
    return current
