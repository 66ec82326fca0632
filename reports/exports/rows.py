"""Export rows: claims and the audit trail, streamed as CSV or JSON, formulas neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, Subquery

from core.models import AuditEvent
from core.roles import Actor
from reports.metrics import ReportFilters, report_claims
from takedowns.models import REJECTED, Claim, ClaimEvent, CounterNotice

CHUNK_BYTES = 64 * 1024

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int, int], None]


def neutralise(value):
    """A spreadsheet must show what the user typed, never run it (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


# --- claims, row by row --------------------------------------------------------------------------------
CLAIM_FIELDS = (
    ("reference", "reference"),
    ("state", "state"),
    ("brand", "brand__name"),
    ("ip_right", "ip_right__mark"),
    ("ip_office", "ip_right__office"),
    ("ip_registration_number", "ip_right__registration_number"),
    ("infringement_type", "infringement_type"),
    ("listing_ref", "listing__platform_ref"),
    ("listing_url", "listing__url"),
    ("listing_title", "listing__title"),
    ("merchant_ref", "listing__merchant__platform_ref"),
    ("merchant", "listing__merchant__name"),
    ("merchant_country", "listing__merchant__country"),
    ("description", "description"),
    ("submitted_at", "submitted_at"),
    ("decided_at", "decided_at"),
    ("fast_tracked", "fast_tracked"),
    ("decided_by", "decided_by__username"),
    ("decision_reason", "decision_reason"),
    ("taken_down_at", "taken_down_at"),
    ("reinstated_at", "reinstated_at"),
    ("retracted", "retracted"),
    ("counter_notices", "_counter_notices"),
    ("counter_notice_outcome", "_counter_outcome"),
    ("hours_to_decision", ""),  # computed from the times above: `hours_between`
    ("hours_to_takedown", ""),
)

CLAIM_HEADER = (
    [name for name, _ in CLAIM_FIELDS[:16]] + ["decision"] + [name for name, _ in CLAIM_FIELDS[16:]]
)


def export_claims(actor: Actor, filters: ReportFilters, *, counters: bool = True):
    """Claims with anything happening in the period: filed, decided, taken down or reinstated (with the
    counter-notice columns unless `counters=False`: `claim_csv_copy` joins them once instead)."""
    activity = (
        filters.period_q("submitted_at")
        | filters.period_q("decided_at")
        | filters.period_q("taken_down_at")
        | filters.period_q("reinstated_at")
    )
    claims = report_claims(actor, filters).filter(activity).order_by("submitted_at", "pk")
    if not counters:
        return claims
    notices = CounterNotice.objects.filter(claim=OuterRef("pk"))
    return claims.annotate(
        _counter_notices=Subquery(notices.order_by().values("claim").annotate(n=Count("pk")).values("n")[:1]),
        _counter_outcome=Subquery(notices.order_by("-filed_at", "-pk").values("outcome")[:1]),
    )


def _decision(state: str, decided_at, fast_tracked: bool) -> str:
    if decided_at is None:
        return ""
    if state in REJECTED:
        return "rejected"
    return "fast-tracked" if fast_tracked else "approved"


def claim_rows(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[list]:
    """The header, then one list of cells per claim, formula-safe (the XLSX sheet, and the CSV on SQLite;
    on PostgreSQL the CSV is `claim_csv_copy`, which a test holds to the same cells)."""
    yield CLAIM_HEADER
    claims = export_claims(actor, filters)
    total = claims.count() if progress else 0
    for done, values in enumerate(
        claims.values_list(*(path for _, path in CLAIM_FIELDS[:-2])).iterator(chunk_size=2000), 1
    ):
        submitted, decided, taken_down = values[14], values[15], values[19]
        row = [_cell(v) for v in values]
        row[16:16] = [_decision(values[1], decided, values[16])]
        row[-2] = values[-2] or 0  # counter-notices: a number, even when there are none
        row += [hours_between(submitted, decided), hours_between(submitted, taken_down)]
        yield row
        if progress and done % 5000 == 0:
            progress(done, total)


HOUR_MICROSECONDS = Decimal(3_600_000_000)


def hours_between(start, end) -> Decimal | str:
    """Hours from `start` to `end`, exact to the microsecond, rounded half away from zero to 4 places
    (PostgreSQL's `round(numeric, 4)`), trailing zeros dropped: `10.0`, `1.0001`. Empty when either is."""
    if start is None or end is None:
        return ""
    micro = (end - start) // dt.timedelta(microseconds=1)
    hours = (Decimal(micro) / HOUR_MICROSECONDS).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = format(hours, "f").rstrip("0")
    return Decimal(text + "0" if text.endswith(".") else text)


# --- claims on PostgreSQL: the database writes the CSV -------------------------------------------------
# Each function renders one kind of cell in SQL exactly as `claim_rows` renders it in Python.
def _sql_text(column: str) -> str:
    """`neutralise`; an empty text as NULL, which COPY writes unquoted, as the Python writer does. The first
    character is compared as a code (`ascii`): comparing texts goes through the collation, and cost more."""
    risky = ", ".join(str(ord(c)) for c in FORMULA_START)
    return (
        f"CASE WHEN ascii({column}) IN ({risky}) THEN chr(39) || {column} "
        f"WHEN {column} = '' THEN NULL ELSE {column} END"
    )


def _sql_time(column: str) -> str:
    """`_iso`: UTC, `Z`, the microseconds only when there are some (one `to_char` for whole seconds)."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"date_trunc('second', {column}) = {column} THEN 'Z' ELSE to_char({column}, '.US\"Z\"') END"
    )


def _sql_hours(start: str, end: str) -> str:
    """`hours_between`: EXTRACT(EPOCH …) is an exact numeric on PostgreSQL ≥ 14; `round(…, 4)` always has four
    decimals, of which the last three are dropped when they are zeros (`10.0000` → `10.0`)."""
    return f"regexp_replace(round(EXTRACT(EPOCH FROM ({end} - {start})) / 3600, 4)::text, '0{{1,3}}$', '')"


def _sql_bool(column: str) -> str:
    return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"


TIME_COLUMNS = ("submitted_at", "decided_at", "taken_down_at", "reinstated_at")


def claim_csv_copy(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[bytes]:
    """The claims CSV written by PostgreSQL (`COPY (SELECT …) TO STDOUT`) and streamed in the chunks the
    server sends: no row passes through Python. The same claims, columns and cells as `claim_rows` (a test
    parses both and compares them); its lines end in LF where Python's csv writer ends them in CRLF."""
    claims = export_claims(actor, filters, counters=False)
    total = claims.count() if progress else 0
    own = CLAIM_FIELDS[:-4]  # the last four are computed below
    columns = {"claim_id": F("pk"), **{f"c{n}": F(path) for n, (_, path) in enumerate(own)}}
    inner = claims.annotate(**columns).values_list(*columns).order_by()  # sorted once, outside
    inner_sql, params = inner.query.sql_with_params()
    col = {name: f'q."c{n}"' for n, (name, _) in enumerate(own)}
    rejected = ", ".join(f"'{state}'" for state in sorted(REJECTED))
    cells = []
    for name, _ in own:
        if name in TIME_COLUMNS:
            cells.append(_sql_time(col[name]))
        elif name in ("fast_tracked", "retracted"):
            cells.append(_sql_bool(col[name]))
        else:
            cells.append(_sql_text(f"{col[name]}::text"))
        if name == "decided_at":  # `_decision`
            cells.append(
                f"CASE WHEN {col['decided_at']} IS NULL THEN NULL WHEN {col['state']} IN ({rejected}) "
                f"THEN 'rejected' WHEN {col['fast_tracked']} THEN 'fast-tracked' ELSE 'approved' END"
            )
    cells += [
        "COALESCE(cn.n, 0)",
        _sql_text("cn.outcome"),
        _sql_hours(col["submitted_at"], col["decided_at"]),
        _sql_hours(col["submitted_at"], col["taken_down_at"]),
    ]
    select = ", ".join(f'{cell} AS "{header}"' for cell, header in zip(cells, CLAIM_HEADER, strict=True))
    sql = (
        f"COPY (SELECT {select} FROM ({inner_sql}) AS q LEFT JOIN ("
        "SELECT claim_id, count(*) AS n, (array_agg(outcome ORDER BY filed_at DESC, id DESC))[1] AS outcome "
        f"FROM {CounterNotice._meta.db_table} GROUP BY claim_id) AS cn ON cn.claim_id = q.claim_id "
        f"ORDER BY {col['submitted_at']}, q.claim_id) TO STDOUT WITH (FORMAT csv, HEADER true)"
    )
    with _copy_cursor(claims.db) as cursor:
        yield from _copy_chunks(cursor, sql, params, total, progress)


@contextmanager
def _copy_cursor(db: str):
    """A cursor for the COPY, on a connection of its own: while the COPY streams, its connection can do
    nothing else, and a background export saves its progress on the usual one as it goes. The connection's
    settings suit one big read: room to sort and hash in memory (and no JIT, as every connection: the
    settings). Inside a transaction (a test's, whose rows only it can see) the COPY runs
    on the transaction's connection instead."""
    wrapper = connections[db]
    if wrapper.in_atomic_block:
        with wrapper.cursor() as cursor:
            yield cursor.cursor
        return
    own = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        with own.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")
            yield cursor
    finally:
        own.close()


def _copy_chunks(cursor, sql: str, params, total: int, progress: Progress | None) -> Iterator[bytes]:
    buffer: list[bytes] = []
    size = lines = 0
    with cursor.copy(sql, params) as copy:
        for data in copy:
            buffer.append(bytes(data))
            size += len(data)
            if size >= CHUNK_BYTES:
                chunk, buffer, size = b"".join(buffer), [], 0
                if progress:
                    lines += chunk.count(b"\n")
                    progress(min(lines, total), total)
                yield chunk
    if buffer:
        yield b"".join(buffer)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


AUDIT_HEADER = [
    "at",
    "source",
    "action",
    "claim_reference",
    "from_state",
    "to_state",
    "actor",
    "object_type",
    "object_id",
    "reason",
    "note",
]


def audit_rows(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[list]:
    """Every claim transition and every other audited action, with actor and time, oldest first: two
    ordered cursors merged, so nothing is held in memory."""
    yield AUDIT_HEADER
    claims = report_claims(actor, filters)
    events = (
        ClaimEvent.objects.filter(claim__in=claims)
        .filter(filters.period_q("created_at"))
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "pk",
            "transition",
            "claim__reference",
            "from_state",
            "to_state",
            "actor_label",
            "claim_id",
            "reason",
            "note",
        )
    )
    audits = AuditEvent.objects.filter(filters.period_q("created_at"))
    if filters.brand_ids is not None or not actor.sees_everything:
        audits = audits.filter(Q(brand_id__in=filters.brand_ids or ()) | Q(claim_id__in=claims.values("pk")))
    audits = (
        audits.annotate(
            claim_ref=Subquery(Claim.objects.filter(pk=OuterRef("claim_id")).values("reference")[:1])
        )
        .order_by("created_at", "pk")
        .values_list(
            "created_at", "pk", "action", "claim_ref", "actor_label", "object_type", "object_id", "note"
        )
    )

    def from_claims():
        for at, pk, transition, ref, src, dst, who, claim_id, reason, note in events.iterator(
            chunk_size=2000
        ):
            yield (
                (at, 0, pk),
                [
                    _iso(at),
                    "claim_event",
                    transition,
                    ref or "",
                    src,
                    dst,
                    who,
                    "claim",
                    claim_id,
                    reason,
                    neutralise(note),
                ],
            )

    def from_audit():
        for at, pk, action, ref, who, otype, oid, note in audits.iterator(chunk_size=2000):
            yield (
                (at, 1, pk),
                [_iso(at), "audit_event", action, ref or "", "", "", who, otype, oid, "", neutralise(note)],
            )

    for _, row in heapq.merge(from_claims(), from_audit(), key=lambda item: item[0]):
        yield [neutralise(c) if isinstance(c, str) else c for c in row]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    buffer: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow(row)
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def json_chunks(key: str, items: Iterable[dict], head: dict | None = None) -> Iterator[bytes]:
    """`{…head, "<key>": [item, item, …]}` written as the items come."""
    opening = json.dumps(head or {}, ensure_ascii=False)[:-1]
    yield (opening + (", " if head else "") + json.dumps(key) + ": [").encode()
    first, buffer = True, []
    for item in items:
        buffer.append(("" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
        if len(buffer) >= 200:
            yield "".join(buffer).encode()
            buffer = []
    yield ("".join(buffer) + "]}\n").encode()
