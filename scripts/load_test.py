"""Load test: a mixed API workload (scripts/locustfile.py) against gunicorn and a Celery worker on
PostgreSQL and Redis, all on loopback.

    make load
    .venv/bin/python scripts/load_test.py [--users 50] [--spawn-rate 10] [--run-time 60s] [--keep]

1. Drops and creates the PostgreSQL database `loadtest` (--database-url), migrates, loads the demo world
   (`seed_demo`: brands, rights, users, merchants, listings, claims in every state), adds a pool of listings
   for the brands to file claims against, and creates one API token per account (written for locust).
2. Collects the static files into a temporary STATIC_ROOT and starts gunicorn (`config/gunicorn.conf.py`,
   2 workers, 4 threads), one Celery worker, an SMTP server and the marketplace's webhook receiver
   (tests/harness.py), with Redis DB 13 (--redis-url) as broker and cache, DEBUG off over plain HTTP.
3. Runs `locust --headless` against 127.0.0.1, prints requests, failures, median and p95 latency and
   requests per second per endpoint, and what the worker did (takedowns, webhooks, e-mails).
4. Stops everything and drops the database (kept with --keep, with the logs). Exits 1 if a request failed.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--claims", type=int, default=600, help="demo claims seeded before the run")
    parser.add_argument("--pool", type=int, default=3000, help="listings no claim names yet, to file on")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loadtest"),
        help="dropped and created again: never point it at a database you want to keep",
    )
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs afterwards")
    args = parser.parse_args()

    from tests.harness import WEBHOOK_SECRET, SMTPServer, WebhookReceiver, WorkerProcess, free_port

    database = args.database_url.rsplit("/", 1)[1].split("?")[0]
    if "load" not in database:
        parser.error(
            f"{database!r} would be dropped: name a database for load tests (with 'load' in its name)"
        )
    work = Path(tempfile.mkdtemp(prefix="takedown-load-"))
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    _recreate_database(admin_url, database)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()

    smtp, hooks = SMTPServer().start(), WebhookReceiver().start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            # Plain HTTP on loopback: the HTTPS-only defaults are for production behind TLS.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "PLATFORM_WEBHOOK_URL": hooks.url,
            "PLATFORM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOG_LEVEL": "WARNING",
        }
    )
    processes: list = []
    try:
        started = time.monotonic()
        accounts = _seed(env, work, claims=args.claims, pool=args.pool)
        print(
            f"seeded in {time.monotonic() - started:.0f}s; starting gunicorn and a Celery worker", flush=True
        )
        worker = WorkerProcess(env, name="load", concurrency=2, log_path=work / "worker.log")
        processes.append(worker)
        worker.start()
        web = _Gunicorn(env, port, work / "gunicorn.log")
        processes.append(web)
        web.start()

        prefix = work / "locust"
        run_started = time.time()
        backends = _Backends(database)
        backends.start()
        cpu_before = _cpu_snapshot(web, worker, backends)
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "scripts" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.run_time,
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_ACCOUNTS": str(accounts)},
            stdout=open(work / "locust.log", "w"),
            stderr=subprocess.STDOUT,
        )
        cpu = _cpu_delta(cpu_before, _cpu_snapshot(web, worker, backends))
        backends.stop()
        failures = _report(prefix, args)
        _cpu_report(cpu, prefix)
        time.sleep(5)  # the worker finishes what the last approvals queued
        _worker_figures(args.database_url, run_started, hooks, smtp)
        if failures:
            print(f"\n{failures} failed requests; see {prefix}_failures.csv and {work}/gunicorn.log")
            args.keep = True
            return 1
        if locust.returncode != 0:  # no failed request, but the locustfile raised (or locust itself failed)
            print((work / "locust.log").read_text()[-3000:])
            args.keep = True
            return locust.returncode
        return 0
    finally:
        for process in reversed(processes):
            process.stop()
        smtp.stop()
        hooks.stop()
        if args.keep:
            print(f"kept: database {database}, logs and CSV in {work}")
        else:
            _drop_database(admin_url, database)
            redis.Redis.from_url(args.redis_url).flushdb()
            shutil.rmtree(work, ignore_errors=True)


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SEED = """
import json, os
from django.contrib.auth import get_user_model
from django.core.management import call_command
from knox.models import AuthToken
from merchants.models import Merchant
from merchants.services.marketplace import listing_upsert

claims, pool, out = int(os.environ["LOAD_CLAIMS"]), int(os.environ["LOAD_POOL"]), os.environ["LOAD_ACCOUNTS"]
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("seed_demo", claims=claims)
refs = list(Merchant.objects.order_by("pk").values_list("platform_ref", flat=True))
urls = []
for i in range(pool):
    url = f"https://market.example/load/{i}"
    listing_upsert(data={"platform_ref": f"LOAD-{i}", "merchant_ref": refs[i % len(refs)], "url": url,
                         "title": f"AURELIA handbag {i} best price", "price": "39", "currency": "EUR"})
    urls.append(url)
User = get_user_model()
roles = {
    "brand": ["aurelia", "northpeak", "sonora", "kestrel", "lawfirm"],
    "reviewer": ["reviewer", "reviewer2"],
    "compliance": ["compliance"],
    "platform": ["platform"],
}
accounts = {
    role: [{"username": n, "token": AuthToken.objects.create(User.objects.get(username=n))[1]} for n in names]
    for role, names in roles.items()
}
accounts.update(listing_pool=urls, merchant_refs=refs)
with open(out, "w") as fh:
    json.dump(accounts, fh)
"""


def _seed(env: dict, work: Path, *, claims: int, pool: int) -> Path:
    """Migrate, collect the static files, seed and write the tokens, in a process of its own: without
    REDIS_URL or a webhook the demo's tasks run in-process, as `make start` loads it."""
    accounts = work / "accounts.json"
    seed_env = {k: v for k, v in env.items() if k not in ("REDIS_URL", "PLATFORM_WEBHOOK_URL")}
    seed_env.update(LOAD_CLAIMS=str(claims), LOAD_POOL=str(pool), LOAD_ACCOUNTS=str(accounts))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _SEED],
        cwd=ROOT,
        env=seed_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return accounts


class _Gunicorn:
    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from tests.harness import wait_for

        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn died: {self.log_path.read_text()[-3000:]}")
            try:
                return (
                    urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status == 200
                )
            except OSError:
                return False

        wait_for(up, timeout=60, message="gunicorn to answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if hasattr(self, "log"):
            self.log.close()


def _report(prefix: Path, args) -> int:
    with open(f"{prefix}_stats.csv") as fh:
        rows = list(csv.DictReader(fh))
    print(
        f"\nlocust --headless -u {args.users} -r {args.spawn_rate:g} -t {args.run_time} "
        f"(gunicorn 2 workers × 4 threads, 1 Celery worker, {os.cpu_count()} cores)\n"
    )
    print("| endpoint | requests | failures | median ms | p95 ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} `{row['Name']}`"
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} "
            f"| {float(row['Requests/s']):.1f} |"
        )
    failures = int(next(r for r in rows if r["Name"] == "Aggregated")["Failure Count"])
    if failures:
        with open(f"{prefix}_failures.csv") as fh:
            for row in csv.DictReader(fh):
                print(f"  {row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error'][:300]}")
    return failures


class _Backends(threading.Thread):
    """Samples the CPU time of the PostgreSQL backends serving the load database twice a second: the app's
    connections are replaced after CONN_MAX_AGE, and a backend that has exited can no longer be read."""

    def __init__(self, database: str):
        super().__init__(daemon=True)
        self.database, self.used, self.running = database, {}, True
        self.lock = threading.Lock()

    def sample(self) -> dict[int, float]:
        import psutil

        for process in psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres: ") and f" {self.database} " in title:
                try:
                    used = sum(process.cpu_times()[:2])
                except psutil.Error:
                    continue
                with self.lock:
                    self.used[process.pid] = used
        with self.lock:
            return dict(self.used)

    def run(self) -> None:
        while self.running:
            self.sample()
            time.sleep(0.5)

    def stop(self) -> None:
        self.running = False


def _cpu_snapshot(web, worker, backends: _Backends) -> dict:
    """CPU seconds used so far by gunicorn and the Celery worker (with their children), by the PostgreSQL
    backends serving the load database, by the waited-for children of this script (locust), and by the
    whole machine."""
    import resource

    import psutil

    def tree(pid: int) -> float:
        root = psutil.Process(pid)
        return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])

    machine = psutil.cpu_times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "receivers": me.ru_utime + me.ru_stime,
        "gunicorn": tree(web.process.pid),
        "worker": tree(worker.process.pid),
        "postgres": backends.sample(),
        "locust": children.ru_utime + children.ru_stime,
        "busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0),
        "all": sum(machine),
        "wall": time.monotonic(),
    }


def _cpu_delta(before: dict, after: dict) -> dict:
    delta = {key: after[key] - before[key] for key in before if key != "postgres"}
    # A backend is counted up to its last sample (at most half a second before it exited).
    delta["postgres"] = sum(used - before["postgres"].get(pid, 0) for pid, used in after["postgres"].items())
    return delta


def _cpu_report(cpu: dict, prefix: Path) -> None:
    with open(f"{prefix}_stats.csv") as fh:
        total = int(next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")["Request Count"])
    cores = os.cpu_count() or 1
    ours = cpu["gunicorn"] + cpu["worker"] + cpu["postgres"] + cpu["locust"] + cpu["receivers"]
    print(
        f"\nCPU seconds during the run ({cpu['wall']:.0f} s × {cores} cores): gunicorn {cpu['gunicorn']:.0f} "
        f"({1000 * cpu['gunicorn'] / max(total, 1):.0f} ms per request), Celery worker {cpu['worker']:.0f}, "
        f"PostgreSQL {cpu['postgres']:.0f}, locust {cpu['locust']:.0f}, "
        f"this script (SMTP, webhooks, sampling) {cpu['receivers']:.0f}; everything else on the machine {max(cpu['busy'] - ours, 0):.0f}; "
        f"busy {100 * cpu['busy'] / max(cpu['all'], 1e-9):.0f}%"
    )


def _worker_figures(database_url: str, since: float, hooks, smtp) -> None:
    """What the run left in the database: the claims filed during it by state, and the outbox."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        states = conn.execute(
            "SELECT state, count(*) FROM takedowns_claim WHERE created_at >= to_timestamp(%s) "
            "GROUP BY state ORDER BY state",
            [since],
        ).fetchall()
        outbox = conn.execute(
            "SELECT status, count(*) FROM core_notice WHERE created_at >= to_timestamp(%s) "
            "GROUP BY status ORDER BY status",
            [since],
        ).fetchall()
    print("\nclaims filed during the run: " + ", ".join(f"{n} {state}" for state, n in states))
    print("outbox rows written during the run: " + ", ".join(f"{n} {status}" for status, n in outbox))
    print(
        f"worker: {len(hooks.accepted('listing.remove'))} listing.remove webhooks accepted by the marketplace, "
        f"{len(smtp.messages)} e-mails received by the SMTP server"
    )


if __name__ == "__main__":
    sys.exit(main())
