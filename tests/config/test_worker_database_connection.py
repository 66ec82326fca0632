"""A Celery worker keeps its PostgreSQL connection from one task to the next, as a web process does from one
request to the next (config/celery_app.py), and replaces it before a task uses it once the server has cut
it. Real PostgreSQL, Redis and worker process."""

import pytest
from django.db import connection

from core.models import Notice
from core.outbox import notice_email
from tests.harness import WorkerProcess, wait_for

pytestmark = pytest.mark.services

CONTEXT = {"reference": "TD-1", "listing_title": "Bag", "listing_url": "https://x", "ip_right": "R"}


def worker_sessions() -> set[int]:
    """The server processes serving the other clients of the test database: here, only the worker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def delivered_by_its_own_task(n: int) -> Notice:
    # In autocommit: the notice is written and its task sent at once, one task each.
    notice = notice_email(kind="claim_received", to=f"n{n}@example.com", context=CONTEXT, key=str(n))
    assert notice is not None
    wait_for(
        lambda: Notice.objects.filter(pk=notice.pk, status="sent").exists(), timeout=15, message="the e-mail"
    )
    return Notice.objects.get(pk=notice.pk)


def test_it_keeps_its_connection_between_tasks_and_replaces_one_the_server_cut(stack):
    process = WorkerProcess(stack.env, name="w1", concurrency=1)
    stack.processes.append(process)
    process.start()

    delivered_by_its_own_task(0)
    first = worker_sessions()
    for n in range(1, 5):
        delivered_by_its_own_task(n)
    assert worker_sessions() == first and len(first) == 1

    # The server ends the worker's session (a failover, a restart, an idle timeout). No beat runs here, so
    # no sweep could deliver the next notice: only its own task, on a new connection.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    after = delivered_by_its_own_task(5)
    assert after.attempts == 1
    assert worker_sessions().isdisjoint(first)
