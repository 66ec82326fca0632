"""The transactional outbox (SPEC §5).

`notice_email` / `notice_webhook` / `notice_tdb` write a Notice row inside the caller's transaction and ask
for delivery when it commits. `notice_deliver` is the only place that talks to SMTP or HTTP: a worker claims
the notice with a conditional UPDATE (so two workers never send it at once), sends it, records the attempt,
and either marks it sent or schedules the next try. The sweep re-queues anything left pending, so a broker
or worker outage delays delivery and loses nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notice, NoticeAttempt

log = logging.getLogger(__name__)

def queue_for(channel: str) -> str:
    return settings.CELERY_URGENT_QUEUE if channel == Notice.Channel.WEBHOOK else settings.CELERY_TASK_DEFAULT_QUEUE


def dispatch(notice_id: int, channel: str, countdown: int | None = None) -> None:
    from .tasks import deliver_notice

    try:
        deliver_notice.apply_async((notice_id,), queue=queue_for(channel), countdown=countdown)
    except Exception:  # the broker is down: the sweep will send it when it is back
        log.warning("could not queue notice %s; the sweep will retry", notice_id, exc_info=True)


def _create(**fields) -> Notice:
    notice, created = Notice.objects.get_or_create(idempotency_key=fields.pop("idempotency_key"), defaults=fields)
    if created:
        transaction.on_commit(lambda: dispatch(notice.pk, notice.channel))
    return notice


def notice_email(
    *, kind: str, to: str, context: dict, key: str, claim=None, merchant=None, language: str = "en"
) -> Notice | None:
    if not to:
        return None
    return _create(
        channel=Notice.Channel.EMAIL,
        kind=kind,
        recipient=to,
        payload=context,
        language=language,
        idempotency_key=f"email:{kind}:{key}:{to}",
        claim=claim,
        merchant=merchant,
    )


def webhook_body(*, event: str, listing_ref: str, claim_reference: str, reason: str) -> dict:
    return {
        "event": event,
        "listing_ref": listing_ref,
        "claim_reference": claim_reference,
        "reason": reason,
        "occurred_at": timezone.now().isoformat().replace("+00:00", "Z"),
    }


def notice_webhook(*, event: str, listing, claim_reference: str, reason: str, key: str, claim=None) -> Notice | None:
    """None when no marketplace webhook is configured (the demo): the caller enforces at once."""
    if not settings.PLATFORM_WEBHOOK_URL:
        return None
    body = webhook_body(event=event, listing_ref=listing.platform_ref, claim_reference=claim_reference, reason=reason)
    return _create(
        channel=Notice.Channel.WEBHOOK,
        kind=event,
        recipient=settings.PLATFORM_WEBHOOK_URL,
        payload=body,
        idempotency_key=f"{event}:{key}",
        claim=claim,
        merchant=listing.merchant if claim is None else None,
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
        response = requests.post(notice.recipient, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}", status_code=response.status_code)
    return response.status_code


def _send_tdb(notice: Notice) -> int:
    from .dsa import tdb_submit

    return tdb_submit(notice)


SENDERS = {
    Notice.Channel.EMAIL: _send_email,
    Notice.Channel.WEBHOOK: _send_webhook,
    Notice.Channel.TDB: _send_tdb,
}


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
        attempt.status_code = SENDERS[notice.channel](notice)
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
                status=Notice.Status.FAILED, attempts=attempts, last_error=attempt.error[:2000], lease_until=None
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
    # The marketplace confirmed the removal: now the claim is taken down (SPEC §5).
    if notice.channel == Notice.Channel.WEBHOOK and notice.kind == "listing.remove" and notice.claim_id:
        from .enforcement import claim_enforce

        claim_enforce(claim_id=notice.claim_id)


def notices_due(limit: int = 1000) -> list[tuple[int, str]]:
    now = timezone.now()
    return list(
        Notice.objects.filter(
            Q(status=Notice.Status.PENDING, next_attempt_at__lte=now) | Q(status=Notice.Status.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )
