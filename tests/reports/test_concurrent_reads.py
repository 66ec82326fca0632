"""The PDF reads its summaries on two connections at once (`core.reads`) when no transaction holds the data,
and prints exactly what it prints when it reads them one after another."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.reads import read_concurrently
from core.roles import SYSTEM
from merchants.models import Merchant
from reports.exports.pdf import pdf_context
from reports.metrics import report_filters
from takedowns.models import Claim
from tests.conftest import require_services
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state

PRINTED = ("data", "merchants", "by_brand", "by_type", "by_reviewer", "transparency_rows")


def open_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_pdf_reads_on_connections_of_its_own_and_prints_the_same(transactional_db, world, settings):
    """Committed rows (no test transaction around them), as in the worker that builds a PDF."""
    require_services(postgres=True)
    for state in ("taken_down", "rejected", "in_review", "reinstated", "taken_down", "counter_noticed"):
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant))
    filters = report_filters(actor=SYSTEM, params={})
    before = open_connections()

    def printed(connections: int) -> tuple[dict, int]:
        settings.REPORT_READ_CONNECTIONS = connections
        with translation.override("zh-hans"), CaptureQueriesContext(connection) as on_this_connection:
            context = pdf_context(SYSTEM, filters)
        return {key: context[key] for key in PRINTED}, len(on_this_connection.captured_queries)

    one_at_a_time, queries_alone = printed(1)
    at_once, queries_here = printed(2)

    assert at_once == one_at_a_time
    merchant = at_once["merchants"][0]
    with translation.override("zh-hans"):
        in_chinese = str(Merchant.Status(merchant["status"]).label)
    assert merchant["status_label"] == in_chinese
    assert not merchant["status_label"].isascii()  # read in the caller's language
    assert at_once["data"]["by_brand"] and at_once["data"]["top_repeat_infringers"]
    # Only the month summary stayed on this connection; the rest was read on others.
    assert queries_here < queries_alone / 2, (queries_here, queries_alone)
    # ... which were closed when they were done.
    deadline = time.monotonic() + 5
    while open_connections() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_connections() == before


def test_inside_a_transaction_the_reads_stay_on_its_connection(db, world, settings):
    """Rows only this transaction sees (a test's): another connection would count none of them."""
    require_services(postgres=True)
    settings.REPORT_READ_CONNECTIONS = 2
    for state in ("taken_down", "rejected"):
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant))

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    read = read_concurrently(
        {"claims": Claim.objects.count, "first": backend, "second": backend}, using="default"
    )
    assert read["claims"] == Claim.objects.count() == 2
    assert read["first"] == read["second"] == backend()


def test_outside_a_transaction_each_read_has_a_connection_of_its_own(transactional_db, settings):
    require_services(postgres=True)
    settings.REPORT_READ_CONNECTIONS = 2

    def backend() -> int:
        time.sleep(0.2)  # both calls hold their connection at the same time
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        here = cursor.fetchone()[0]
    read = read_concurrently({"first": backend, "second": backend}, using="default")
    assert len({read["first"], read["second"], here}) == 3
