#!/usr/bin/env python
"""Time the reports on a large PostgreSQL database: the summary, the CSV export (and its peak memory), the PDF.

    .venv/bin/python scripts/bench_reports.py                # 1,000,000 claims in td_reports_bench
    .venv/bin/python scripts/bench_reports.py --claims 100000
    DATABASE_URL=postgres://…/other .venv/bin/python scripts/bench_reports.py --rebuild

The claims are written with INSERT … SELECT FROM generate_series (no Python loop, about a minute per million)
into their own database, which is created and migrated if missing and reused when it already holds N claims.
The CSV export runs in a child process so its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/td_reports_bench"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill_not_null_defaults(cursor, table: str, given: set[str]) -> tuple[list[str], list[str]]:
    """Columns other engineers may add later: give every NOT NULL column without a default a neutral value."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO' "
        "AND column_default IS NULL",
        [table],
    )
    names, values = [], []
    neutral = {
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": "now()",
        "date": "current_date",
        "numeric": "0",
        "double precision": "0",
    }
    for column, data_type in cursor.fetchall():
        if column not in given and column != "id":
            names.append(column)
            values.append(neutral.get(data_type, "''"))
    return names, values


def build(n: int) -> None:
    from django.db import connection

    from brands.models import Brand, IPRight
    from core.roles import REVIEWER
    from tests.factories import UserFactory

    merchants = max(n // 20, 10)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE takedowns_claim, takedowns_counternotice, takedowns_claimevent, takedowns_auditevent, "
            "merchants_listing, merchants_merchant, merchants_strike, takedowns_notice, "
            "takedowns_noticeattempt, brands_ipright, brands_brand CASCADE"
        )
    reviewer = UserFactory(username="bench-reviewer", groups=[REVIEWER])
    brand_ids, right_ids = [], []
    for i in range(20):
        brand = Brand.objects.create(name=f"Bench brand {i:02d}", trusted_flagger=i % 5 == 0)
        right = IPRight.objects.create(
            brand=brand,
            kind="trademark",
            mark=f"BENCH{i}",
            registration_number=f"B{i:07d}",
            office="EUIPO",
            status=IPRight.Status.VERIFIED,
        )
        brand_ids.append(brand.pk)
        right_ids.append(right.pk)
    with connection.cursor() as cursor:
        extra_cols, extra_vals = fill_not_null_defaults(
            cursor,
            "merchants_merchant",
            {"platform_ref", "name", "email", "country", "status", "created_at", "updated_at"},
        )
        cursor.execute(
            f"""
            INSERT INTO merchants_merchant (platform_ref, name, email, country, status, created_at, updated_at
                                            {"".join(", " + c for c in extra_cols)})
            SELECT 'MB-' || g, 'Bench seller ' || g, 'seller' || g || '@bench.example',
                   (ARRAY['DE','FR','IT','ES','PL','CN','US','TR'])[1 + g %% 8], 'active', now(), now()
                   {"".join(", " + v for v in extra_vals)}
            FROM generate_series(1, %s) g""",
            [merchants],
        )
        extra_cols, extra_vals = fill_not_null_defaults(
            cursor,
            "merchants_listing",
            {"platform_ref", "merchant_id", "url", "title", "currency", "status", "created_at", "updated_at"},
        )
        cursor.execute(
            f"""
            INSERT INTO merchants_listing (platform_ref, merchant_id, url, title, price, currency, status, created_at,
                                           updated_at {"".join(", " + c for c in extra_cols)})
            SELECT 'LB-' || g, m.id, 'https://market.example/bench/' || g, 'Bench item ' || g, 49, 'EUR',
                   CASE WHEN (g * 37) %% 100 < 65 THEN 'removed' ELSE 'active' END,
                   timestamptz '2025-11-01' + (g %% 300) * interval '1 day', now()
                   {"".join(", " + v for v in extra_vals)}
            FROM generate_series(1, %s) g JOIN merchants_merchant m ON m.platform_ref = 'MB-' || (1 + g %% %s)""",
            [n, merchants],
        )
        given = {
            "reference",
            "brand_id",
            "ip_right_id",
            "listing_id",
            "infringement_type",
            "description",
            "good_faith",
            "accurate",
            "signature",
            "state",
            "priority",
            "submitted_at",
            "decided_at",
            "decided_by_id",
            "fast_tracked",
            "decision_reason",
            "decision_note",
            "info_request",
            "taken_down_at",
            "reinstated_at",
            "retracted",
            "created_at",
            "updated_at",
            "assignee_id",
        }
        extra_cols, extra_vals = fill_not_null_defaults(cursor, "takedowns_claim", given)
        # k = (g * 37) % 100 spreads the states evenly over the ids:
        # 0-54 taken down · 55-59 counter-noticed · 60-64 reinstated · 65-79 rejected · 80-84 approved ·
        # 85-92 submitted · 93-96 in review · 97-98 withdrawn · 99 draft
        cursor.execute(
            f"""
            INSERT INTO takedowns_claim ({", ".join(sorted(given))}{"".join(", " + c for c in extra_cols)})
            SELECT {", ".join(f"s.{c}" for c in sorted(given))}{"".join(", " + v for v in extra_vals)} FROM (
              SELECT 'TD-B-' || lpad(g::text, 8, '0') AS reference,
                     (%(brands)s::bigint[])[1 + g %% 20] AS brand_id, (%(rights)s::bigint[])[1 + g %% 20] AS ip_right_id,
                     l.id AS listing_id,
                     (ARRAY['counterfeit','counterfeit','counterfeit','trademark','copyright','design','patent'])[1 + g %% 7]
                       AS infringement_type,
                     'Bench claim ' || g AS description, true AS good_faith, true AS accurate, 'Bench' AS signature,
                     CASE WHEN k < 55 THEN 'taken_down' WHEN k < 60 THEN 'counter_noticed' WHEN k < 65 THEN 'reinstated'
                          WHEN k < 80 THEN 'rejected' WHEN k < 85 THEN 'approved' WHEN k < 93 THEN 'submitted'
                          WHEN k < 97 THEN 'in_review' WHEN k < 99 THEN 'withdrawn' ELSE 'draft' END AS state,
                     1 AS priority,
                     CASE WHEN k < 99 THEN sub END AS submitted_at,
                     CASE WHEN k < 85 THEN sub + dec_m * interval '1 minute' END AS decided_at,
                     CASE WHEN k < 85 THEN %(reviewer)s::bigint END AS decided_by_id,
                     CASE WHEN k < 85 OR (k >= 93 AND k < 97) THEN %(reviewer)s::bigint END AS assignee_id,
                     false AS fast_tracked,
                     CASE WHEN k >= 65 AND k < 80 THEN 'not_infringing' ELSE '' END AS decision_reason,
                     '' AS decision_note, '' AS info_request,
                     CASE WHEN k < 65 THEN sub + (dec_m + 1 + g %% 90) * interval '1 minute' END AS taken_down_at,
                     CASE WHEN k >= 60 AND k < 65 THEN sub + interval '12 days' END AS reinstated_at,
                     false AS retracted, sub AS created_at, sub AS updated_at
              FROM generate_series(1, %(n)s) g
              CROSS JOIN LATERAL (SELECT (g * 37) %% 100 AS k,
                                         timestamptz '2025-12-01' + ((g::bigint * 7919) %% 31536000) * interval '1 second' AS sub,
                                         30 + (g * 131) %% 4000 AS dec_m) v
              JOIN merchants_listing l ON l.platform_ref = 'LB-' || g
            ) s""",
            {"brands": brand_ids, "rights": right_ids, "reviewer": reviewer.pk, "n": n},
        )
        extra_cols, extra_vals = fill_not_null_defaults(
            cursor,
            "takedowns_counternotice",
            {
                "claim_id",
                "reason",
                "statement",
                "good_faith",
                "signature",
                "via_link",
                "filed_at",
                "legal_action_note",
                "outcome",
            },
        )
        cursor.execute(f"""
            INSERT INTO takedowns_counternotice (claim_id, reason, statement, good_faith, signature, via_link, filed_at,
                                                 restore_due_at, legal_action_note, outcome, decided_at
                                                 {"".join(", " + c for c in extra_cols)})
            SELECT c.id, 'owner', 'Genuine goods', true, 'Bench', true, c.taken_down_at + interval '2 days',
                   c.taken_down_at + interval '16 days', '',
                   CASE c.state WHEN 'counter_noticed' THEN 'pending' WHEN 'reinstated' THEN 'reinstated' ELSE 'upheld' END,
                   CASE c.state WHEN 'counter_noticed' THEN NULL ELSE c.taken_down_at + interval '9 days' END
                   {"".join(", " + v for v in extra_vals)}
            FROM takedowns_claim c
            WHERE c.state IN ('counter_noticed', 'reinstated') OR (c.state = 'taken_down' AND c.id % 11 = 0)""")
        cursor.execute("""
            INSERT INTO takedowns_auditevent (action, actor_label, object_type, object_id, merchant_id, note, data, created_at)
            SELECT 'merchant_ban', 'system', 'merchant', m.id::text, m.id, '3 active strikes', '{}'::jsonb,
                   timestamptz '2025-12-01' + (m.id % 360) * interval '1 day'
            FROM merchants_merchant m WHERE m.id % 40 = 0""")
        cursor.execute("ANALYZE")


def _proc_status_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, in MB. Unlike ru_maxrss, VmHWM starts afresh at exec, so the
    parent's memory does not leak into the child's figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_csv(url: str) -> None:
    """Child process: stream the CSV to /dev/null; print rows, seconds, baseline and peak RSS (MB)."""
    setup_django(url)
    from core.roles import SYSTEM
    from reports.exports.jobs import export_chunks
    from reports.metrics import report_filters

    filters = report_filters(actor=SYSTEM, params={})
    baseline = _proc_status_mb("VmRSS")
    started = time.perf_counter()
    size = lines = 0
    with open(os.devnull, "wb") as sink:
        for chunk in export_chunks("csv", SYSTEM, filters):
            sink.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = _proc_status_mb("VmHWM")
    print(f"{lines - 1} {elapsed:.2f} {baseline:.1f} {peak:.1f} {size}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data even if the count matches")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    if args.csv_child:
        measure_csv(url)
        return
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    from core.roles import SYSTEM
    from reports.exports.pdf import render_report_pdf
    from reports.metrics import GROUPINGS, report_filters, report_summary
    from takedowns.models import Claim

    call_command("migrate", verbosity=0)
    if args.rebuild or Claim.objects.count() != args.claims:
        started = time.perf_counter()
        build(args.claims)
        print(f"built {args.claims:,} claims in {time.perf_counter() - started:.1f} s")
    print(f"claims: {Claim.objects.count():,}")

    filters = report_filters(actor=SYSTEM, params={})
    for group_by in GROUPINGS:
        started = time.perf_counter()
        summary = report_summary(actor=SYSTEM, filters=filters, group_by=group_by)
        print(
            f"summary group_by={group_by:<17} {time.perf_counter() - started:6.2f} s  ({len(summary.rows)} rows, "
            f"take-down rate {summary.totals['takedown_rate']:.3f})"
        )

    child = subprocess.run(
        [sys.executable, __file__, "--csv-child"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    rows, seconds, baseline, peak, size = child.stdout.split()
    print(
        f"CSV export: {int(rows):,} rows, {int(size) / 1e6:.0f} MB in {float(seconds):.1f} s; "
        f"peak RSS {float(peak):.0f} MB (RSS before the export {float(baseline):.0f} MB)"
    )

    started = time.perf_counter()
    pdf = render_report_pdf(SYSTEM, filters)
    print(f"PDF report: {len(pdf) / 1024:.0f} KB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
