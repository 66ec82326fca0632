"""Production settings refuse to run on known secrets, and are clean under `check --deploy` by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the test settings turn on for plain HTTP; a production start has none of it.
TEST_ONLY = (
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests
)


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY and not k.startswith("PLATFORM_WEBHOOK")}
    env.update(
        # ENV_FILE empty: not the `.env` a local `make start` may have left in this checkout.
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "takedown.example",
            "ENV_FILE": "",
        }
    )
    env.update(extra)
    return env


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SETUP = "import django; django.setup()"
KEY = "k" * 20 + "-a-long-random-production-key-" + "9" * 20


def test_it_refuses_to_start_without_a_secret_key():
    result = _run(SETUP, _production_env())
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_webhook_url_without_a_secret():
    result = _run(SETUP, _production_env(SECRET_KEY=KEY, PLATFORM_WEBHOOK_URL="https://market.example/hook"))
    assert result.returncode != 0 and "PLATFORM_WEBHOOK_SECRET" in result.stderr
    signed = _production_env(
        SECRET_KEY=KEY, PLATFORM_WEBHOOK_URL="https://market.example/hook", PLATFORM_WEBHOOK_SECRET="s" * 40
    )
    assert _run(SETUP, signed).returncode == 0


def test_it_passes_the_deployment_checklist_with_its_defaults():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(SECRET_KEY=KEY),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_serve_pages_before_collectstatic(tmp_path):
    env = _production_env(SECRET_KEY=KEY, STATIC_ROOT=str(tmp_path / "static"))
    result = _run("import config.wsgi", env)
    assert result.returncode != 0 and "run `manage.py collectstatic`" in result.stderr
    # The same `manage.py collectstatic`, run once per session for every test that starts gunicorn (it
    # compresses every file: 40 s on 2 cores).
    from tests.harness import collected_static_root

    env["STATIC_ROOT"] = str(collected_static_root())
    assert _run("import config.wsgi", env).returncode == 0


@pytest.mark.parametrize(
    "path", ["/m/eyJjbGFpbSI6MX0:1v2abc:SIGNATURE/", "/m/eyJjbGFpbSI6MX0:1v2abc:SIGNATURE/?x=1"]
)
def test_it_keeps_merchant_link_tokens_out_of_the_logs(path):
    from core.logging import redact

    assert "SIGNATURE" not in redact(f"GET {path} HTTP/1.1") and "/m/[redacted]" in redact(path)
