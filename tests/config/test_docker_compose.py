"""docker/compose.yml: the deployment the README describes (web, worker, beat, PostgreSQL, Redis)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yml"


def test_it_defines_web_worker_beat_postgres_and_redis():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "celery -A config worker" in services["worker"]["command"]
    assert "celery -A config beat" in services["beat"]["command"]
    assert "gunicorn config.wsgi" in services["web"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert services[name]["restart"] == "unless-stopped"


@pytest.mark.skipif(
    not (shutil.which("docker-compose") or shutil.which("docker")), reason="no compose client"
)
def test_it_validates_with_the_compose_client():
    client = ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]
    env = {**os.environ, "SECRET_KEY": "a-long-random-value"}
    result = subprocess.run(
        [*client, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    not (shutil.which("docker-compose") or shutil.which("docker")), reason="no compose client"
)
def test_it_refuses_to_start_without_a_secret_key():
    client = ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [*client, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_it_has_no_default_secrets():
    text = COMPOSE.read_text()
    assert "change-me" not in text and "${SECRET_KEY:?" in text
