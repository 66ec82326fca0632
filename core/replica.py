"""Reads that may come from a read replica: the reports and exports, which read everything and must not
compete with the reviewers' writes (docs/scaling.md, "A read replica").

With `REPLICA_DATABASE_URL` set, the settings add a `replica` database; code that reads inside
`from_replica()` reads from it, and everything else, and every write, goes to `default`. Without it the
block changes nothing. The replica lags the primary by its replication delay: a report may miss the last
seconds, which is why only reports and exports read there, never a page that follows a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading = ContextVar("reading_from_replica", default=False)


@contextmanager
def from_replica() -> Iterator[None]:
    """Reads inside the block go to the replica when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A stream whose reads come from the replica: the context is set only while the stream makes its next
    chunk, never while the caller holds one (a generator runs in its caller's context)."""
    while True:
        with from_replica():
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


class ReplicaRouter:
    """`DATABASE_ROUTERS`: reads inside `from_replica()` to the replica; writes and migrations never."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading.get() and REPLICA in connections.settings:
            return REPLICA
        return None  # Django's default: the database an instance came from, else `default`

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS  # even for an instance read from the replica

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db != REPLICA  # the replica receives its schema by replication
