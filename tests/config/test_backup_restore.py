"""Backups restore: the commands of docs/operations.md ("Backups and restore") run on a database and a
MEDIA_ROOT built through the services. `pg_dump -Fc` and a tar of MEDIA_ROOT, restored into a new empty
database and a new empty directory, give back every claim in its state, every evidence file with the
SHA-256 recorded when it was filed, every certificate, letter and export, whole hash chains
(`manage.py verify_audit` prints the same heads), the append-only guards, and `manage.py verify_media`
agrees."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from brands.models import BrandMembership, IPRight
from brands.services import ip_right_create, membership_add
from core.roles import actor_for
from reports.exports.jobs import export_build, export_request
from reports.models import Export
from takedowns.models import Claim, Evidence
from takedowns.services.filing import evidence_add
from tests.conftest import require_services
from tests.factories import ListingFactory, UserFactory
from tests.harness import ROOT, database_url_for, on_server
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.services

STATES = [
    "draft",
    "submitted",
    "in_review",
    "info_requested",
    "rejected",
    "withdrawn",
    "taken_down",
    "counter_noticed",
    "reinstated",
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _run(*command: str, env: dict | None = None) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def restore_target(transactional_db):
    """A brand-new, empty database beside the test database; dropped afterwards."""
    require_services(postgres=True)
    name = f"{connection.settings_dict['NAME']}_restore"
    on_server(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE template0'
    )
    yield database_url_for({**connection.settings_dict, "NAME": name})
    on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build(world) -> None:
    """Claims in every state the lifecycle reaches at rest, with evidence, a certificate, an agent's letter
    and an export: each written by its service and committed."""
    owner = actor_for(world.owner)
    for index, state in enumerate(STATES):
        claim = claim_in_state(
            world,
            state,
            listing=ListingFactory(merchant=world.merchant, url=f"https://market.example/b/{index}"),
        )
        if state in ("draft", "submitted", "in_review", "info_requested"):
            evidence_add(
                actor=owner,
                claim=claim,
                file=ContentFile(f"Test purchase {index}: serial not ours.\n".encode(), name="note.txt"),
                kind="test_purchase",
            )
            evidence_add(actor=owner, claim=claim, file=ContentFile(PDF, name="invoice.pdf"), kind="document")
    ip_right_create(
        actor=owner,
        brand=world.brand,
        data={
            "kind": "trademark",
            "mark": "AURELIA GOLD",
            "registration_number": "018000001",
            "office": "EUIPO",
            "valid_from": dt.date(2020, 1, 1),
            "valid_until": timezone.localdate() + dt.timedelta(days=900),
        },
        certificate=ContentFile(PDF, name="certificate.pdf"),
    )
    membership_add(
        actor=owner,
        brand=world.brand,
        user=UserFactory(username="counsel"),
        role="agent",
        authorisation_letter=ContentFile(PDF, name="letter.pdf"),
    )
    export = export_request(actor=actor_for(world.compliance), fmt="csv", params={})
    assert export_build(export_id=export.pk).status == Export.Status.DONE


def _media_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_a_dump_and_a_media_archive_restore_into_an_empty_database_and_directory(
    world, restore_target, tmp_path
):
    _build(world)
    media = Path(settings.MEDIA_ROOT)
    claims = dict(Claim.objects.values_list("reference", "state"))
    evidence = {(e.claim.reference, e.file.name, e.sha256) for e in Evidence.objects.select_related("claim")}
    stored = sorted(
        [name for name in IPRight.objects.values_list("certificate", flat=True) if name]
        + [name for name in BrandMembership.objects.values_list("authorisation_letter", flat=True) if name]
        + [name for name in Export.objects.values_list("file", flat=True) if name]
        + [name for _, name, _ in evidence]
    )
    assert set(claims.values()) == set(STATES) and len(evidence) == len(STATES) + 8
    original_heads = io.StringIO()
    call_command("verify_audit", stdout=original_heads)

    # Back up: the database first, then the files (a file is written before its row commits, so every
    # row in the dump has its file in the later archive).
    dump, archive = tmp_path / "takedown.dump", tmp_path / "media.tar.gz"
    _run("pg_dump", "-Fc", f"--dbname={database_url_for(connection.settings_dict)}", f"--file={dump}")
    _run("tar", "-C", str(media), "-czf", str(archive), ".")

    # Restore into the empty database and a new, empty directory.
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    _run(
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        f"--dbname={restore_target}",
        str(dump),
    )
    _run("tar", "-C", str(restored_media), "-xzf", str(archive))

    with psycopg.connect(restore_target) as restored:
        assert dict(restored.execute("SELECT reference, state FROM takedowns_claim").fetchall()) == claims
        rows = restored.execute(
            "SELECT c.reference, e.file, e.sha256 FROM takedowns_evidence e "
            "JOIN takedowns_claim c ON c.id = e.claim_id"
        ).fetchall()
        assert set(rows) == evidence
        for reference, name, sha256 in rows:
            path = restored_media / name
            assert path.is_file(), f"evidence of {reference} missing: {name}"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, f"evidence of {reference} changed"
        files = [
            name
            for (name,) in restored.execute(
                "SELECT certificate FROM brands_ipright UNION ALL "
                "SELECT authorisation_letter FROM brands_brandmembership UNION ALL "
                "SELECT file FROM reports_export UNION ALL SELECT file FROM takedowns_evidence"
            )
            if name
        ]
        assert sorted(files) == stored
        # The append-only guard (a trigger) came back with the tables.
        with pytest.raises(psycopg.errors.RaiseException), restored.transaction():
            restored.execute("UPDATE takedowns_claimevent SET note = 'rewritten'")
    # Every file comes back byte for byte.
    assert _media_files(restored_media) == _media_files(media)

    # The operator's checks on the restored copy: no migration missing, hash chains whole, same heads.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=restore_target, MEDIA_ROOT=str(restored_media))
    _run(sys.executable, "manage.py", "migrate", "--check", env=env)
    heads = _run(sys.executable, "manage.py", "verify_audit", env=env)
    assert "Audit trail intact" in heads and heads == original_heads.getvalue()
    media_check = _run(sys.executable, "manage.py", "verify_media", env=env)
    assert f"Media intact: {len(evidence)} evidence files match their SHA-256; 3 " in media_check
