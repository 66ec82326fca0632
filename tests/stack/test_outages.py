"""A bad day, with the real services: Redis gone, PostgreSQL restarted under load, the mail server down for
a while, SQLite busy. The API and the portal answer (or say 503 and to retry), nothing is half-written,
and every notice is delivered exactly once when the service is back."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from core.models import Notice
from core.tokens import api_token_issue
from takedowns.models import Claim, ClaimEvent
from tests.conftest import require_services
from tests.factories import ListingFactory
from tests.harness import postgres_restart, redis_start, redis_stop, wait_for
from tests.lifecycle import claim_in_state

# `serial`: these stop Redis and restart PostgreSQL, which every other test shares: they run on their own,
# after the parallel run (Makefile `test`).
pytestmark = [pytest.mark.services, pytest.mark.serial]
ROOT = Path(__file__).resolve().parents[2]


def _api(web, user):
    session = requests.Session()
    session.headers["Authorization"] = f"Token {api_token_issue(user=user)[0]}"
    session.base = web.url
    return session


def _portal(web, user):
    """A signed-in browser session against the real web process (sessions live in the shared database)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def test_with_redis_gone_the_api_and_portal_answer_and_decisions_commit(world, stack):
    require_services(postgres=True, redis=True)
    web = stack.web()
    claim = claim_in_state(world, "in_review")
    api, portal = _api(web, world.reviewer), _portal(web, world.reviewer)
    redis_stop(stack.redis_url)
    try:
        assert api.get(f"{web.url}/api/v1/claims/", timeout=15).status_code == 200  # throttles fail open
        assert portal.get(f"{web.url}/queue/", timeout=15).status_code == 200
        approved = api.post(f"{web.url}/api/v1/claims/{claim.pk}/transitions/approve/", json={}, timeout=15)
        assert approved.status_code == 200 and approved.json()["state"] == "approved"
        assert Notice.objects.filter(claim_id=claim.pk, kind="listing.remove", status="pending").exists()
    finally:
        redis_start(stack.redis_url)
    stack.worker()
    stack.beat()  # the periodic sweep finds the approval's notices again: nothing was lost
    wait_for(lambda: Claim.objects.get(pk=claim.pk).state == "taken_down", timeout=90, message="the takedown")
    assert len(stack.webhooks.accepted("listing.remove")) == 1


def test_a_postgresql_restart_under_load_gives_clean_503s_and_no_half_written_claim(world, stack):
    require_services(postgres=True, redis=True)
    web = stack.web()
    api = _api(web, world.owner)
    body = {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "listing": world.listing.pk,
        "infringement_type": "counterfeit",
        "description": "Fake",
        "good_faith": True,
        "accurate": True,
        "signature": "Ana Owner",
    }
    answers, stop = [], threading.Event()

    def file_claims():
        while not stop.is_set():
            try:
                response = api.post(f"{web.url}/api/v1/claims/", json=body, timeout=20)
                answers.append(
                    (response.status_code, response.headers.get("Content-Type", ""), response.text)
                )
            except requests.RequestException as exc:  # the connection itself cut: not an answer
                answers.append((0, "", str(exc)))

    threads = [threading.Thread(target=file_claims) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        postgres_restart()
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    connection.close()  # this test's own connection was cut by the restart too
    statuses = {status for status, _, _ in answers}
    assert statuses <= {201, 503}, [a for a in answers if a[0] not in (201, 503)][:3]
    assert 503 in statuses or len(answers) > 0
    for status, content_type, text in answers:
        if status == 503:
            assert content_type.startswith("application/json") and '"code":"service_unavailable"' in text
    assert sum(1 for status, _, _ in answers if status == 201) >= 3  # filing went on after the restart
    for claim in Claim.objects.filter(brand=world.brand):  # each claim whole: reference and its first event
        assert claim.reference and ClaimEvent.objects.filter(claim=claim, transition="create").count() == 1


def test_mail_down_for_a_while_then_back_delivers_every_email_once(world, stack):
    require_services(postgres=True, redis=True)
    stack.smtp.pause()
    try:
        stack.worker()
        stack.beat()
        claims = [  # each files a "claim received" e-mail
            claim_in_state(world, "submitted", listing=ListingFactory(merchant=world.merchant))
            for _ in range(3)
        ]
        wait_for(
            lambda: Notice.objects.filter(channel="email", attempts__gte=2).count() >= 3,
            timeout=60,
            message="the e-mails to be tried and fail",
        )
    finally:
        stack.smtp.resume()
    emails = Notice.objects.filter(channel="email", claim_id__in=[c.pk for c in claims])
    wait_for(lambda: not emails.exclude(status="sent").exists(), timeout=90, message="every e-mail sent")
    ids = [received["message"]["Message-ID"] for received in stack.smtp.messages]
    assert len(ids) == len(set(ids)) == emails.count()  # each once, none lost


SQLITE_SCRIPT = """
import os, sqlite3, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group, User
from django.test import Client
user = User.objects.create_user("busy-reviewer", password="a-long-pass-2026")
user.groups.add(Group.objects.get_or_create(name="reviewer")[0])
client = Client(raise_request_exception=False)
client.force_login(user)
holder = sqlite3.connect(os.environ["SQLITE_PATH"])
holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the app waits
busy = [client.get("/api/v1/claims/"), client.get("/queue/")]
holder.rollback()
free = client.get("/api/v1/claims/")
print([r.status_code for r in busy], busy[0].json()["code"], free.status_code)
"""


def test_a_busy_sqlite_database_answers_503_never_500(tmp_path):
    database = tmp_path / "busy.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "SQLITE_PATH": str(database),
            "SQLITE_BUSY_SECONDS": "1",
            "DEBUG": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[503, 503] service_unavailable 200"
