"""Delivery latency from approval to the marketplace webhook, with real Celery workers.

    make bench                       # 1,000 approvals, two worker processes
    .venv/bin/python scripts/bench.py --claims 200 --workers 2

Needs PostgreSQL (DATABASE_URL; a database named after it with `_bench` is created and dropped) and Redis
(REDIS_URL). Prints median, p95 and max latency from the approval's commit to the webhook's arrival, and to
the claim's `taken_down` state, plus throughput (to the last takedown, then to the last e-mail sent, with the
SMTP and HTTP connections they took). The SMTP server and the webhook receiver run in a process of their own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1, help="processes per worker")
    parser.add_argument(
        "--rate", type=float, default=0, help="approvals per second (0: as fast as one loop goes)"
    )
    parser.add_argument(
        "--dedicated-urgent",
        action="store_true",
        help="the first worker consumes only the urgent queue (removal webhooks, enforcement)",
    )
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    import psycopg

    bench_db = base_url.rsplit("/", 1)[1].split("?")[0] + "_bench"
    admin_url = base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + bench_db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-outside-the-benchmark-0123456789")

    from tests.harness import WEBHOOK_SECRET, Receivers, WorkerProcess, wait_for, worker_env

    receivers = Receivers().start()
    os.environ.update(
        {
            "PLATFORM_WEBHOOK_URL": receivers.webhook_url,
            "PLATFORM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(receivers.smtp_port),
            "LOG_LEVEL": "WARNING",
        }
    )

    import django

    django.setup()
    import redis
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db.models import Max
    from django.utils import timezone

    from brands.models import Brand, IPRight
    from core.models import Notice
    from core.roles import actor_for
    from merchants.models import Listing, Merchant
    from takedowns.models import Claim, Evidence
    from takedowns.services.transitions import claim_transition

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()

    brand = Brand.objects.create(name="Bench Brand", contact_email="legal@bench.example")
    right = IPRight.objects.create(
        brand=brand,
        kind="trademark",
        mark="BENCH",
        registration_number="1",
        office="EUIPO",
        status=IPRight.Status.VERIFIED,
    )
    reviewer = User.objects.create_user("bench-reviewer", email="r@bench.example")
    reviewer.groups.add(Group.objects.get_or_create(name="reviewer")[0])
    merchants = Merchant.objects.bulk_create(
        [
            Merchant(platform_ref=f"BM-{i}", name=f"Seller {i}", email=f"s{i}@m.example")
            for i in range(args.claims)
        ]
    )
    listings = Listing.objects.bulk_create(
        [
            Listing(
                platform_ref=f"BL-{i}", merchant=m, url=f"https://market.example/b/{i}", title=f"Item {i}"
            )
            for i, m in enumerate(merchants)
        ]
    )
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        [
            Claim(
                reference=f"TD-2026-{900000 + i}",
                brand=brand,
                ip_right=right,
                listing=listing,
                infringement_type="counterfeit",
                good_faith=True,
                accurate=True,
                signature="Bench",
                state="in_review",
                submitted_at=now,
                assignee=reviewer,
            )
            for i, listing in enumerate(listings)
        ]
    )
    Evidence.objects.bulk_create(
        [
            Evidence(claim=c, file="evidence/x.png", sha256="0" * 64, content_type="image/png", size=1)
            for c in claims
        ]
    )

    env = worker_env(
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        smtp_port=receivers.smtp_port,
        webhook_url=receivers.webhook_url,
        media_root="/tmp/bench-media",
    )
    from django.conf import settings

    workers = [
        WorkerProcess(
            env,
            name=f"bench{i}",
            concurrency=args.concurrency,
            queues=settings.CELERY_URGENT_QUEUE if args.dedicated_urgent and i == 0 else None,
        ).start()
        for i in range(args.workers)
    ]
    actor = actor_for(reviewer)
    committed = {}
    try:
        started = time.time()
        for index, claim in enumerate(claims):
            if args.rate:
                time.sleep(max(0.0, started + index / args.rate - time.time()))
            claim_transition(claim_id=claim.pk, name="approve", actor=actor)
            committed[claim.reference] = time.time()
        approving = time.time() - started
        wait_for(
            lambda: receivers.ask("accepted:listing.remove") >= len(claims),
            timeout=600,
            interval=0.5,
            message="every webhook",
        )
        wait_for(
            lambda: Claim.objects.filter(state="taken_down").count() == len(claims),
            timeout=600,
            interval=0.5,
            message="every takedown",
        )
        # The last takedown's own time, not when this loop looked (every half second).
        finished = Claim.objects.aggregate(last=Max("taken_down_at"))["last"].timestamp()
        # The e-mails wait while removals are pending (the urgent queue comes first); they are part of the
        # work all the same, so the run ends when every one of them is sent.
        wait_for(
            lambda: not Notice.objects.filter(channel=Notice.Channel.EMAIL).exclude(status="sent").exists(),
            timeout=600,
            interval=0.5,
            message="every e-mail",
        )
        emails = Notice.objects.filter(channel=Notice.Channel.EMAIL)
        mailed = emails.aggregate(last=Max("sent_at"))["last"].timestamp()
    finally:
        for worker in workers:
            worker.stop()
        deliveries, mail = receivers.ask("deliveries"), receivers.ask("mail")
        receivers.stop()

    to_webhook = [
        d.received_at - committed[d.body["claim_reference"]]
        for d in deliveries
        if d.status == 200 and d.body.get("event") == "listing.remove"
    ]
    taken = {
        c.reference: c.taken_down_at.timestamp() for c in Claim.objects.only("reference", "taken_down_at")
    }
    to_takedown = [taken[ref] - at for ref, at in committed.items()]
    ms = lambda seconds: f"{seconds * 1000:.0f} ms"  # noqa: E731
    print(
        f"approvals: {len(claims)} with {args.workers} workers (concurrency {args.concurrency} each), "
        f"{'paced at ' + str(args.rate) + '/s' if args.rate else 'as fast as possible'}"
        f"{', first worker dedicated to the urgent queue' if args.dedicated_urgent else ''}"
    )
    print(
        f"approving took {approving:.1f} s ({len(claims) / approving:.0f} approvals/s, one reviewer in a loop)"
    )
    print(
        f"approve -> webhook: median {ms(statistics.median(to_webhook))}, p95 {ms(percentile(to_webhook, 0.95))}, "
        f"max {ms(max(to_webhook))}"
    )
    print(
        f"approve -> taken_down: median {ms(statistics.median(to_takedown))}, p95 {ms(percentile(to_takedown, 0.95))}"
    )
    print(
        f"all {len(claims)} taken down {finished - started:.1f} s after the first approval; "
        f"e-mails received by SMTP: {len(mail)}"
    )
    print(
        f"all {len(mail)} e-mails sent {mailed - started:.1f} s after the first approval, over "
        f"{len({m['session'] for m in mail})} SMTP connections; {len(deliveries)} webhooks over "
        f"{len({d.connection for d in deliveries})} HTTP connections"
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        django.db.connections.close_all()
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
