"""Hash chains for the append-only histories (claim events, audit events): each row carries the hash of
the row before it, so a row changed, removed or inserted afterwards breaks every link that follows.

`manage.py verify_audit` walks the chains and names the first broken link; its printed chain heads can be
recorded elsewhere (a log, a ticket) to anchor them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def link_hash(prev_hash: str, fields: dict) -> str:
    """The hash of one row: the previous row's hash and the row's own content, in a canonical form."""
    body = json.dumps(
        {k: _plain(v) for k, v in fields.items()}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def first_broken_link(rows) -> tuple[object, str] | None:
    """Walk rows of one chain in the order they were written; the first row whose link does not hold, with
    why, or None when the chain is whole. Each row has `prev_hash`, `hash` and `chained_fields()`."""
    expected_prev = GENESIS
    for row in rows:
        if row.prev_hash != expected_prev:
            return row, "its link to the row before it is broken (a row was removed, inserted or changed)"
        if link_hash(row.prev_hash, row.chained_fields()) != row.hash:
            return row, "its content does not match its hash (the row was changed)"
        expected_prev = row.hash
    return None
