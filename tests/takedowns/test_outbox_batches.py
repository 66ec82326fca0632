"""Notices delivered in batches, with the real stack: PostgreSQL, Redis, Celery worker processes, an SMTP
server that tells its connections apart and a webhook receiver that counts its own. A batch shares one
connection per channel, but each notice in it is leased, sent, recorded and retried on its own."""

from datetime import timedelta

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from core.models import Notice, NoticeAttempt
from core.outbox import notice_email, notice_webhook, notices_deliver
from takedowns.models import Claim, ClaimEvent
from tests.factories import ListingFactory
from tests.harness import WorkerProcess, wait_for
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.services

CONTEXT = {"reference": "TD-1", "listing_title": "Bag", "listing_url": "https://x", "ip_right": "R"}


def one_worker(stack, name: str = "w1", **env) -> WorkerProcess:
    """A worker with a single process, so that what it does comes in one order."""
    process = WorkerProcess({**stack.env, **{k: str(v) for k, v in env.items()}}, name=name, concurrency=1)
    stack.processes.append(process)
    return process.start()


def approved(world, count: int) -> list[Claim]:
    """Claims approved (and committed) while no worker runs: their removals wait in the outbox together."""
    claims = [claim_in_state(world, "in_review", listing=ListingFactory()) for _ in range(count)]
    for claim in claims:
        step(world, claim, "approve")
    return claims


def emails(count: int, prefix: str = "brand") -> list[Notice]:
    with transaction.atomic():
        return [
            notice_email(kind="claim_received", to=f"{prefix}{i}@example.com", context=CONTEXT, key=f"k{i}")
            for i in range(count)
        ]


def removals(stack) -> list:
    return sorted(
        (d for d in stack.webhooks.all() if d.body.get("event") == "listing.remove"),
        key=lambda d: d.received_at,
    )


def all_taken_down(claims, timeout: float = 40) -> None:
    ids = [c.pk for c in claims]
    wait_for(
        lambda: Claim.objects.filter(pk__in=ids, state="taken_down").count() == len(ids),
        timeout=timeout,
        message="every claim to be taken down",
    )


def test_it_retries_only_the_removal_the_marketplace_refused(world, stack):
    claims = approved(world, 5)
    refused = claims[2]
    stack.webhooks.fail_refs[refused.listing.platform_ref] = 1  # a 500 for this listing, once
    one_worker(stack)
    all_taken_down(claims)

    first_round, retry = removals(stack)[:5], removals(stack)[5:]
    # All five went out together, over one kept-alive connection, before the refused one was tried again.
    assert {d.body["claim_reference"] for d in first_round} == {c.reference for c in claims}
    assert len({d.connection for d in first_round}) == 1
    assert [(d.body["claim_reference"], d.status) for d in retry] == [(refused.reference, 200)]

    attempts = {
        c.reference: list(
            NoticeAttempt.objects.filter(notice__claim_id=c.pk, notice__kind="listing.remove")
            .order_by("pk")
            .values_list("ok", "status_code")
        )
        for c in claims
    }
    assert attempts.pop(refused.reference) == [(False, 500), (True, 200)]
    assert set(map(tuple, attempts.values())) == {((True, 200),)}
    # The other four were taken down without waiting for the retry.
    retried_at = Notice.objects.get(claim_id=refused.pk, kind="listing.remove").sent_at
    others = Claim.objects.filter(pk__in=[c.pk for c in claims]).exclude(pk=refused.pk)
    assert all(c.taken_down_at < retried_at for c in others)


def test_it_sends_a_batch_of_emails_over_one_smtp_connection(world, stack):
    notices = emails(12)
    one_worker(stack)
    ids = [n.pk for n in notices]
    wait_for(lambda: Notice.objects.filter(pk__in=ids, status="sent").count() == 12, message="twelve e-mails")

    received = [m for m in stack.smtp.messages if m["to"][0].startswith("brand")]
    assert sorted(m["to"][0] for m in received) == sorted(n.recipient for n in notices)
    assert len({m["session"] for m in received}) == 1
    assert set(Notice.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}


def test_it_sends_the_rest_of_a_batch_when_the_mail_server_refuses_one_recipient(world, stack):
    stack.smtp.refuse("brand1@example.com")
    notices = emails(4)
    one_worker(stack)
    wait_for(
        lambda: (
            not Notice.objects.filter(pk__in=[n.pk for n in notices], status="sending").exists()
            and stack.smtp.count >= 3
        ),
        message="the batch to be sent and recorded",
    )

    refused = Notice.objects.get(pk=notices[1].pk)
    assert (refused.status, refused.attempts) == ("pending", 1) and "550" in refused.last_error
    assert sorted(m["to"][0] for m in stack.smtp.messages) == [
        "brand0@example.com",
        "brand2@example.com",
        "brand3@example.com",
    ]
    assert Notice.objects.filter(pk__in=[n.pk for n in notices], status="sent", attempts=1).count() == 3

    stack.smtp.accept_all()  # the mailbox exists again: the backoff's next try delivers it
    wait_for(
        lambda: Notice.objects.filter(pk=refused.pk, status="sent").exists(),
        timeout=20,
        message="the refused e-mail's retry",
    )
    refused.refresh_from_db()
    assert refused.attempts == 2 and len(stack.smtp.to("brand1@example.com")) == 1


def test_the_sweep_finishes_a_batch_whose_worker_died(world, stack):
    claims = approved(world, 8)
    stack.webhooks.delay = 0.3
    doomed = one_worker(stack, "doomed")
    wait_for(lambda: len(stack.webhooks.accepted("listing.remove")) >= 2, message="the first removals")
    doomed.kill()
    # The rest of its batch is still leased to it, and its queued tasks go with the broker's data: only the
    # sweep can know what is left.
    assert Notice.objects.filter(kind="listing.remove", status="sending").exists()
    redis.Redis.from_url(stack.redis_url).flushdb()
    stack.webhooks.delay = 0.0

    one_worker(stack, "rescuer")
    stack.beat()
    all_taken_down(claims, timeout=60)

    keys = {}
    for delivery in removals(stack):
        keys.setdefault(delivery.body["listing_ref"], set()).add(delivery.idempotency_key)
    assert set(keys) == {c.listing.platform_ref for c in claims}
    assert all(len(k) == 1 for k in keys.values())
    assert set(Notice.objects.filter(kind="listing.remove").values_list("status", flat=True)) == {"sent"}
    enforced = ClaimEvent.objects.filter(claim_id__in=[c.pk for c in claims], transition="enforce")
    assert enforced.count() == len(claims)


def test_a_removal_never_waits_behind_queued_emails(world, stack):
    emails(30, prefix="backlog")
    claims = approved(world, 3)
    # One notice per task, so that the order in which the worker takes its queues shows: urgent first.
    one_worker(stack, NOTICE_BATCH_SIZE=1)
    all_taken_down(claims)
    wait_for(lambda: stack.smtp.count >= 30, timeout=60, message="the backlog of e-mails")

    last_removal = max(d.received_at for d in removals(stack))
    first_email = min(m["received_at"] for m in stack.smtp.messages)
    assert last_removal < first_email


def test_it_fills_a_batch_with_the_other_due_notices_of_its_channel(world, stack, settings):
    """In this process, with no worker: one call takes the notice it was asked for and the other due ones."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stack.smtp.port
    notices = emails(3)
    waiting = notice_email(kind="claim_received", to="later@example.com", context=CONTEXT, key="later")
    Notice.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    assert notices_deliver(notice_ids=[notices[0].pk], channel="email") == {}
    assert sorted(m["to"][0] for m in stack.smtp.messages) == [n.recipient for n in notices]
    assert len({m["session"] for m in stack.smtp.messages}) == 1
    assert Notice.objects.get(pk=waiting.pk).status == "pending"  # its backoff is not over


def test_it_hands_back_what_it_has_no_lease_left_to_send(world, stack, settings):
    """Once half its lease is gone a worker stops sending: the rest is pending again for another worker."""
    settings.NOTICE_LEASE_SECONDS = 1
    stack.webhooks.delay = 0.3
    with transaction.atomic():
        notices = [
            notice_webhook(
                event="listing.restore", listing_ref=f"L-{i}", claim_reference="TD-1", reason="r", key=i
            )
            for i in range(5)
        ]

    assert notices_deliver(notice_ids=[n.pk for n in notices], channel="webhook") == {}
    states = list(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status", "lease_until"))
    sent = [s for s, _ in states if s == "sent"]
    assert 1 <= len(sent) <= 2 and len(stack.webhooks.all()) == len(sent)  # 0.3 s each, 0.5 s to send in
    assert sorted(s for s, _ in states) == ["pending"] * (5 - len(sent)) + sent
    assert all(lease is None for _, lease in states)
    assert not NoticeAttempt.objects.filter(notice__status="pending").exists()  # never tried, not failed
