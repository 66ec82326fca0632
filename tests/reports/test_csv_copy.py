"""On PostgreSQL the claims CSV is written by the database (`COPY … TO STDOUT`); on SQLite by Python's csv
writer. Both must give the same claims, columns and cells: parsed, the two files are equal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.roles import SYSTEM, actor_for
from reports.exports.jobs import export_build, export_chunks, export_request
from reports.exports.rows import claim_csv_copy, claim_rows, csv_chunks, hours_between
from reports.metrics import report_filters
from reports.models import Export
from takedowns.models import Claim, CounterNotice
from tests.conftest import require_services
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state


def parsed(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode())))


def both(params: dict) -> tuple[list[list[str]], list[list[str]]]:
    filters = report_filters(actor=SYSTEM, params=params)
    return parsed(claim_csv_copy(SYSTEM, filters)), parsed(csv_chunks(claim_rows(SYSTEM, filters)))


@pytest.mark.parametrize(
    "params", [{}, {"from": "2026-02-01", "to": "2026-02-28"}, {"from": "2026-01-10", "to": "2026-01-12"}]
)
def test_the_database_writes_the_same_csv_as_python(scenario, params):
    require_services(postgres=True)
    by_copy, by_python = both(params)
    assert len(by_copy) > 1
    assert by_copy == by_python


def test_odd_text_and_times_come_out_the_same(scenario):
    require_services(postgres=True)
    claim = scenario.claim("c13")
    listing = claim.listing
    listing.title = '=HYPERLINK("x")\r\nline two, "quoted"; 品牌'
    listing.url = "https://shop.example/item?id=1,2"
    listing.save(update_fields=["title", "url"])
    Claim.objects.filter(pk=claim.pk).update(
        description="\tTabbed",
        decision_reason="",
        # microseconds, and an hour count that rounds half away from zero (1.00005 h → 1.0001)
        decided_at=claim.submitted_at + dt.timedelta(hours=1, microseconds=180_000),
        taken_down_at=claim.submitted_at + dt.timedelta(hours=2, seconds=1),
    )
    by_copy, by_python = both({})
    assert by_copy == by_python
    row = dict(zip(by_copy[0], next(r for r in by_copy if r[0] == claim.reference), strict=True))
    assert row["listing_title"].startswith("'=HYPERLINK")
    assert row["description"] == "'\tTabbed"
    assert row["hours_to_decision"] == "1.0001"
    assert row["hours_to_takedown"] == "2.0003"
    assert row["decided_at"].endswith(".180000Z")


def test_the_counter_notice_columns_count_and_take_the_latest(scenario):
    require_services(postgres=True)
    by_copy, _ = both({})
    header = by_copy[0]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in by_copy[1:]}
    for key in ("c3", "c4", "c1"):
        claim = scenario.claim(key)
        notices = CounterNotice.objects.filter(claim=claim).order_by("-filed_at", "-pk")
        assert rows[claim.reference]["counter_notices"] == str(notices.count())
        assert rows[claim.reference]["counter_notice_outcome"] == (notices[0].outcome if notices else "")


def test_the_export_entry_point_uses_the_database_and_reports_progress(scenario, monkeypatch):
    require_services(postgres=True)
    monkeypatch.setattr("reports.exports.rows.CHUNK_BYTES", 300)
    seen: list[tuple[int, int]] = []
    filters = report_filters(actor=SYSTEM, params={})
    body = b"".join(export_chunks("csv", SYSTEM, filters, lambda done, total: seen.append((done, total))))
    assert body.count(b"\r\n") == 0  # COPY's line ends (LF), not the Python writer's (CRLF)
    assert seen and all(0 < done <= total for done, total in seen)
    assert seen[-1][1] == Claim.objects.exclude(submitted_at=None).count()
    assert parsed([body]) == parsed(csv_chunks(claim_rows(SYSTEM, filters)))


@pytest.mark.parametrize(
    "micro, expected",
    [(0, "0.0"), (36_000_000_000, "10.0"), (3_600_180_000, "1.0001"), (3_600_179_999, "1.0"), (1, "0.0")],
)
def test_hours_are_exact_and_rounded_half_away_from_zero(micro, expected):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert str(hours_between(start, start + dt.timedelta(microseconds=micro))) == expected
    assert hours_between(None, start) == ""
    assert isinstance(hours_between(start, start), Decimal)


def test_a_background_export_streams_on_a_connection_of_its_own(transactional_db, world, monkeypatch):
    """Committed rows (no test transaction around them), as in a worker: the COPY takes a connection of its
    own, so the export can save its progress on the usual one between chunks (on one connection, the first
    progress write during the COPY fails the export)."""
    require_services(postgres=True)
    monkeypatch.setattr("reports.exports.rows.CHUNK_BYTES", 300)
    for state in ("taken_down", "rejected", "in_review", "reinstated") * 3:
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant))
    export = export_request(actor=actor_for(world.compliance), fmt="csv", params={})
    finished: list[Export] = []

    def build() -> None:  # in a thread of its own, so that a hang (one connection waiting on itself) fails
        try:
            finished.append(export_build(export_id=export.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=build, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert finished, "the export did not finish in 60 s"
    built = finished[0]
    assert built.status == Export.Status.DONE and built.progress == 100, built.error
    with built.file.open("rb") as fh:
        body = fh.read()
    filters = report_filters(actor=actor_for(world.compliance), params={})
    assert parsed([body]) == parsed(csv_chunks(claim_rows(actor_for(world.compliance), filters)))
    assert len(parsed([body])) > 10  # enough rows for several chunks, so several progress writes
