import json

import pytest
from django.core import mail

from core.models import Notice, NoticeAttempt
from core.outbox import backoff_seconds, canonical_json, notice_deliver, notice_email, sign_body

pytestmark = pytest.mark.django_db


def test_it_writes_a_notice_once_per_idempotency_key(world):
    first = notice_email(
        kind="claim_received", to="a@example.com", context={"reference": "TD-1"}, key="TD-1:received"
    )
    again = notice_email(
        kind="claim_received", to="a@example.com", context={"reference": "TD-1"}, key="TD-1:received"
    )
    assert first.pk == again.pk and Notice.objects.count() == 1


def test_it_delivers_an_email_once_with_a_stable_message_id(world):
    notice = notice_email(
        kind="claim_received",
        to="a@example.com",
        key="TD-1:received",
        context={"reference": "TD-1", "listing_title": "Bag", "listing_url": "https://x", "ip_right": "R"},
    )
    assert notice_deliver(notice_id=notice.pk) is None
    assert notice_deliver(notice_id=notice.pk) is None  # a second run (acks_late redelivery) sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Claim TD-1 received"
    assert message.extra_headers["X-Idempotency-Key"] == notice.idempotency_key
    assert message.alternatives[0][1] == "text/html"
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_it_records_a_failed_attempt_and_schedules_a_retry(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    notice = notice_email(kind="claim_received", to="a@example.com", key="k", context={"reference": "TD-1"})
    assert notice_deliver(notice_id=notice.pk) == 2
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.attempts == 1 and notice.last_error
    assert NoticeAttempt.objects.get(notice=notice).ok is False


def test_it_backs_off_exponentially_up_to_a_cap(settings):
    settings.NOTICE_MAX_BACKOFF_SECONDS = 600
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 9, 10, 20)] == [2, 4, 8, 16, 512, 600, 600]


def test_it_signs_the_exact_bytes_it_sends(settings):
    settings.PLATFORM_WEBHOOK_SECRET = "s3cret"
    body = canonical_json({"event": "listing.remove", "listing_ref": "L-1"})
    assert json.loads(body) == {"event": "listing.remove", "listing_ref": "L-1"}
    assert sign_body(body) == "sha256=" + __import__("hmac").new(b"s3cret", body, "sha256").hexdigest()


def test_it_stops_retrying_a_notice_the_receiver_refused_for_good(world, settings):
    from core.outbox import notice_create

    settings.DSA_TDB_URL = "http://127.0.0.1:9/tdb"  # never reached: the statement is refused before sending
    notice = notice_create(
        channel=Notice.Channel.TDB,
        kind="statement",
        recipient="tdb",
        payload={"puid": "x"},
        idempotency_key="tdb:x",
    )
    assert notice_deliver(notice_id=notice.pk) is None  # an invalid statement: no retry is scheduled
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED and "invalid statement" in notice.last_error
