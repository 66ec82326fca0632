"""Export rows: claims and the audit trail, streamed as CSV or JSON, formulas neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Count, OuterRef, Q, Subquery

from core.models import AuditEvent
from core.roles import Actor
from reports.metrics import (
    HoursBetween,
    ReportFilters,
    report_claims,
)
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
    ("hours_to_decision", "_hours_to_decision"),
    ("hours_to_takedown", "_hours_to_takedown"),
)

CLAIM_HEADER = (
    [name for name, _ in CLAIM_FIELDS[:16]] + ["decision"] + [name for name, _ in CLAIM_FIELDS[16:]]
)


def export_claims(actor: Actor, filters: ReportFilters):
    """Claims with anything happening in the period: filed, decided, taken down or reinstated."""
    activity = (
        filters.period_q("submitted_at")
        | filters.period_q("decided_at")
        | filters.period_q("taken_down_at")
        | filters.period_q("reinstated_at")
    )
    counters = CounterNotice.objects.filter(claim=OuterRef("pk"))
    return (
        report_claims(actor, filters)
        .filter(activity)
        .annotate(
            _counter_notices=Subquery(
                counters.order_by().values("claim").annotate(n=Count("pk")).values("n")[:1]
            ),
            _counter_outcome=Subquery(counters.order_by("-filed_at", "-pk").values("outcome")[:1]),
            _hours_to_decision=HoursBetween("decided_at", "submitted_at"),
            _hours_to_takedown=HoursBetween("taken_down_at", "submitted_at"),
        )
        .order_by("submitted_at", "pk")
    )


def _decision(state: str, decided_at, fast_tracked: bool) -> str:
    if decided_at is None:
        return ""
    if state in REJECTED:
        return "rejected"
    return "fast-tracked" if fast_tracked else "approved"


def claim_rows(actor: Actor, filters: ReportFilters, progress: Progress | None = None) -> Iterator[list]:
    """The header, then one list of cells per claim, formula-safe."""
    yield CLAIM_HEADER
    claims = export_claims(actor, filters)
    total = claims.count() if progress else 0
    for done, values in enumerate(
        claims.values_list(*(path for _, path in CLAIM_FIELDS)).iterator(chunk_size=2000), 1
    ):
        row = [_cell(v) for v in values]
        row[16:16] = [_decision(values[1], values[15], values[16])]
        row[-4] = values[-4] or 0  # counter-notices: a number, even when there are none
        row[-2] = _round(values[-2])
        row[-1] = _round(values[-1])
        yield row
        if progress and done % 5000 == 0:
            progress(done, total)


def _round(value):
    return "" if value is None else round(float(value), 4)


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
