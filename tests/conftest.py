"""Shared fixtures: the world (two brands, a reviewer, a merchant, compliance, the marketplace), API clients
per role, and the service checks that make tests fail instead of skip under CI=true."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.roles import COMPLIANCE, PLATFORM, REVIEWER, actor_for
from tests.factories import (
    BrandFactory,
    IPRightFactory,
    ListingFactory,
    MembershipFactory,
    MerchantFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_configure(config):
    """Under CI the real services are not optional: stop at once if they are missing."""
    if not IN_CI:
        return
    db, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    problems = []
    if not db.startswith("postgres"):
        problems.append("DATABASE_URL must point to PostgreSQL under CI=true")
    elif not _reachable(db, 5432):
        problems.append(f"PostgreSQL is not reachable at {db}")
    if not redis or not _reachable(redis, 6379):
        problems.append(f"Redis is not reachable at {redis!r}")
    if problems:
        raise pytest.UsageError("; ".join(problems))


def require_services(*, postgres: bool = False, redis: bool = False) -> None:
    """Skip locally when a service is missing; under CI=true that is a failure, never a skip."""
    from django.db import connection

    missing = []
    if postgres and connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL)")
    if redis and not (os.environ.get("REDIS_URL") and _reachable(os.environ["REDIS_URL"], 6379)):
        missing.append("Redis (set REDIS_URL)")
    if missing:
        message = "needs " + ", ".join(missing)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _tasks_run_in_process(settings):
    """Unit tests run tasks in-process; the integration tests swap in a real worker (tests/worker.py)."""
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.PLATFORM_WEBHOOK_URL = ""
    settings.SITE_URL = "http://testserver"
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API throttles count in the cache: no test may inherit another's requests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ROOT = tmp_path / "media" / "exports"


@dataclass
class World:
    brand: object
    other_brand: object
    right: object
    other_right: object
    owner: object
    agent: object
    unverified_agent: object
    viewer: object
    other_owner: object
    reviewer: object
    second_reviewer: object
    compliance: object
    platform: object
    merchant: object
    merchant_user: object
    listing: object
    other_listing: object
    outsider: object

    def actor(self, user):
        """A fresh actor: roles may have changed since the user's last one was cached."""
        user.__dict__.pop("_takedown_actor", None)
        return actor_for(user)


@pytest.fixture
def world(db) -> World:
    brand = BrandFactory(name="Aurelia", contact_email="legal@aurelia.example")
    other_brand = BrandFactory(name="Northpeak", contact_email="ip@northpeak.example")
    owner = UserFactory(username="owner")
    agent = UserFactory(username="agent")
    unverified_agent = UserFactory(username="agent2")
    viewer = UserFactory(username="viewer")
    other_owner = UserFactory(username="other_owner")
    MembershipFactory(user=owner, brand=brand, role="owner")
    MembershipFactory(user=agent, brand=brand, role="agent", authorisation_verified=True)
    MembershipFactory(user=unverified_agent, brand=brand, role="agent", authorisation_verified=False)
    MembershipFactory(user=viewer, brand=brand, role="viewer")
    MembershipFactory(user=other_owner, brand=other_brand, role="owner")
    merchant = MerchantFactory(platform_ref="M-1", name="Lucky Outlet", email="seller@merchant.example")
    merchant_user = UserFactory(username="seller")
    merchant.users.add(merchant_user)
    return World(
        brand=brand,
        other_brand=other_brand,
        right=IPRightFactory(brand=brand, mark="AURELIA"),
        other_right=IPRightFactory(brand=other_brand, mark="NORTHPEAK"),
        owner=owner,
        agent=agent,
        unverified_agent=unverified_agent,
        viewer=viewer,
        other_owner=other_owner,
        reviewer=UserFactory(username="reviewer", groups=[REVIEWER]),
        second_reviewer=UserFactory(username="reviewer2", groups=[REVIEWER]),
        compliance=UserFactory(username="compliance", groups=[COMPLIANCE]),
        platform=UserFactory(username="platform", groups=[PLATFORM]),
        merchant=merchant,
        merchant_user=merchant_user,
        listing=ListingFactory(merchant=merchant, url="https://market.example/item/1"),
        other_listing=ListingFactory(merchant=MerchantFactory(), url="https://market.example/item/2"),
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture
def api():
    """`api(user)` → an APIClient authenticated as that user (or anonymous with None)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


# --- the real stack: SMTP server, webhook receiver, Celery worker -----------------------------------------
@pytest.fixture(scope="session")
def smtp_server():
    from tests.harness import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def webhook_receiver():
    from tests.harness import WebhookReceiver

    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@dataclass
class Stack:
    env: dict
    smtp: object
    webhooks: object
    redis_url: str
    processes: list

    def worker(self, name: str = "w1", supervised: bool = False, **env) -> object:
        from tests.harness import WorkerProcess

        process = WorkerProcess(
            {**self.env, **{k: str(v) for k, v in env.items()}}, name=name, supervised=supervised
        )
        self.processes.append(process)
        return process.start()

    def web(self, **env) -> object:
        from tests.harness import WebProcess, collected_static_root

        static = {"STATIC_ROOT": str(collected_static_root())}
        process = WebProcess({**self.env, "DEBUG": "0", **static, **{k: str(v) for k, v in env.items()}})
        self.processes.append(process)
        return process.start()

    def beat(self, name: str = "beat", **env) -> object:
        from tests.harness import WorkerProcess

        process = WorkerProcess({**self.env, **{k: str(v) for k, v in env.items()}}, name=name, beat=True)
        self.processes.append(process)
        return process.start()


@pytest.fixture
def stack(transactional_db, settings, smtp_server, webhook_receiver, tmp_path):
    """PostgreSQL + Redis + real Celery worker processes + SMTP + webhook receiver. Data must be committed
    (transactional_db) so the worker sees it. Start workers with `stack.worker()`."""
    require_services(postgres=True, redis=True)
    import redis as redis_client
    from django.db import connection

    from config.celery_app import app
    from tests.harness import WEBHOOK_SECRET, database_url_for, worker_env

    redis_url = os.environ["REDIS_URL"]
    redis_client.Redis.from_url(redis_url).flushdb()
    webhook_receiver.reset()
    smtp_server.clear()
    settings.PLATFORM_WEBHOOK_URL = webhook_receiver.url
    settings.PLATFORM_WEBHOOK_SECRET = WEBHOOK_SECRET
    app.conf.task_always_eager = False
    env = worker_env(
        database_url=database_url_for(connection.settings_dict),
        redis_url=redis_url,
        smtp_port=smtp_server.port,
        webhook_url=webhook_receiver.url,
        media_root=str(settings.MEDIA_ROOT),
        NOTICE_MAX_BACKOFF_SECONDS=4,
        SWEEP_SECONDS=1,
    )
    running = Stack(env=env, smtp=smtp_server, webhooks=webhook_receiver, redis_url=redis_url, processes=[])
    yield running
    for process in running.processes:
        process.stop()
    app.conf.task_always_eager = True


@pytest.fixture
def client_for(db, settings):
    """`client_for(user)` → a Django test client signed in as that user (portal pages render with plain
    static files, no collectstatic manifest needed)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def _database_snapshot() -> dict:
    """Every row of every model, except what signing in itself writes (sessions, last_login)."""
    from django.apps import apps

    rows = {}
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session",):
            continue
        values = list(model._default_manager.order_by("pk").values())
        for row in values:
            row.pop("last_login", None)
        rows[model._meta.label] = values
    return rows


@pytest.fixture
def nothing_written(db):
    """`with nothing_written(): ...` fails when the block inserted, changed or deleted any row."""

    @contextmanager
    def check():
        before = _database_snapshot()
        yield
        after = _database_snapshot()
        changed = sorted(label for label in before if before[label] != after[label])
        assert not changed, f"a refused request wrote to {changed}"

    return check
