"""The transactional outbox: infrastructure that stores, leases, signs, sends and retries notices.

`notice_email` / `notice_webhook` / `notice_create` write a Notice row inside the caller's transaction and
ask for delivery when it commits. `notice_deliver` is the only place that talks to SMTP or HTTP: a worker claims
the notice with a conditional UPDATE (so two workers never send it at once), sends it, records the attempt,
and either marks it sent or schedules the next try. The sweep re-queues anything left pending, so a broker
or worker outage delays delivery and loses nothing.

It knows no app above it. Apps extend it through two registries, filled in their `AppConfig.ready()`:
`register_sender(channel, fn)` for a channel it cannot send itself (the DSA Transparency Database), and
`on_delivered(kind, fn)` for what must follow a delivery (a confirmed removal enforces its claim).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.dispatch import task_send
from core.models import Notice, NoticeAttempt

log = logging.getLogger(__name__)


def queue_for(channel: str) -> str:
    return (
        settings.CELERY_URGENT_QUEUE
        if channel == Notice.Channel.WEBHOOK
        else settings.CELERY_TASK_DEFAULT_QUEUE
    )


DELIVER_TASK = "core.tasks.deliver_notice"


def dispatch(notice_id: int, channel: str, countdown: int | None = None) -> None:
    task_send(DELIVER_TASK, notice_id, queue=queue_for(channel), countdown=countdown)


def notice_create(**fields) -> Notice:
    """The outbox row for `fields` (once per `idempotency_key`), sent when the caller's transaction commits."""
    notice, created = Notice.objects.get_or_create(
        idempotency_key=fields.pop("idempotency_key"), defaults=fields
    )
    if created:
        transaction.on_commit(lambda: dispatch(notice.pk, notice.channel))
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


def _send_email(notice: Notice) -> int | None:
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
    message.send(fail_silently=False)
    return None


def _send_webhook(notice: Notice) -> int:
    body = canonical_json(notice.payload)
    headers = {
        "Content-Type": "application/json",
        "X-Takedown-Signature": sign_body(body),
        "Idempotency-Key": notice.idempotency_key,
    }
    try:
        response = requests.post(
            notice.recipient, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise DeliveryFailed(
            f"HTTP {response.status_code}: {response.text[:200]}", status_code=response.status_code
        )
    return response.status_code


Sender = Callable[[Notice], "int | None"]
SENDERS: dict[str, Sender] = {
    Notice.Channel.EMAIL: _send_email,
    Notice.Channel.WEBHOOK: _send_webhook,
}
DELIVERY_HOOKS: dict[str, list[Callable[[Notice], None]]] = {}


def register_sender(channel: str, sender: Sender) -> None:
    """Let an app deliver a channel the outbox cannot send itself; it raises DeliveryFailed to retry."""
    SENDERS[channel] = sender


def on_delivered(kind: str, hook: Callable[[Notice], None]) -> None:
    """Run `hook(notice)` after each notice of `kind` is delivered (outside the delivery's transaction)."""
    if hook not in DELIVERY_HOOKS.setdefault(kind, []):
        DELIVERY_HOOKS[kind].append(hook)


def _sender(notice: Notice) -> Sender:
    sender = SENDERS.get(notice.channel)
    if sender is None:
        raise DeliveryFailed(f"no sender is registered for channel {notice.channel!r}")
    return sender


def _claim_for_sending(notice_id: int) -> bool:
    """Take the notice for this worker: pending and due, or a lease some dead worker left behind."""
    now = timezone.now()
    taken = Notice.objects.filter(
        Q(status=Notice.Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=1))
        | Q(status=Notice.Status.SENDING, lease_until__lt=now),
        pk=notice_id,
    ).update(status=Notice.Status.SENDING, lease_until=now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS))
    return taken == 1


def notice_deliver(*, notice_id: int) -> int | None:
    """Deliver one notice. Returns None when done (or not ours), else seconds until the next try."""
    if not _claim_for_sending(notice_id):
        return None
    notice = Notice.objects.get(pk=notice_id)
    started = time.monotonic()
    attempt = NoticeAttempt(notice=notice)
    permanent = False
    try:
        attempt.status_code = _sender(notice)(notice)
        attempt.ok = True
    except DeliveryFailed as exc:
        attempt.error, attempt.status_code = str(exc), exc.status_code
        permanent = exc.permanent
    except Exception as exc:  # SMTP errors, template errors: recorded, retried
        attempt.error = f"{type(exc).__name__}: {exc}"
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    with transaction.atomic():
        attempt.save()
        attempts = notice.attempts + 1
        if attempt.ok:
            Notice.objects.filter(pk=notice.pk).update(
                status=Notice.Status.SENT, sent_at=now, attempts=attempts, lease_until=None, last_error=""
            )
        elif permanent:  # retrying cannot help (an invalid statement, a refusal): keep it for an operator
            Notice.objects.filter(pk=notice.pk).update(
                status=Notice.Status.FAILED,
                attempts=attempts,
                last_error=attempt.error[:2000],
                lease_until=None,
            )
        else:
            delay = backoff_seconds(attempts)
            Notice.objects.filter(pk=notice.pk).update(
                status=Notice.Status.PENDING,
                attempts=attempts,
                last_error=attempt.error[:2000],
                next_attempt_at=now + timedelta(seconds=delay),
                lease_until=None,
            )
    if attempt.ok:
        _after_delivery(notice)
        return None
    if permanent:
        log.warning("notice %s failed permanently: %s", notice.pk, attempt.error)
        return None
    log.info("notice %s attempt %s failed: %s", notice.pk, notice.attempts + 1, attempt.error)
    # The first retries come within seconds; once the backoff is capped the sweep keeps trying too.
    delay = backoff_seconds(notice.attempts + 1)
    dispatch(notice.pk, notice.channel, countdown=delay)
    return delay


def _after_delivery(notice: Notice) -> None:
    for hook in DELIVERY_HOOKS.get(notice.kind, ()):
        hook(notice)


def notices_due(limit: int = 1000) -> list[tuple[int, str]]:
    now = timezone.now()
    return list(
        Notice.objects.filter(
            Q(status=Notice.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Notice.Status.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )
