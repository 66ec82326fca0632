#!/usr/bin/env python
"""Marketplace scale, each figure next to its baseline on the same database in the same run.

    make bench                                   # 1,000,000 claims over 12 months (under 20 minutes on 2 cores)
    .venv/bin/python scripts/bench_scale.py --quick   # the same with 100,000 claims
    .venv/bin/python scripts/bench_scale.py --only http,reports   # some of the figures, on the data already built

The database (`<DATABASE_URL's name>_scale`) is built once with set-based SQL (INSERT … SELECT FROM
generate_series, server side: no row passes through Python) and reused while it holds the same number of
claims. Figures, and their baselines:

- `POST /api/v1/claims/` (drafts) and `GET /api/v1/claims/?page_size=50` as a reviewer, against a bare DRF
  create and list of one plain model (`bench/`), both served by the same gunicorn (2 sync workers), loaded
  by wrk with 8 connections;
- `POST /api/v1/listings/bulk/` with 1,000 listings per request, against `bulk_create` of as many;
- the report summary by each grouping, against the raw SQL GROUP BY month and state;
- the CSV export of every claim (rows/s, peak memory of its process) and the PDF report;
- near-duplicate photo lookups among 1,000,000 listing photos, against a full scan; merchant upserts that
  maintain the seller networks;
- takedowns with two Celery workers (`scripts/bench.py`: webhook and SMTP on loopback).

It prints a table and writes `bench/results.json`. docs/scaling.md says what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
PORT = 8791
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


# --- the database ---------------------------------------------------------------------------------------------
def database_url(base: str) -> str:
    name = base.rsplit("/", 1)[1].split("?")[0] or "takedown_desk"
    return base.rsplit("/", 1)[0] + "/" + name + "_scale"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        STAFF_REQUIRE_2FA="0",
    )
    os.environ.pop("REDIS_URL", None)  # the reports need no worker; the HTTP server gets Redis for its cache
    import django

    django.setup()


def build(n: int) -> None:
    """Brands, rights, merchants, listings, claims over 12 months in every state, their events, counter-notices
    and bans; and as many rows of the baseline's plain model."""
    from django.db import connection

    from core.roles import REVIEWER
    from tests.factories import UserFactory

    merchants = max(n // 20, 10)
    brands = 200
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE takedowns_claim, takedowns_claimevent, takedowns_counternotice, takedowns_strike, "
            "takedowns_evidence, takedowns_appeal, takedowns_banhold, core_auditevent, core_notice, "
            "merchants_listing, merchants_merchant, brands_ipright, brands_brandmembership, brands_brand, "
            "bench_plainclaim, auth_user RESTART IDENTITY CASCADE"
        )
    reviewers = [UserFactory(username=f"bench-reviewer{i}", groups=[REVIEWER]) for i in range(4)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO brands_brand (name, website, contact_email, language, good_faith, trusted_flagger,
                                      trusted_flagger_designation, created_at)
            SELECT 'Bench brand ' || lpad(g::text, 3, '0'), 'https://brand' || g || '.example',
                   'legal@brand' || g || '.example', 'en', false, g %% 10 = 0, '', now()
            FROM generate_series(1, %s) g""",
            [brands],
        )
        cursor.execute(
            """
            INSERT INTO brands_ipright (brand_id, kind, mark, registration_number, office, classes, valid_from,
                                        valid_until, status, certificate, review_note, created_at)
            SELECT b.id, 'trademark', 'MARK' || b.id, 'R' || lpad(b.id::text, 8, '0'), 'EUIPO', '18',
                   date '2015-01-01', date '2035-01-01', 'verified', '', '', now()
            FROM brands_brand b""",
        )
        cursor.execute(
            """
            INSERT INTO merchants_merchant (platform_ref, name, email, country, language, status, created_at,
                                            updated_at, ban_evasion, evasion_kinds)
            SELECT 'MB-' || g, 'Bench seller ' || g, 'seller' || g || '@bench.example',
                   (ARRAY['DE','FR','IT','ES','PL','CN','US','TR'])[1 + g %% 8], 'en',
                   CASE WHEN g %% 40 = 0 THEN 'banned' ELSE 'active' END, now(), now(), false, '[]'
            FROM generate_series(1, %s) g""",
            [merchants],
        )
        cursor.execute(
            """
            INSERT INTO merchants_listing (platform_ref, merchant_id, url, title, price, currency, status,
                                           created_at, updated_at, attributes)
            SELECT 'LB-' || g, 1 + g %% %s, 'https://market.example/bench/' || g, 'Bench item ' || g, 49, 'EUR',
                   CASE WHEN (g * 37) %% 100 < 65 THEN 'removed' ELSE 'active' END,
                   timestamptz '2025-11-01' + (g %% 300) * interval '1 day', now(),
                   jsonb_build_object('brand', 'Bench', 'condition', 'new')
            FROM generate_series(1, %s) g""",
            [merchants, n],
        )
        # k = (g * 37) % 100 spreads the states over the ids: 0-54 taken down · 55-59 counter-noticed ·
        # 60-64 reinstated · 65-79 rejected · 80-84 approved · 85-92 submitted · 93-96 in review ·
        # 97-98 withdrawn · 99 draft
        cursor.execute(
            """
            INSERT INTO takedowns_claim (reference, brand_id, ip_right_id, listing_id, infringement_type,
                description, good_faith, accurate, signature, state, priority, submitted_at, decided_at,
                decided_by_id, assignee_id, due_at, fast_tracked, decision_reason, decision_note, info_request,
                taken_down_at, reinstated_at, retracted, created_at, updated_at)
            SELECT 'TD-B-' || lpad(g::text, 8, '0'), 1 + g %% %(brands)s, 1 + g %% %(brands)s, g,
                   (ARRAY['counterfeit','counterfeit','counterfeit','trademark','copyright','design','patent'])
                       [1 + g %% 7],
                   'Bench claim ' || g, true, true, 'Bench',
                   CASE WHEN k < 55 THEN 'taken_down' WHEN k < 60 THEN 'counter_noticed'
                        WHEN k < 65 THEN 'reinstated' WHEN k < 80 THEN 'rejected' WHEN k < 85 THEN 'approved'
                        WHEN k < 93 THEN 'submitted' WHEN k < 97 THEN 'in_review' WHEN k < 99 THEN 'withdrawn'
                        ELSE 'draft' END,
                   1 + (g %% 5 = 0)::int,
                   CASE WHEN k < 99 THEN sub END,
                   CASE WHEN k < 85 THEN sub + dec_m * interval '1 minute' END,
                   CASE WHEN k < 85 THEN (%(reviewers)s::bigint[])[1 + g %% 4] END,
                   CASE WHEN k < 85 OR (k >= 93 AND k < 97) THEN (%(reviewers)s::bigint[])[1 + g %% 4] END,
                   CASE WHEN k >= 85 AND k < 97 THEN sub + interval '72 hours' END,
                   false, CASE WHEN k >= 65 AND k < 80 THEN 'not_infringing' ELSE '' END, '', '',
                   CASE WHEN k < 65 THEN sub + (dec_m + 1 + g %% 90) * interval '1 minute' END,
                   CASE WHEN k >= 60 AND k < 65 THEN sub + interval '12 days' END,
                   false, sub, sub
            FROM generate_series(1, %(n)s) g
            CROSS JOIN LATERAL (
                SELECT (g * 37) %% 100 AS k,
                       timestamptz '2025-12-01' + ((g::bigint * 7919) %% 31536000) * interval '1 second' AS sub,
                       30 + (g * 131) %% 4000 AS dec_m) v""",
            {"brands": brands, "reviewers": [r.pk for r in reviewers], "n": n},
        )
        # The events of each claim, as its transitions wrote them (the hash chain is left empty: bench data).
        for transition, source, target, at, where in [
            ("create", "draft", "draft", "created_at", "true"),
            ("submit", "draft", "submitted", "submitted_at", "submitted_at IS NOT NULL"),
            (
                "start_review",
                "submitted",
                "in_review",
                "submitted_at + interval '10 minutes'",
                "assignee_id IS NOT NULL",
            ),
            (
                "approve",
                "in_review",
                "approved",
                "decided_at",
                "decided_at IS NOT NULL AND state <> 'rejected'",
            ),
            ("reject", "in_review", "rejected", "decided_at", "state = 'rejected'"),
            ("enforce", "approved", "taken_down", "taken_down_at", "taken_down_at IS NOT NULL"),
        ]:
            cursor.execute(
                f"""
                INSERT INTO takedowns_claimevent (claim_id, transition, from_state, to_state, actor_id,
                    actor_label, note, reason, created_at, prev_hash, hash)
                SELECT id, %s, %s, %s, assignee_id, 'bench', '', '', {at}, '', ''
                FROM takedowns_claim WHERE {where}""",
                [transition, source, target],
            )
        cursor.execute(
            """
            INSERT INTO takedowns_counternotice (claim_id, reason, statement, good_faith, signature, via_link,
                filed_at, restore_due_at, legal_action_note, outcome, decided_at)
            SELECT c.id, 'owner', 'Genuine goods', true, 'Bench', true, c.taken_down_at + interval '2 days',
                   c.taken_down_at + interval '16 days', '',
                   CASE c.state WHEN 'counter_noticed' THEN 'pending' WHEN 'reinstated' THEN 'reinstated'
                        ELSE 'upheld' END,
                   CASE c.state WHEN 'counter_noticed' THEN NULL ELSE c.taken_down_at + interval '9 days' END
            FROM takedowns_claim c
            WHERE c.state IN ('counter_noticed', 'reinstated') OR (c.state = 'taken_down' AND c.id %% 11 = 0)""",
            [],
        )
        cursor.execute(
            """
            INSERT INTO core_auditevent (action, actor_label, object_type, object_id, merchant_id, note, data,
                                         created_at, prev_hash, hash)
            SELECT 'merchant_ban', 'system', 'merchant', m.id::text, m.id, '3 active strikes', '{}'::jsonb,
                   timestamptz '2025-12-01' + (m.id %% 360) * interval '1 day', '', ''
            FROM merchants_merchant m WHERE m.status = 'banned'""",
            [],
        )
        cursor.execute(
            """
            INSERT INTO bench_plainclaim (reference, state, brand_name, listing_url, infringement_type,
                description, priority, submitted_at, decided_at, created_at, updated_at)
            SELECT 'TD-B-' || lpad(g::text, 8, '0'), 'submitted', 'Bench brand ' || (g %% 200),
                   'https://market.example/bench/' || g, 'counterfeit', 'Bench claim ' || g, 1, now(), NULL,
                   timestamptz '2025-12-01' + ((g::bigint * 7919) %% 31536000) * interval '1 second', now()
            FROM generate_series(1, %s) g""",
            [n],
        )
        cursor.execute("ANALYZE")


# --- HTTP ---------------------------------------------------------------------------------------------------------
def tokens() -> dict[str, str]:
    """Users and API tokens for the HTTP figures: a reviewer, a brand owner, the marketplace."""
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken

    from brands.models import Brand, BrandMembership
    from core.roles import PLATFORM, REVIEWER
    from tests.factories import UserFactory

    User = get_user_model()
    users = {
        "reviewer": User.objects.get(username="bench-reviewer0"),
        "owner": User.objects.filter(username="bench-owner").first() or UserFactory(username="bench-owner"),
        "platform": User.objects.filter(username="bench-platform").first()
        or UserFactory(username="bench-platform", groups=[PLATFORM]),
    }
    assert users["reviewer"].groups.filter(name=REVIEWER).exists()
    brand = Brand.objects.order_by("pk").first()
    BrandMembership.objects.get_or_create(user=users["owner"], brand=brand, defaults={"role": "owner"})
    return {name: AuthToken.objects.create(user)[1] for name, user in users.items()}


def serve(url: str, redis_url: str | None):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STAFF_REQUIRE_2FA": "0",
        "API_THROTTLE_USER": "10000000/minute",
        "API_THROTTLE_ANON": "10000000/minute",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return process
        except Exception:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("the server did not start")


WRK_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
wrk.body = '{body}'
"""
WRK_GET = """
wrk.headers["Authorization"] = "Token {token}"
"""
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %d %d %f %f\\n", summary.requests, errors, summary.duration / 1e6,
    latency:percentile(50) / 1000))
end
"""


def wrk(path: str, script: str, seconds: int) -> dict:
    """Requests per second (non-2xx answers count as errors) with 8 connections on 2 threads."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + WRK_REPORT)
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", lua.name, f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests, errors, duration, median_ms = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+)", out).groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(errors) + (int(non_2xx.group(1)) if non_2xx else 0)
    return {
        "rps": round(int(requests) / float(duration), 1),
        "errors": errors,
        "median_ms": round(float(median_ms), 1),
        "requests": int(requests),
        "seconds": float(duration),
    }


def paired(ours: tuple[str, str], bare: tuple[str, str], seconds: int, rounds: int = 4) -> tuple[dict, dict]:
    """A figure and its baseline measured in alternating rounds (ours, bare, ours, bare…), each a `rounds`th of
    `seconds`: whatever the machine does meanwhile (autovacuum after a burst of inserts, another process)
    falls on both alike. Requests per second over all rounds; the median latency is the rounds' median."""
    runs: dict[str, list[dict]] = {"ours": [], "bare": []}
    for _ in range(rounds):
        for side, (path, script) in (("ours", ours), ("bare", bare)):
            runs[side].append(wrk(path, script, max(1, seconds // rounds)))

    def total(results: list[dict]) -> dict:
        return {
            "rps": round(sum(r["requests"] for r in results) / sum(r["seconds"] for r in results), 1),
            "errors": sum(r["errors"] for r in results),
            "median_ms": round(statistics.median(r["median_ms"] for r in results), 1),
            "rounds": [r["rps"] for r in results],
        }

    return total(runs["ours"]), total(runs["bare"])


def http_figures(url: str, redis_url: str | None, seconds: int) -> dict:
    from brands.models import Brand, IPRight
    from merchants.models import Listing

    keys = tokens()
    brand = Brand.objects.order_by("pk").first()
    right = IPRight.objects.filter(brand=brand).first()
    listing = Listing.objects.order_by("pk").first()
    claim_body = json.dumps(
        {
            "brand": brand.pk,
            "ip_right": right.pk,
            "listing": listing.pk,
            "infringement_type": "counterfeit",
            "description": "Bench draft",
        }
    )
    plain_body = json.dumps(
        {
            "brand_name": brand.name,
            "listing_url": listing.url,
            "infringement_type": "counterfeit",
            "description": "Bench draft",
        }
    )
    server = serve(url, redis_url)
    try:
        get = WRK_GET.format(token=keys["reviewer"])
        lists = ("/api/v1/claims/?page_size=50", get), ("/bench/plain/?page_size=50", get)
        creates = (
            ("/api/v1/claims/", WRK_POST.format(token=keys["owner"], body=claim_body)),
            ("/bench/plain/", WRK_POST.format(token=keys["owner"], body=plain_body)),
        )
        for path, script in (*lists, *creates):  # warm: connections, caches, the workers' imports
            wrk(path, script, 2)
        figures: dict = {}
        figures["claim_list"], figures["plain_list"] = paired(*lists, seconds)
        figures["claim_create"], figures["plain_create"] = paired(*creates, seconds)
        figures["bulk_listings"] = bulk_listings(keys["platform"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return figures


def bulk_listings(token: str, requests: int = 10, per_request: int = 1000) -> dict:
    """`POST /api/v1/listings/bulk/` (new listings, then the same again as updates) against `bulk_create`."""
    import urllib.request

    from merchants.models import Listing, Merchant

    merchant = Merchant.objects.order_by("pk").first()
    stamp = int(time.time())

    def batch(i: int) -> list[dict]:
        return [
            {
                "platform_ref": f"BULK-{stamp}-{i}-{j}",
                "merchant_ref": merchant.platform_ref,
                "url": f"https://market.example/bulk/{stamp}/{i}/{j}",
                "title": f"Bulk item {j}",
                "price": "12.50",
                "currency": "EUR",
            }
            for j in range(per_request)
        ]

    def post(items) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/api/v1/listings/bulk/",
            data=json.dumps(items).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )
        with urllib.request.urlopen(request, timeout=300) as answer:
            assert answer.status < 300, answer.status

    batches = [batch(i) for i in range(requests)]
    started = time.perf_counter()
    for items in batches:
        post(items)
    created = requests * per_request / (time.perf_counter() - started)
    started = time.perf_counter()
    for items in batches:
        post(items)
    updated = requests * per_request / (time.perf_counter() - started)
    # The baseline: the same rows through bulk_create, in this process.
    rows = [
        Listing(
            platform_ref=f"BASE-{stamp}-{i}-{j}",
            merchant=merchant,
            url=f"https://market.example/base/{i}/{j}",
            title=f"Bulk item {j}",
            price="12.50",
            currency="EUR",
        )
        for i in range(requests)
        for j in range(per_request)
    ]
    started = time.perf_counter()
    for k in range(0, len(rows), per_request):
        Listing.objects.bulk_create(rows[k : k + per_request])
    baseline = len(rows) / (time.perf_counter() - started)
    return {
        "created_per_s": round(created),
        "updated_per_s": round(updated),
        "bulk_create_per_s": round(baseline),
    }


# --- reports --------------------------------------------------------------------------------------------------------
def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_child() -> None:
    """In its own process, so that its peak memory is its own: stream every claim's row to /dev/null."""
    from core.roles import SYSTEM
    from reports.exports.jobs import export_chunks
    from reports.metrics import report_filters

    filters = report_filters(actor=SYSTEM, params={})
    started = time.perf_counter()
    lines = 0
    with open(os.devnull, "wb") as sink:
        for chunk in export_chunks("csv", SYSTEM, filters):
            sink.write(chunk)
            lines += chunk.count(b"\n")
    print(json.dumps({"rows": lines - 1, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}))


def report_figures(url: str) -> dict:
    from django.db import connection

    from core.roles import SYSTEM
    from reports.exports.pdf import render_report_pdf
    from reports.metrics import GROUPINGS, report_filters, report_summary

    def timed(call) -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT date_trunc('month', decided_at), state, count(*) FROM takedowns_claim "
                "WHERE decided_at IS NOT NULL GROUP BY 1, 2"
            )
            cursor.fetchall()

    raw()  # warm the cache for both
    filters = report_filters(actor=SYSTEM, params={})
    # Each summary next to its own baseline, the better of the raw aggregate just before and just after it:
    # whatever else the machine does weighs on both alike.
    summary, baselines = {}, {}
    for group_by in GROUPINGS:
        before = timed(raw)
        summary[group_by] = timed(
            lambda g=group_by: report_summary(actor=SYSTEM, filters=filters, group_by=g)
        )
        baselines[group_by] = min(before, timed(raw))
    baseline = min(baselines.values())
    child = subprocess.run(
        [sys.executable, __file__, "--csv-child"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    csv = json.loads(child.stdout.strip().splitlines()[-1])
    pdf_seconds = timed(lambda: render_report_pdf(SYSTEM, filters))
    return {
        "raw_group_by_seconds": round(baseline, 3),
        "summary_seconds": {k: round(v, 2) for k, v in summary.items()},
        "raw_seconds_by_summary": {k: round(v, 3) for k, v in baselines.items()},
        "csv": {
            "rows": csv["rows"],
            "rows_per_s": round(csv["rows"] / csv["seconds"]),
            "peak_mb": round(csv["peak_mb"]),
        },
        "pdf_seconds": round(pdf_seconds, 1),
    }


# --- takedowns ------------------------------------------------------------------------------------------------------
def takedown_figures(base_url: str, redis_url: str, claims: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--claims", str(claims), "--workers", "2"],
        env={
            **os.environ,
            "DATABASE_URL": base_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    done = re.search(r"all (\d+) taken down ([\d.]+) s after the first approval", out)
    median = re.search(r"approve -> webhook: median (\d+) ms", out)
    return {
        "takedowns_per_s": round(int(done.group(1)) / float(done.group(2)), 1) if done else None,
        "webhook_median_s": int(median.group(1)) / 1000 if median else None,
        "output": out.strip().splitlines()[-6:],
    }


# --- the table -----------------------------------------------------------------------------------------------------
# --- intelligence: near-duplicate photos at a million, seller networks -------------------------------------------
def intelligence_figures(images: int = 1_000_000, queries: int = 300) -> dict:
    """Lookups of near-duplicate photos among `images` listing photos (random 64-bit hashes, set-based, plus a
    planted copy 1–6 bits away for half the queries), against a sequential scan computing every distance in
    SQL; and recording merchants with identifiers into networks, and reading a network."""
    import random
    import statistics

    from django.conf import settings
    from django.db import connection

    from core.fingerprints import near_matches
    from core.roles import SYSTEM
    from merchants.models import ListingImage, Merchant, MerchantIdentifier
    from merchants.services.networks import networks_refresh
    from takedowns.selectors import network_detail
    from takedowns.services.intelligence import merchant_record

    rng = random.Random(7)
    with connection.cursor() as cursor:
        if ListingImage.objects.count() != images + queries // 2:
            # The captures of claims filed by the HTTP figures pin some of these photos: bench rows both.
            cursor.execute("TRUNCATE merchants_listingimage, takedowns_listingcaptureimage RESTART IDENTITY")
            cursor.execute("SELECT min(id), max(id) FROM merchants_listing")
            low, high = cursor.fetchone()
            started = time.perf_counter()
            cursor.execute(
                """
                INSERT INTO merchants_listingimage (listing_id, file, sha256, content_type, size, created_at,
                                                    phash, phash_q0, phash_q1, phash_q2, phash_q3)
                SELECT %s + g %% (%s - %s + 1), 'listings/bench.jpg', md5(g::text), 'image/jpeg', 1000, now(),
                       h, h & 65535, (h >> 16) & 65535, (h >> 32) & 65535, (h >> 48) & 65535
                FROM (SELECT g, ((random() * 4294967295)::bigint << 32
                                 | (random() * 4294967295)::bigint) AS h
                      FROM generate_series(1, %s) g) r""",
                [low, high, low, images],
            )
            print(f"{images:,} image hashes in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("ANALYZE merchants_listingimage")
    probes = []
    planted_rows = []
    for i in range(queries):
        value = rng.getrandbits(64) - (1 << 63)
        probes.append(value)
        if i % 2 == 0:  # a near copy of this one, somewhere among the million
            copy = value
            for bit in rng.sample(range(64), rng.randint(1, settings.IMAGE_MATCH_DISTANCE)):
                copy ^= 1 << bit
            copy = (copy + (1 << 63)) % (1 << 64) - (1 << 63)
            planted_rows.append(copy)
    if ListingImage.objects.filter(sha256__startswith="planted-").count() != len(planted_rows):
        from core.fingerprints import fingerprint_fields

        ListingImage.objects.filter(sha256__startswith="planted-").delete()
        listing_id = ListingImage.objects.values_list("listing_id", flat=True).first()
        ListingImage.objects.bulk_create(
            ListingImage(
                listing_id=listing_id,
                file="listings/bench.jpg",
                sha256=f"planted-{i}",
                content_type="image/jpeg",
                size=1000,
                **fingerprint_fields(value),
            )
            for i, value in enumerate(planted_rows)
        )
    timings, found = [], 0
    for i, value in enumerate(probes):
        started = time.perf_counter()
        matches = near_matches(ListingImage.objects.all(), value, settings.IMAGE_MATCH_DISTANCE)
        timings.append((time.perf_counter() - started) * 1000)
        found += i % 2 == 0 and any(row.sha256.startswith("planted-") for row, _d in matches)
    scan = []
    with connection.cursor() as cursor:
        for value in probes[:5]:
            started = time.perf_counter()
            cursor.execute(
                "SELECT id FROM merchants_listingimage WHERE bit_count((phash # %s)::bit(64)) <= %s",
                [value, settings.IMAGE_MATCH_DISTANCE],
            )
            cursor.fetchall()
            scan.append((time.perf_counter() - started) * 1000)
    timings.sort()
    result = {
        "images": ListingImage.objects.count(),
        "lookup_median_ms": round(statistics.median(timings), 2),
        "lookup_p95_ms": round(timings[int(len(timings) * 0.95)], 2),
        "lookup_max_ms": round(timings[-1], 2),
        "planted_found": f"{found}/{len(planted_rows)}",
        "scan_median_ms": round(statistics.median(scan), 1),
    }
    # Networks: each bench merchant gets an e-mail of its own; every 50th shares a payout account with the next
    # 49 (a ring of 50). Then new storefronts arrive through the service, each linking to one ring.
    with connection.cursor() as cursor:
        # Not TRUNCATE … CASCADE: merchants refer to networks, and the cascade would empty them (and the claims).
        cursor.execute("TRUNCATE merchants_merchantidentifier")
        cursor.execute("UPDATE merchants_merchant SET network_id = NULL, ban_evasion = false")
        cursor.execute("DELETE FROM merchants_merchant WHERE platform_ref LIKE 'BENCH-%%'")
        cursor.execute("DELETE FROM merchants_network")
        cursor.execute(
            """
            INSERT INTO merchants_merchantidentifier (merchant_id, kind, digest, updated_at)
            SELECT id, 'email', md5('e' || id), now() FROM merchants_merchant
            UNION ALL
            SELECT id, 'payout_account', md5('p' || (id / 50)), now() FROM merchants_merchant"""
        )
    started = time.perf_counter()
    from django.db import transaction

    from merchants.services.networks import _lock, networks_recompute

    seeds = list(Merchant.objects.filter(pk__lte=5000).values_list("pk", flat=True))
    with transaction.atomic():
        _lock()
        networks_recompute(seeds=set(seeds))
    result["networks_initial"] = {
        "merchants": len(seeds),
        "seconds": round(time.perf_counter() - started, 2),
        "networks": Merchant.objects.filter(network__isnull=False).values("network").distinct().count(),
    }
    upserts = []
    for i in range(100):
        started = time.perf_counter()
        merchant_record(
            actor=SYSTEM,
            data={
                "platform_ref": f"BENCH-NEW-{i}-{time.time_ns()}",
                "name": f"New storefront {i}",
                "country": "CN",
                "identifiers": {"email": f"new{i}@bench.example", "phone": f"+86138{i:08d}"},
            },
        )
        upserts.append((time.perf_counter() - started) * 1000)
    # … and one that joins a ring of 50 through a shared payout digest (written as the ring's digest).
    ring_member = Merchant.objects.filter(network__isnull=False).first()
    digest = MerchantIdentifier.objects.get(merchant=ring_member, kind="payout_account").digest
    joiners = []
    for i in range(30):
        merchant, _ = merchant_record(
            actor=SYSTEM, data={"platform_ref": f"BENCH-JOIN-{i}-{time.time_ns()}", "name": "Joiner"}
        )
        started = time.perf_counter()
        MerchantIdentifier.objects.create(merchant=merchant, kind="payout_account", digest=digest)
        networks_refresh(seeds={merchant.pk})
        joiners.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    detail = network_detail(ring_member.network_id)
    result["networks"] = {
        "upsert_with_identifiers_median_ms": round(statistics.median(upserts), 1),
        "join_ring_median_ms": round(statistics.median(joiners), 1),
        "ring_size": detail["storefronts"],
        "network_detail_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return result


def table(results: dict) -> str:
    rows = [("figure", "measured", "baseline (same run)", "ratio", "target")]
    http = results.get("http")
    if http:
        for name, plain, label in [
            ("claim_create", "plain_create", "POST /api/v1/claims/ (drafts)"),
            ("claim_list", "plain_list", "GET /api/v1/claims/?page_size=50"),
        ]:
            ours, base = http[name], http[plain]
            rows.append(
                (
                    label,
                    f"{ours['rps']} req/s (p50 {ours['median_ms']} ms, {ours['errors']} errors)",
                    f"{base['rps']} req/s bare DRF",
                    f"{ours['rps'] / base['rps']:.0%}",
                    "≥ 50%",
                )
            )
        bulk = http["bulk_listings"]
        rows.append(
            (
                "POST /api/v1/listings/bulk/ (1,000 per request)",
                f"{bulk['created_per_s']:,} new/s, {bulk['updated_per_s']:,} updated/s",
                f"{bulk['bulk_create_per_s']:,}/s bulk_create",
                f"{bulk['created_per_s'] / bulk['bulk_create_per_s']:.0%}",
                "≥ 10,000 listings/s",
            )
        )
    reports = results.get("reports")
    if reports:
        for group_by, seconds in reports["summary_seconds"].items():
            raw = reports.get("raw_seconds_by_summary", {}).get(group_by, reports["raw_group_by_seconds"])
            rows.append(
                (
                    f"summary by {group_by}",
                    f"{seconds:.2f} s",
                    f"{raw:.2f} s raw GROUP BY",
                    f"{seconds / raw:.1f}×",
                    "≤ 2×",
                )
            )
        csv = reports["csv"]
        rows.append(
            (
                "CSV export",
                f"{csv['rows_per_s']:,} rows/s, peak {csv['peak_mb']} MB",
                "",
                "",
                "≥ 100,000 rows/s, ≤ 250 MB",
            )
        )
        rows.append(("PDF report", f"{reports['pdf_seconds']} s", "", "", "≤ 10 s"))
    takedowns = results.get("takedowns")
    if takedowns:
        rows.append(
            (
                "takedowns, 2 workers",
                f"{takedowns['takedowns_per_s']}/s, approve → webhook median "
                f"{takedowns['webhook_median_s']} s",
                "",
                "",
                "≥ 100/s, median ≤ 1 s",
            )
        )
    intelligence = results.get("intelligence")
    if intelligence:
        rows.append(
            (
                f"photo lookup among {intelligence['images']:,}",
                f"median {intelligence['lookup_median_ms']} ms, p95 {intelligence['lookup_p95_ms']} ms, "
                f"planted copies found {intelligence['planted_found']}",
                f"{intelligence['scan_median_ms']} ms full scan",
                f"{intelligence['scan_median_ms'] / intelligence['lookup_median_ms']:.0f}× faster",
                "< 50 ms",
            )
        )
        networks = intelligence["networks"]
        rows.append(
            (
                "merchant upsert with identifiers",
                f"median {networks['upsert_with_identifiers_median_ms']} ms; joining a ring of "
                f"{networks['ring_size']}: {networks['join_ring_median_ms']} ms; its page "
                f"{networks['network_detail_ms']} ms",
                "",
                "",
                "",
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 claims")
    parser.add_argument("--seconds", type=int, default=20, help="per HTTP figure")
    parser.add_argument("--only", default="http,reports,intelligence,takedowns")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        setup_django(os.environ["DATABASE_URL"])
        csv_child()
        return
    base = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL")
    if not base.startswith("postgres"):
        sys.exit("set DATABASE_URL to PostgreSQL (a database named <name>_scale is created beside it)")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make system-deps installs it)")
    claims = 100_000 if args.quick else args.claims
    url = database_url(base)
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    from takedowns.models import Claim

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the planner, after the migrations' new indexes
    results: dict = {
        "claims": claims,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
    }
    if (
        args.rebuild
        or Claim.objects.count() < claims
        or not Claim.objects.filter(reference__startswith="TD-B-").exists()
    ):
        build(claims)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        print(f"built {claims:,} claims in {results['build_seconds']} s", flush=True)
    only = set(args.only.split(","))
    if "reports" in only:
        results["reports"] = report_figures(url)
        print(table({"reports": results["reports"]}), flush=True)
    if "http" in only:
        results["http"] = http_figures(url, redis_url, args.seconds)
        print(table({"http": results["http"]}), flush=True)
    if "intelligence" in only:
        results["intelligence"] = intelligence_figures()
        print(table({"intelligence": results["intelligence"]}), flush=True)
    if "takedowns" in only and redis_url:
        results["takedowns"] = takedown_figures(base, redis_url, 1000)
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(exist_ok=True)
    if only != {"http", "reports", "intelligence", "takedowns"} and RESULTS.exists():
        # Some of the figures: they replace their own sections of the last full run, which keeps the rest.
        kept = json.loads(RESULTS.read_text())
        for section in only:
            if section in results:
                kept[section] = {**results[section], "claims_in_database": claims}
        results = kept
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print(f"\n{claims:,} claims; {results['seconds']} s in all; written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
