"""Delivery to a Transparency Database stand-in: a real HTTP server in a thread that stores statements all or
nothing and refuses a batch with a known puid, as the real one does."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from core.models import Notice
from core.outbox import notice_deliver
from reports.dsa.delivery import _queue, statement_queue_for_takedown
from tests.lifecycle import claim_in_state, step
from tests.reports.test_dsa_validator import valid


class FakeTransparencyDatabase:
    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.batches: list[list[str]] = []
        self.headers: list[dict] = []
        self.fail_with: int | None = None
        test = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                test.headers.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "type": self.headers.get("Content-Type"),
                    }
                )
                puids = [s["puid"] for s in body["statements"]]
                test.batches.append(puids)
                if test.fail_with:
                    return self.answer(test.fail_with, {"message": "down for maintenance"})
                if self.path != "/api/v1/statements" or not 1 <= len(puids) <= 100:
                    return self.answer(422, {"message": "bad batch"})
                existing = [p for p in puids if p in test.stored]
                if existing:
                    return self.answer(
                        422,
                        {
                            "message": "The platform unique id(s) already exist.",
                            "errors": {"puid": ["exists"]},
                            "existing_puids": existing,
                        },
                    )
                for statement in body["statements"]:
                    test.stored[statement["puid"]] = statement
                return self.answer(201, {"statements": body["statements"]})

            def answer(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tdb(settings):
    server = FakeTransparencyDatabase()
    settings.DSA_TDB_URL = server.url
    settings.DSA_TDB_TOKEN = "secret-token"
    yield server
    server.stop()


def queue(n: int, start: int = 0) -> list[Notice]:
    return [_queue({**valid(), "puid": f"test-{i}"}, kind="sor.takedown") for i in range(start, start + n)]


def test_it_sends_statements_in_batches_of_at_most_100(tdb, db):
    notices = queue(150)
    notice_deliver(notice_id=notices[0].pk)
    notice_deliver(notice_id=notices[120].pk)
    assert [len(b) for b in tdb.batches] == [100, 50]
    assert set(tdb.stored) == {f"test-{i}" for i in range(150)}
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}
    assert tdb.headers[0] == {
        "path": "/api/v1/statements",
        "auth": "Bearer secret-token",
        "type": "application/json",
    }
    # The rest of the queue had nothing left to do.
    assert notice_deliver(notice_id=notices[5].pk) is None
    assert len(tdb.batches) == 2


def test_it_treats_a_known_puid_as_delivered_and_sends_the_rest_again(tdb, db):
    tdb.stored["test-1"] = {"puid": "test-1"}
    tdb.stored["test-0"] = {"puid": "test-0"}
    notices = queue(4)
    notice_deliver(notice_id=notices[0].pk)
    assert tdb.batches == [["test-0", "test-1", "test-2", "test-3"], ["test-2", "test-3"]]
    assert set(tdb.stored) == {"test-0", "test-1", "test-2", "test-3"}
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}


def test_it_retries_later_when_the_database_is_down(tdb, db):
    tdb.fail_with = 503
    notices = queue(3)
    # The clock stands still: on a loaded machine the call may outlast the 2-second backoff, and the sender
    # would rightly try a notice again within the same call.
    with time_machine.travel(timezone.now(), tick=False):
        retry_in = notice_deliver(notice_id=notices[0].pk)
    assert retry_in is not None
    rows = list(Notice.objects.order_by("pk").values_list("status", "attempts", "last_error"))
    assert all(
        status == Notice.Status.PENDING and attempts == 1 and "503" in error
        for status, attempts, error in rows
    )
    tdb.fail_with = None
    Notice.objects.update(next_attempt_at=Notice.objects.first().created_at)
    notice_deliver(notice_id=notices[0].pk)
    assert len(tdb.stored) == 3
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}


def test_it_never_sends_an_invalid_statement(tdb, db):
    notice = _queue({**valid(), "puid": "bad puid"}, kind="sor.takedown")
    assert notice.status == Notice.Status.FAILED
    assert "puid" in notice.last_error
    assert tdb.batches == []


def test_it_queues_a_statement_when_a_claim_is_taken_down(tdb, world, django_capture_on_commit_callbacks):
    claim = claim_in_state(world, "approved")
    with django_capture_on_commit_callbacks(execute=True):
        step(world, claim, "enforce")
    puid = f"tdesk-takedown-{claim.reference}"
    assert list(tdb.stored) == [puid]
    assert (
        tdb.stored[puid]["application_date"]
        == claim.__class__.objects.get(pk=claim.pk).taken_down_at.date().isoformat()
    )
    notice = Notice.objects.get(channel=Notice.Channel.TDB)
    assert (notice.status, notice.claim_id, notice.idempotency_key) == (
        Notice.Status.SENT,
        claim.pk,
        f"tdb:{puid}",
    )
    # Queuing again (a retried task) changes nothing.
    assert statement_queue_for_takedown(claim=claim).pk == notice.pk


def test_it_queues_a_statement_when_a_merchant_is_banned(
    tdb, world, settings, django_capture_on_commit_callbacks
):
    from tests.factories import ListingFactory

    settings.STRIKES_TO_BAN = 2
    claims = [
        claim_in_state(world, "approved", listing=ListingFactory(merchant=world.merchant)) for _ in range(2)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for claim in claims:
            step(world, claim, "enforce")
    kinds = sorted(Notice.objects.filter(channel=Notice.Channel.TDB).values_list("kind", flat=True))
    assert kinds == ["sor.ban", "sor.takedown", "sor.takedown"]
    assert len(tdb.stored) == 3
    ban = next(s for s in tdb.stored.values() if "-ban-" in s["puid"])
    assert ban["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"


def test_it_queues_nothing_without_a_configured_database(world, settings):
    settings.DSA_TDB_URL = ""
    claim = claim_in_state(world, "taken_down")
    assert statement_queue_for_takedown(claim=claim) is None
    assert not Notice.objects.filter(channel=Notice.Channel.TDB).exists()
