"""Queueing statements in the outbox and sending them to the Transparency Database in batches."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent, Notice, NoticeAttempt
from core.outbox import DeliveryFailed, backoff_seconds, notice_create
from reports.dsa.statements import statement_for_ban, statement_for_takedown
from reports.dsa.validation import statement_problems
from takedowns.models import Claim

log = logging.getLogger(__name__)

BATCH_SIZE = 100


# --- queueing (called by enforcement) ------------------------------------------------------------------
def _queue(
    statement: dict, *, kind: str, claim_id: int | None = None, merchant_id: int | None = None
) -> Notice | None:
    """A Notice row in the caller's transaction; None when no Transparency Database is configured."""
    if not settings.DSA_TDB_URL:
        return None
    problems = statement_problems(statement)
    if problems:
        # Never block the takedown for a reporting problem: keep the statement, failed, for someone to fix.
        log.error("statement %s is invalid: %s", statement.get("puid"), problems)
        return Notice.objects.get_or_create(
            idempotency_key=f"tdb:{statement['puid']}",
            defaults={
                "channel": Notice.Channel.TDB,
                "kind": kind,
                "recipient": settings.DSA_TDB_URL,
                "payload": statement,
                "status": Notice.Status.FAILED,
                "claim_id": claim_id,
                "merchant_id": merchant_id,
                "last_error": json.dumps(problems),
            },
        )[0]
    return notice_create(
        channel=Notice.Channel.TDB,
        kind=kind,
        recipient=settings.DSA_TDB_URL,
        payload=statement,
        idempotency_key=f"tdb:{statement['puid']}",
        claim_id=claim_id,
        merchant_id=merchant_id,
    )


def statement_queue_for_takedown(*, claim: Claim) -> Notice | None:
    """Call when a claim is taken down, inside that transaction. Safe to call twice (the puid is the key)."""
    return _queue(statement_for_takedown(claim), kind="sor.takedown", claim_id=claim.pk)


def statement_queue_for_ban(*, ban: AuditEvent) -> Notice | None:
    """Call when a merchant is banned, inside that transaction, with the ban's `merchant_ban` audit event."""
    return _queue(statement_for_ban(ban), kind="sor.ban", merchant_id=ban.merchant_id)


# --- delivery ------------------------------------------------------------------------------------------
def _take_batch(first: Notice) -> list[Notice]:
    """The notice being sent plus up to 99 other pending statements, leased to this worker.

    Two workers may pick the same candidates; the conditional UPDATE gives each row to one of them, and the
    lease time (unique to this call) tells us which rows we won."""
    now = timezone.now()
    lease = now + timedelta(seconds=120, microseconds=uuid.uuid4().int % 1_000_000)
    candidates = list(
        Notice.objects.filter(
            channel=Notice.Channel.TDB, status=Notice.Status.PENDING, next_attempt_at__lte=now
        )
        .exclude(pk=first.pk)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[: BATCH_SIZE - 1]
    )
    if candidates:
        Notice.objects.filter(pk__in=candidates, status=Notice.Status.PENDING).update(
            status=Notice.Status.SENDING, lease_until=lease
        )
    others = list(
        Notice.objects.filter(pk__in=candidates, status=Notice.Status.SENDING, lease_until=lease).order_by(
            "pk"
        )
    )
    return [first, *others]


def _post(batch: list[Notice]) -> requests.Response:
    body = json.dumps({"statements": [n.payload for n in batch]}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {settings.DSA_TDB_TOKEN}",
    }
    url = settings.DSA_TDB_URL.rstrip("/") + "/api/v1/statements"
    return requests.post(url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)


def _existing_puids(response: requests.Response) -> set[str]:
    try:
        data = response.json()
    except ValueError:
        return set()
    found = data.get("existing_puids") if isinstance(data, dict) else None
    if found is None and isinstance(data, dict) and isinstance(data.get("errors"), dict):
        found = data["errors"].get("existing_puids")
    return {str(p) for p in found} if isinstance(found, list) else set()


def _settle(
    notices: list[Notice], *, ok: bool, status_code: int | None, error: str = "", started: float
) -> None:
    """Record the outcome of the notices that rode along with the one the outbox is delivering."""
    if not notices:
        return
    now = timezone.now()
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        NoticeAttempt.objects.bulk_create(
            [
                NoticeAttempt(
                    notice=n, ok=ok, status_code=status_code, error=error[:2000], duration_ms=duration
                )
                for n in notices
            ]
        )
        for n in notices:
            if ok:
                Notice.objects.filter(pk=n.pk).update(
                    status=Notice.Status.SENT,
                    sent_at=now,
                    attempts=n.attempts + 1,
                    lease_until=None,
                    last_error="",
                )
            else:
                Notice.objects.filter(pk=n.pk).update(
                    status=Notice.Status.PENDING,
                    attempts=n.attempts + 1,
                    last_error=error[:2000],
                    lease_until=None,
                    next_attempt_at=now + timedelta(seconds=backoff_seconds(n.attempts + 1)),
                )


def tdb_submit(notice: Notice) -> int:
    """The outbox's sender for channel "tdb": send `notice` with a batch of other pending statements."""
    if not settings.DSA_TDB_URL:
        raise DeliveryFailed("DSA_TDB_URL is not configured")
    problems = statement_problems(notice.payload)
    if problems:
        raise DeliveryFailed(f"invalid statement: {json.dumps(problems)}", permanent=True)
    batch = _take_batch(notice)
    started = time.monotonic()
    primary_stored = False

    def riders() -> list[Notice]:
        return [n for n in batch if n.pk != notice.pk]

    # Each round either stores the whole batch, or drops the statements the database already has (a duplicate
    # puid fails the whole batch with 422) and sends the rest again; so it ends within len(batch) rounds.
    while batch:
        try:
            response = _post(batch)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
            _settle(riders(), ok=False, status_code=None, error=error, started=started)
            if primary_stored:
                return 422
            raise DeliveryFailed(error) from exc
        if response.status_code in (200, 201):
            _settle(riders(), ok=True, status_code=response.status_code, started=started)
            return response.status_code
        existing = _existing_puids(response) if response.status_code == 422 else set()
        known = [n for n in batch if n.payload.get("puid") in existing]
        if not known:
            error = f"HTTP {response.status_code}: {response.text[:300]}"
            _settle(riders(), ok=False, status_code=response.status_code, error=error, started=started)
            if primary_stored:
                return 422
            # A refused statement stays refused; a bad token, a rate limit or an outage are worth retrying.
            raise DeliveryFailed(
                error, status_code=response.status_code, permanent=response.status_code in (400, 413, 422)
            )
        # Already stored, so delivered. The notice the outbox is sending is settled by the outbox itself.
        _settle(
            [n for n in known if n.pk != notice.pk],
            ok=True,
            status_code=response.status_code,
            started=started,
        )
        primary_stored = primary_stored or any(n.pk == notice.pk for n in known)
        known_ids = {n.pk for n in known}
        batch = [n for n in batch if n.pk not in known_ids]
    return 422
