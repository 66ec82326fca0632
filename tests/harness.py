"""The real parts the integration tests run against: a Celery worker process, an SMTP server (aiosmtpd)
and a marketplace webhook receiver that checks the HMAC signature. Nothing here is a mock."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
_SERIAL = itertools.count(1)
WEBHOOK_SECRET = "test-webhook-secret"


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP -------------------------------------------------------------------------------------------------
class _Collector:
    """Keeps what each message arrived with; parsing waits until a test reads it (the benchmark receives
    thousands of messages in the process that also approves the claims)."""

    def __init__(self):
        self.messages = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()
        self.sessions = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        # One aiosmtpd session per connection: its number tells which messages shared a connection.
        if not hasattr(session, "serial"):
            session.serial = next(self.sessions)
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "raw": envelope.content,
                    "session": session.serial,
                    "received_at": time.time(),
                }
            )
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.collector = _Collector()
        self.port = free_port()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def pause(self):
        """The mail server goes away: connections to its port are refused."""
        self.controller.stop()

    def resume(self):
        """Back on the same port, keeping what it received before."""
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def refuse(self, *addresses: str) -> None:
        """Answer 550 to these recipients (a mailbox that does not exist), until `accept_all()` or `clear()`."""
        with self.collector.lock:
            self.collector.refused.update(addresses)

    def accept_all(self) -> None:
        with self.collector.lock:
            self.collector.refused.clear()

    @property
    def messages(self):
        """Each message received: {"to": [...], "message": the parsed e-mail, "session": the number of the
        connection it came on, "received_at": a time.time()}."""
        with self.collector.lock:
            for received in self.collector.messages:
                if "message" not in received:
                    received["message"] = message_from_bytes(received["raw"], policy=policy.default)
            return list(self.collector.messages)

    @property
    def count(self) -> int:
        with self.collector.lock:
            return len(self.collector.messages)

    def to(self, address):
        return [m["message"] for m in self.messages if address in m["to"]]

    def clear(self):
        with self.collector.lock:
            self.collector.messages.clear()
            self.collector.refused.clear()


# --- the marketplace's webhook endpoint -------------------------------------------------------------------
@dataclass
class Delivery:
    body: dict
    idempotency_key: str
    signature_ok: bool
    received_at: float
    status: int
    connection: int = 0  # the number of the TCP connection it came on: keep-alive reuses one


@dataclass
class WebhookReceiver:
    secret: str = WEBHOOK_SECRET
    deliveries: list[Delivery] = field(default_factory=list)
    fail_next: int = 0
    fail_always: bool = False
    # listing_ref → how many more of its requests answer 500 (one listing failing among others that succeed).
    fail_refs: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: int = 0

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1: a connection stays open for the next request, as a marketplace's load balancer keeps it.
            protocol_version = "HTTP/1.1"
            # The headers and the body leave in two writes; with Nagle's algorithm the body would wait for the
            # client's delayed ACK (40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1
                    self.connection_number = receiver.connections

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    time.sleep(receiver.delay)
                expected = "sha256=" + hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                signature_ok = hmac.compare_digest(expected, self.headers.get("X-Takedown-Signature", ""))
                body = json.loads(raw or b"{}")
                with receiver.lock:
                    failing = receiver.fail_always or receiver.fail_next > 0
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                    status = 503 if failing else (200 if signature_ok else 401)
                    ref = body.get("listing_ref")
                    if status == 200 and receiver.fail_refs.get(ref, 0) > 0:
                        receiver.fail_refs[ref] -= 1
                        status = 500
                    receiver.deliveries.append(
                        Delivery(
                            body=body,
                            idempotency_key=self.headers.get("Idempotency-Key", ""),
                            signature_ok=signature_ok,
                            received_at=time.time(),
                            status=status,
                            connection=self.connection_number,
                        )
                    )
                answer = b'{"ok": true}' if status == 200 else b'{"error": "unavailable"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Kept-alive connections end when their client goes; stopping the receiver does not wait for them.
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/takedowns"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.deliveries.clear()
            self.fail_refs.clear()
            self.fail_next, self.fail_always, self.delay = 0, False, 0.0

    def accepted(self, event: str | None = None) -> list[Delivery]:
        with self.lock:
            return [
                d
                for d in self.deliveries
                if d.status == 200 and (event is None or d.body.get("event") == event)
            ]

    def all(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


# --- both receivers in a process of their own (the benchmark) ----------------------------------------------
def _serve_receivers(pipe) -> None:
    smtp, hooks = SMTPServer().start(), WebhookReceiver().start()
    pipe.send((smtp.port, hooks.url))
    while True:
        question = pipe.recv()
        if question == "stop":
            smtp.stop()
            hooks.stop()
            pipe.send(None)
            return
        if question == "deliveries":
            pipe.send(hooks.all())
        elif question.startswith("accepted:"):
            pipe.send(len(hooks.accepted(question.removeprefix("accepted:"))))
        elif question == "mail":  # who each message went to and on which connection; not the messages
            with smtp.collector.lock:
                pipe.send([{"to": m["to"], "session": m["session"]} for m in smtp.collector.messages])


class Receivers:
    """The SMTP server and the marketplace's webhook endpoint in another process, as they are in production:
    in the benchmark's own process they would wait for its interpreter lock, which the approving loop holds,
    and measure that instead of the workers."""

    def start(self):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve_receivers, args=(child,), daemon=True)
        self.process.start()
        self.smtp_port, self.webhook_url = self.pipe.recv()
        return self

    def ask(self, question: str):
        self.pipe.send(question)
        return self.pipe.recv()

    def stop(self):
        if self.process.is_alive():
            self.ask("stop")
            self.process.join(timeout=10)


# --- Celery ----------------------------------------------------------------------------------------------
class WorkerProcess:
    """`celery -A config worker` (or `beat`) in its own process, pointed at the test database."""

    def __init__(
        self,
        env: dict,
        name: str,
        concurrency: int = 2,
        log_path: Path | None = None,
        beat: bool = False,
        supervised: bool = False,
        queues: str | None = None,
    ):
        self.env, self.name, self.concurrency, self.beat, self.queues = env, name, concurrency, beat, queues
        # Supervised: restarted when it exits, as systemd's Restart=always or compose's restart policy do.
        self.supervised = supervised
        self.log_path = log_path or Path(f"/tmp/takedown-test-{name}-{os.getpid()}-{next(_SERIAL)}.log")
        self.process = None

    def command(self) -> list[str]:
        if self.beat:
            return [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "--schedule",
                f"/tmp/takedown-test-{self.name}-schedule",
            ]
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "-P",
            "prefork",
            "--concurrency",
            str(self.concurrency),
            "-n",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            *(["-Q", self.queues] if self.queues else []),
        ]

    def start(self, *, wait: bool = True):
        self.log = open(self.log_path, "wb")
        command = self.command()
        if self.supervised:
            import shlex

            command = [
                "bash",
                "-c",
                f"while true; do {shlex.join(command)}; echo 'worker exited; restarting'; sleep 1; done",
            ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        ready = b"beat: Starting" if self.beat else b"ready."
        if wait:
            wait_for(
                lambda: ready in self.log_path.read_bytes() or self.process.poll() is not None,
                timeout=60,
                message=f"worker {self.name} to start",
            )
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} died: {self.log_path.read_text()[-3000:]}")
        return self

    def kill(self):
        """SIGKILL the whole process group, as an out-of-memory killer or a lost machine would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if hasattr(self, "log"):
            self.log.close()


def worker_env(
    *, database_url: str, redis_url: str, smtp_port: int, webhook_url: str, media_root: str, **extra
) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "PLATFORM_WEBHOOK_URL": webhook_url,
            "PLATFORM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "SITE_URL": "http://testserver",
            "MEDIA_ROOT": media_root,
            "NOTICE_LEASE_SECONDS": "3",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def database_url_for(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def on_server(*statements: str) -> None:
    """Run statements on the test database's server outside any database (CREATE / DROP DATABASE)."""
    import psycopg
    from django.db import connection

    with psycopg.connect(
        database_url_for({**connection.settings_dict, "NAME": "postgres"}), autocommit=True
    ) as db:
        for sql in statements:
            db.execute(sql)


def database_copy(source: str, target: str, attempts: int = 5) -> None:
    """`target` becomes a copy of `source` (CREATE DATABASE … TEMPLATE). PostgreSQL copies a database only
    while nobody else is connected to it, and the suite's Celery worker and web process keep connections to
    the test database (and reconnect: they check a kept connection before using it), so the other sessions
    are ended just before the copy, as many times as a reconnect gets in between."""
    import psycopg

    for attempt in range(attempts):
        on_server(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}'",
            f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
        )
        try:
            on_server(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


# --- Redis, stopped and started for the outage test ------------------------------------------------------
def redis_stop(url: str) -> None:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    subprocess.run(
        [
            "redis-cli",
            "-h",
            parsed.hostname or "127.0.0.1",
            "-p",
            str(parsed.port or 6379),
            "shutdown",
            "nosave",
        ],
        capture_output=True,
        timeout=10,
    )
    wait_for(
        lambda: (
            subprocess.run(
                ["redis-cli", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 6379), "ping"],
                capture_output=True,
            ).returncode
            != 0
        ),
        timeout=10,
        message="Redis to stop",
    )


def postgres_restart() -> None:
    """Restart this machine's PostgreSQL cluster (fast shutdown: open connections are cut), as a failover
    or an operator's restart would."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def redis_start(url: str) -> None:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            str(parsed.port or 6379),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=True,
        capture_output=True,
        timeout=20,
    )
    wait_for(
        lambda: (
            subprocess.run(
                ["redis-cli", "-p", str(parsed.port or 6379), "ping"], capture_output=True
            ).returncode
            == 0
        ),
        timeout=20,
        message="Redis to start",
    )


# --- the web process -------------------------------------------------------------------------------------
_STATIC_ROOT: Path | None = None


def collected_static_root() -> Path:
    """`collectstatic` once per test session, as a deploy does before starting gunicorn."""
    global _STATIC_ROOT
    if _STATIC_ROOT is None:
        root = Path(f"/tmp/takedown-test-static-{os.getpid()}")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "STATIC_ROOT": str(root)}
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        _STATIC_ROOT = root
    return _STATIC_ROOT


class WebProcess:
    """`gunicorn config.wsgi` in its own process, as production runs it (DEBUG off, WhiteNoise)."""

    def __init__(self, env: dict, port: int | None = None):
        self.port = port or free_port()
        self.env = env
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(f"/tmp/takedown-test-web-{os.getpid()}-{next(_SERIAL)}.log")

    def start(self):
        import urllib.request

        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def up():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn died: {self.log_path.read_text()[-3000:]}")
            try:
                return urllib.request.urlopen(f"{self.url}/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_for(up, timeout=60, message="gunicorn to answer")
        return self

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()
