"""The transactional outbox: infrastructure that stores, leases, signs, sends and retries notices.

`notice_email` / `notice_webhook` / `notice_create` write a Notice row inside the caller's transaction and
ask for delivery when it commits. `notices_deliver` is the only place that talks to SMTP or HTTP: a worker
leases a batch of notices (SELECT … FOR UPDATE SKIP LOCKED, then a conditional UPDATE, so two workers never
send one at once), sends them over one connection per channel (one SMTP session, one keep-alive HTTP
session per process), records one attempt per notice, and marks each sent or schedules its own next try.
The sweep re-queues anything left pending, so a broker or worker outage delays delivery and loses nothing.

It knows no app above it. Apps extend it through two registries, filled in their `AppConfig.ready()`:
`register_sender(channel, fn)` for a channel it cannot send itself (the DSA Transparency Database), and
`on_delivered(kind, fn)` for what must follow a delivery (a confirmed removal enforces its claim).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.dispatch import task_send
from core.models import Notice, NoticeAttempt
from core.statements import insert_statement

log = logging.getLogger(__name__)


def queue_for(channel: str) -> str:
    return (
        settings.CELERY_URGENT_QUEUE
        if channel == Notice.Channel.WEBHOOK
        else settings.CELERY_TASK_DEFAULT_QUEUE
    )


DELIVER_TASK = "core.tasks.deliver_notices"


def dispatch(channel: str, notice_ids: list[int], countdown: int | None = None) -> None:
    """Ask a worker to deliver these notices of one channel (after `countdown` seconds)."""
    task_send(DELIVER_TASK, channel, notice_ids, queue=queue_for(channel), countdown=countdown)


def dispatch_all(notices: Iterable[tuple[int, str]], countdown: int | None = None) -> int:
    """`dispatch` (id, channel) pairs, one task per channel and per NOTICE_BATCH_SIZE notices."""
    by_channel: dict[str, list[int]] = defaultdict(list)
    for pk, channel in notices:
        by_channel[channel].append(pk)
    size = settings.NOTICE_BATCH_SIZE
    tasks = 0
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), size):
            dispatch(channel, ids[start : start + size], countdown=countdown)
            tasks += 1
    return tasks


# While a worker runs the hooks of a delivered batch (each enforcement queues two or three e-mails in its own
# transaction), the committed notices are gathered here and sent as a few batch tasks when it is done, not
# as one task per notice.
_collected: ContextVar[list[tuple[int, str]] | None] = ContextVar("outbox_collected", default=None)


def _request_delivery(notice_id: int, channel: str) -> None:
    collected = _collected.get()
    if collected is None:
        dispatch(channel, [notice_id])
    else:
        collected.append((notice_id, channel))


@contextmanager
def _deliveries_collected() -> Iterator[None]:
    collected: list[tuple[int, str]] = []
    token = _collected.set(collected)
    try:
        yield
    finally:
        # Reset first: in eager mode (no broker) the tasks sent below run here and collect their own.
        _collected.reset(token)
        dispatch_all(collected)


def _insert_once(notice: Notice) -> bool:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id: False when the key exists already.

    One round trip where get_or_create took four (SELECT, SAVEPOINT, INSERT, RELEASE) inside the caller's
    transaction; PostgreSQL and SQLite both accept the statement."""
    alias = router.db_for_write(Notice)
    connection = connections[alias]
    key = Notice._meta.get_field("idempotency_key")
    quote = connection.ops.quote_name
    sql, values = insert_statement(notice, alias)
    sql += f" ON CONFLICT ({quote(key.column)}) DO NOTHING RETURNING {quote(Notice._meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    notice.pk = row[0]
    notice._state.adding, notice._state.db = False, alias
    return True


def notice_create(**fields) -> Notice:
    """The outbox row for `fields` (once per `idempotency_key`), sent when the caller's transaction commits."""
    notice = Notice(**fields)
    if not _insert_once(notice):
        return Notice.objects.get(idempotency_key=notice.idempotency_key)
    transaction.on_commit(lambda: _request_delivery(notice.pk, notice.channel))
    return notice


def notice_email(
    *,
    kind: str,
    to: str,
    context: dict,
    key: str,
    claim_id: int | None = None,
    merchant_id: int | None = None,
    language: str = "en",
) -> Notice | None:
    """An e-mail rendered from `templates/emails/<kind>*` with `context`, in `language`, when it is sent."""
    if not to:
        return None
    return notice_create(
        channel=Notice.Channel.EMAIL,
        kind=kind,
        recipient=to,
        payload=context,
        language=language,
        idempotency_key=f"email:{kind}:{key}:{to}",
        claim_id=claim_id,
        merchant_id=merchant_id,
    )


def webhook_body(*, event: str, listing_ref: str, claim_reference: str, reason: str) -> dict:
    return {
        "event": event,
        "listing_ref": listing_ref,
        "claim_reference": claim_reference,
        "reason": reason,
        "occurred_at": timezone.now().isoformat().replace("+00:00", "Z"),
    }


def notice_webhook(
    *,
    event: str,
    listing_ref: str,
    claim_reference: str,
    reason: str,
    key: str,
    claim_id: int | None = None,
    merchant_id: int | None = None,
) -> Notice | None:
    """None when no marketplace webhook is configured (the demo): the caller enforces at once."""
    if not settings.PLATFORM_WEBHOOK_URL:
        return None
    body = webhook_body(event=event, listing_ref=listing_ref, claim_reference=claim_reference, reason=reason)
    return notice_create(
        channel=Notice.Channel.WEBHOOK,
        kind=event,
        recipient=settings.PLATFORM_WEBHOOK_URL,
        payload=body,
        idempotency_key=f"{event}:{key}",
        claim_id=claim_id,
        merchant_id=merchant_id,
    )


def sign_body(body: bytes, secret: str | None = None) -> str:
    secret = settings.PLATFORM_WEBHOOK_SECRET if secret is None else secret
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def canonical_json(payload) -> bytes:
    """The exact bytes that are signed and sent; the same on every retry."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def backoff_seconds(attempts: int) -> int:
    """2 s, 4 s, 8 s … capped; after the cap the periodic sweep keeps trying."""
    return min(2 ** max(attempts, 1), settings.NOTICE_MAX_BACKOFF_SECONDS)


class DeliveryFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status_code = status_code
        self.permanent = permanent


# --- the channels: how to send one notice, over a connection kept for the batch (SMTP) or the process (HTTP)
Sender = Callable[[Notice], "int | None"]
Transport = Callable[[], AbstractContextManager[Sender]]


def _email_message(notice: Notice) -> EmailMultiAlternatives:
    context = {**notice.payload, "site_url": settings.SITE_URL}
    with translation.override(notice.language or "en"):
        subject = render_to_string(f"emails/{notice.kind}_subject.txt", context).strip()
        text = render_to_string(f"emails/{notice.kind}.txt", context)
        html = render_to_string(f"emails/{notice.kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[notice.recipient],
        headers={
            # The same Message-ID on a retry lets mail systems drop the duplicate.
            "Message-ID": f"<{hashlib.sha256(notice.idempotency_key.encode()).hexdigest()[:32]}@takedown-desk>",
            "X-Idempotency-Key": notice.idempotency_key,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@contextmanager
def _smtp_session() -> Iterator[Sender]:
    """One SMTP connection for the whole batch: connecting, EHLO and QUIT cost more than a short message.

    Django's backend keeps a connection it was handed open between messages. A message that fails closes
    it, so a refused recipient or a dropped session costs the next message a reconnect, nothing else."""
    connection = get_connection(fail_silently=False)

    def send(notice: Notice) -> None:
        message = _email_message(notice)
        connection.open()
        try:
            connection.send_messages([message])
        except Exception:
            connection.close()
            raise

    try:
        yield send
    finally:
        connection.close()


_http = threading.local()


def _http_session() -> requests.Session:
    """One keep-alive session per process and thread: a forked worker child opens its own sockets, never
    its parent's."""
    if getattr(_http, "pid", None) != os.getpid():
        _http.pid, _http.session = os.getpid(), requests.Session()
    return _http.session


def _send_webhook(notice: Notice) -> int:
    body = canonical_json(notice.payload)
    headers = {
        "Content-Type": "application/json",
        "X-Takedown-Signature": sign_body(body),
        "Idempotency-Key": notice.idempotency_key,
    }
    try:
        response = _http_session().post(
            notice.recipient, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise DeliveryFailed(
            f"HTTP {response.status_code}: {response.text[:200]}", status_code=response.status_code
        )
    return response.status_code


# The channels the outbox sends itself are delivered in batches: a task takes up to NOTICE_BATCH_SIZE due
# notices of its channel. A registered sender gets one notice at a time (it may batch on its own, as the
# Transparency Database sender does).
BATCHED: dict[str, Transport] = {
    Notice.Channel.EMAIL: _smtp_session,
    Notice.Channel.WEBHOOK: lambda: nullcontext(_send_webhook),
}
SENDERS: dict[str, Sender] = {}
DELIVERY_HOOKS: dict[str, list[Callable[[Notice], None]]] = {}


def register_sender(channel: str, sender: Sender) -> None:
    """Let an app deliver a channel the outbox cannot send itself; it raises DeliveryFailed to retry."""
    SENDERS[channel] = sender


def on_delivered(kind: str, hook: Callable[[Notice], None]) -> None:
    """Run `hook(notice)` after each notice of `kind` is delivered (outside the delivery's transaction)."""
    if hook not in DELIVERY_HOOKS.setdefault(kind, []):
        DELIVERY_HOOKS[kind].append(hook)


def _unregistered(notice: Notice) -> None:
    raise DeliveryFailed(f"no sender is registered for channel {notice.channel!r}")


def _transport(channel: str) -> AbstractContextManager[Sender]:
    if channel in BATCHED:
        return BATCHED[channel]()
    return nullcontext(SENDERS.get(channel, _unregistered))


# --- delivery ---------------------------------------------------------------------------------------------
def _claim(notice_ids: list[int], *, pull: str | None = None) -> list[Notice]:
    """Lease notices to this worker: those asked for that are pending and due (or whose lease a dead worker
    left behind), and with `pull` as many other due notices of that channel as fill a batch.

    SELECT … FOR UPDATE SKIP LOCKED, then UPDATE, in one transaction: a row another worker is taking is
    skipped rather than waited for, and every row this one locked is its own."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
    locked = Notice.objects.select_for_update(skip_locked=True).order_by()
    with transaction.atomic():
        notices = list(locked.filter(_due(now, slack=timedelta(seconds=1)), pk__in=notice_ids))
        room = settings.NOTICE_BATCH_SIZE - len(notices)
        if pull and room > 0:
            # notice_sweep_idx (status, next_attempt_at): the oldest due notices first.
            notices += (
                locked.filter(status=Notice.Status.PENDING, next_attempt_at__lte=now, channel=pull)
                .exclude(pk__in=notice_ids)
                .order_by("next_attempt_at")[:room]
            )
        if notices:
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
                status=Notice.Status.SENDING, lease_until=lease
            )
    return notices


@dataclass
class _Outcome:
    notice: Notice
    attempt: NoticeAttempt
    permanent: bool = False


def _attempt(notice: Notice, send: Sender) -> _Outcome:
    started = time.monotonic()
    outcome = _Outcome(notice, NoticeAttempt(notice=notice))
    try:
        outcome.attempt.status_code = send(notice)
        outcome.attempt.ok = True
    except DeliveryFailed as exc:
        outcome.attempt.error, outcome.attempt.status_code = str(exc), exc.status_code
        outcome.permanent = exc.permanent
    except Exception as exc:  # SMTP errors, template errors: recorded, retried
        outcome.attempt.error = f"{type(exc).__name__}: {exc}"
    outcome.attempt.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def _record(outcomes: list[_Outcome]) -> None:
    """Every attempt and every notice's new state, in one transaction for the batch."""
    if not outcomes:
        return
    now = timezone.now()
    with transaction.atomic():
        NoticeAttempt.objects.bulk_create([o.attempt for o in outcomes])
        sent = [o.notice.pk for o in outcomes if o.attempt.ok]
        if sent:
            Notice.objects.filter(pk__in=sent).update(
                status=Notice.Status.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                lease_until=None,
                last_error="",
            )
        for o in outcomes:
            if o.attempt.ok:
                continue
            attempts = o.notice.attempts + 1
            failed = {"attempts": attempts, "last_error": o.attempt.error[:2000], "lease_until": None}
            if o.permanent:  # retrying cannot help (an invalid statement, a refusal): keep it for an operator
                failed["status"] = Notice.Status.FAILED
            else:
                failed["status"] = Notice.Status.PENDING
                failed["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(attempts))
            Notice.objects.filter(pk=o.notice.pk).update(**failed)


def _release(notices: list[Notice]) -> None:
    """Hand back notices this worker leased but had no time left to send: pending again, and queued."""
    if not notices:
        return
    Notice.objects.filter(pk__in=[n.pk for n in notices], status=Notice.Status.SENDING).update(
        status=Notice.Status.PENDING, lease_until=None
    )
    dispatch_all((n.pk, n.channel) for n in notices)


def _deliver(notices: list[Notice]) -> dict[int, int]:
    """Send leased notices, record them, queue each failure's retry, then run the hooks of those delivered
    (a batch of removals is out before the first of its claims is enforced). Returns notice id → seconds
    until its next try, for those that will be retried."""
    if not notices:
        return {}
    # A lease is only as good as its time: once half of it is gone, the rest of the batch goes back to the
    # queue rather than risk a second worker taking over a notice this one is still sending.
    send_until = time.monotonic() + settings.NOTICE_LEASE_SECONDS / 2
    outcomes: list[_Outcome] = []
    unsent: list[Notice] = []
    by_channel: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_channel[notice.channel].append(notice)
    for channel, group in by_channel.items():
        with _transport(channel) as send:
            for notice in group:
                if time.monotonic() > send_until:
                    unsent.append(notice)
                else:
                    outcomes.append(_attempt(notice, send))
    _record(outcomes)
    _release(unsent)

    retries: dict[int, int] = {}
    by_delay: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for o in outcomes:
        if o.attempt.ok:
            continue
        if o.permanent:
            log.warning("notice %s failed permanently: %s", o.notice.pk, o.attempt.error)
            continue
        log.info("notice %s attempt %s failed: %s", o.notice.pk, o.notice.attempts + 1, o.attempt.error)
        retries[o.notice.pk] = delay = backoff_seconds(o.notice.attempts + 1)
        by_delay[delay].append((o.notice.pk, o.notice.channel))
    # The first retries come within seconds; once the backoff is capped the sweep keeps trying too.
    for delay, pairs in by_delay.items():
        dispatch_all(pairs, countdown=delay)

    with _deliveries_collected():
        for o in outcomes:
            if o.attempt.ok:
                _after_delivery(o.notice)
    return retries


def _after_delivery(notice: Notice) -> None:
    for hook in DELIVERY_HOOKS.get(notice.kind, ()):
        try:
            hook(notice)
        except Exception:  # one notice's follow-up never holds up the rest of its batch; its sweep retries it
            log.exception("the hook %s failed after notice %s was delivered", hook, notice.pk)


def notices_deliver(*, notice_ids: list[int], channel: str | None = None) -> dict[int, int]:
    """Deliver these notices; for a channel the outbox sends itself, fill the batch with other due notices
    of `channel`. Each is leased, sent, recorded and retried on its own: one failure delays no other.
    Returns notice id → seconds until its next try, for those that failed and will be retried."""
    if channel in BATCHED:
        return _deliver(_claim(notice_ids, pull=channel))
    retries: dict[int, int] = {}
    for pk in notice_ids:  # one at a time: a registered sender may take other pending notices along
        retries.update(_deliver(_claim([pk])))
    return retries


def notice_deliver(*, notice_id: int) -> int | None:
    """Deliver one notice. Returns None when done (or not ours), else seconds until the next try."""
    return notices_deliver(notice_ids=[notice_id]).get(notice_id)


def _due(now, slack: timedelta = timedelta(0)) -> Q:
    """Notices a worker may take: pending and due (within `slack`), or whose lease a dead worker left."""
    return Q(status=Notice.Status.PENDING, next_attempt_at__lte=now + slack) | Q(
        status=Notice.Status.SENDING, lease_until__lt=now
    )


def notices_due(limit: int = 1000) -> list[tuple[int, str]]:
    return list(
        Notice.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )
