"""Independent reads at once, each on a connection of its own (docs/scaling.md, "The PDF").

A report made of several summaries waits on PostgreSQL statements that each keep one process busy (a median
is a sort). Run on two connections, two of them advance together. The calls must only read, and must not
depend on one another.

Inside a transaction (a test's, whose rows only its own connection can see) the calls run one after another
on that connection, as they do with `settings.REPORT_READ_CONNECTIONS = 1` and on SQLite.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connections
from django.utils import translation

T = TypeVar("T")


def concurrent_reads_allowed(using: str) -> bool:
    wrapper = connections[using]
    return (
        wrapper.vendor == "postgresql"
        and not wrapper.in_atomic_block
        and getattr(settings, "REPORT_READ_CONNECTIONS", 1) > 1
    )


def read_concurrently(calls: dict[str, Callable[[], T]], *, using: str) -> dict[str, T]:
    """Each call's result under its name. The calls run in the caller's language and context (its choice of
    the replica: `core.replica`), each on its own connection, closed when it is done."""
    if not concurrent_reads_allowed(using):
        return {name: call() for name, call in calls.items()}

    language = translation.get_language()  # Django keeps it per thread, not in the context

    def in_language(call: Callable[[], T]) -> T:
        with translation.override(language):
            return call()

    def run(call: Callable[[], T], context: contextvars.Context) -> T:
        try:
            return context.run(in_language, call)
        finally:
            connections.close_all()  # this thread's connections only

    workers = min(settings.REPORT_READ_CONNECTIONS, len(calls))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-read") as pool:
        futures = {name: pool.submit(run, call, contextvars.copy_context()) for name, call in calls.items()}
        try:
            return {name: future.result() for name, future in futures.items()}
        except BaseException:
            pool.shutdown(cancel_futures=True)  # one read failed, so they all do: start no other
            raise
