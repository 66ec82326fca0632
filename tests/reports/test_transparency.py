"""The DSA transparency report over the scenario (conftest.py), figure by figure."""

from __future__ import annotations

import pytest

from core.roles import SYSTEM
from reports.metrics import report_filters
from reports.transparency import DEFINITIONS, transparency_report


def report(**params):
    return transparency_report(actor=SYSTEM, filters=report_filters(actor=SYSTEM, params=params))


def test_it_counts_notices_actions_complaints_and_suspensions(scenario):
    data = report(**{"from": "2026-01-01", "to": "2026-12-31"})
    assert data["notices"] == {
        "received": 13,
        "by_type": {"counterfeit": 7, "trademark": 2, "copyright": 2, "design": 1, "patent": 1},
        "from_trusted_flaggers": 0,
        "processed_by_automated_means": 0,
        "decided": 10,
        "rejected": 2,
        "withdrawn": 1,
    }
    assert data["actions"] == {
        "on_legal_grounds": 7,
        "on_legal_grounds_by_type": {
            "counterfeit": 4,
            "trademark": 1,
            "copyright": 1,
            "design": 1,
            "patent": 0,
        },
        "on_terms_and_conditions_grounds": 1,
        "automated": 0,
        "median_hours_to_action": pytest.approx(12.0),  # 3 5 9 12 12 20 32
    }
    assert data["complaints"] == {
        "received": 3,
        "by_basis": {"owner": 3, "authorized": 0, "no_right": 0, "not_infringing": 0, "other": 0},
        "decided": 2,
        "upheld": 1,
        "reversed": 1,
        "pending": 1,
        # c4: 12 Jan 09:00 → 14 Jan 00:00 = 39 h; c3: 10 Jan → 25 Jan = 360 h
        "median_hours_to_decision": pytest.approx((39 + 360) / 2),
        "retractions": 1,
    }
    assert data["notifier_complaints"] == {
        "received": 0,
        "decided": 0,
        "reversed": 0,
        "upheld": 0,
        "pending": 0,
        "median_hours_to_decision": None,
    }
    assert data["suspensions"] == {
        "sellers_for_manifestly_illegal_content": 1,
        "sellers_reinstated": 0,
        "notifiers_warned": 0,
        "notifiers_for_manifestly_unfounded_notices": 0,
    }


def test_it_defines_every_figure(scenario):
    data = report()
    for section in ("notices", "actions", "complaints", "notifier_complaints", "suspensions"):
        for name in data[section]:
            assert DEFINITIONS.get(f"{section}.{name}"), f"{section}.{name}"
    assert data["definitions"] == DEFINITIONS


def test_it_reports_an_empty_period(scenario):
    data = report(**{"from": "2025-01-01", "to": "2025-01-31"})
    assert data["notices"]["received"] == 0
    assert data["actions"]["median_hours_to_action"] is None
    assert data["complaints"]["median_hours_to_decision"] is None
    assert data["period"] == {"from": "2025-01-01", "to": "2025-01-31"}


def test_it_counts_the_notifiers_appeals(world):
    """Art. 20 for notifiers: appeals received, decided (reversed or upheld), pending, median hours."""
    import datetime as dt

    import time_machine

    from tests.factories import ListingFactory
    from tests.lifecycle import claim_in_state, step

    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    claims = []
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            claim = claim_in_state(world, "rejected", listing=ListingFactory(merchant=world.merchant))
            step(world, claim, "appeal")
            claims.append(claim)
    with time_machine.travel(start + dt.timedelta(hours=10), tick=False):
        step(world, claims[0], "appeal_grant", note="The purchase report convinces.")
    with time_machine.travel(start + dt.timedelta(hours=30), tick=False):
        step(world, claims[1], "appeal_deny")
    data = report(**{"from": "2026-03-01", "to": "2026-03-31"})
    assert data["notifier_complaints"] == {
        "received": 3,
        "decided": 2,
        "reversed": 1,
        "upheld": 1,
        "pending": 1,
        "median_hours_to_decision": pytest.approx(20.0),  # 10 h and 30 h
    }
    # The rejection stands while its appeal waits; the granted one is an approval.
    assert data["notices"]["rejected"] == 2 and data["notices"]["decided"] == 3


def test_the_pdf_and_spreadsheet_rows_carry_every_section(scenario):
    from reports.transparency import SECTIONS, transparency_rows

    rows = transparency_rows(report())
    assert {section for section, *_ in rows} == set(SECTIONS)
    assert any(section == "notifier_complaints" and figure == "received" for section, figure, *_ in rows)
