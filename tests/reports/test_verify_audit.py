"""The audit trail and every claim's history are append-only (PostgreSQL refuses changes) and hash-chained:
`verify_audit` names the first row that was tampered with, even by someone who went around the guard."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.audit import audit
from core.models import AuditEvent
from core.roles import SYSTEM
from takedowns.models import ClaimEvent
from tests.conftest import require_services
from tests.lifecycle import claim_in_state


def _history(world):
    claim = claim_in_state(world, "taken_down")
    for note in ("first", "second", "third"):
        audit(actor=SYSTEM, action="brand_update", obj=world.brand, brand=world.brand, note=note)
    return claim


def test_it_finds_an_untouched_history_whole(world, capsys):
    claim = _history(world)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "Audit trail intact" in out and "Claim histories intact" in out
    events = list(claim.events.order_by("pk"))
    assert events[0].prev_hash == "0" * 64 and all(
        b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False)
    )


def test_it_refuses_to_rewrite_an_event_through_the_models(world):
    claim = _history(world)
    event = claim.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        AuditEvent.objects.first().save()


@pytest.mark.services
def test_postgresql_refuses_updates_and_deletes(world):
    require_services(postgres=True)
    claim = _history(world)
    for statement in (
        lambda: ClaimEvent.objects.filter(claim=claim).update(note="rewritten"),
        lambda: ClaimEvent.objects.filter(claim=claim).delete(),
        lambda: AuditEvent.objects.update(note="rewritten"),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()


def _tamper(sql: str, table: str) -> None:
    """What an attacker with the database's owner role could do: switch the guard off, change, switch on."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction holds deferred checks
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.mark.services
def test_it_names_a_claim_event_changed_behind_its_back(world):
    require_services(postgres=True)
    claim = _history(world)
    victim = claim.events.order_by("pk")[1]
    _tamper(
        f"UPDATE takedowns_claimevent SET note = 'nothing happened' WHERE id = {victim.pk}",
        "takedowns_claimevent",
    )
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert f"claim event #{victim.pk}" in str(broken.value) and claim.reference in str(broken.value)


@pytest.mark.services
def test_it_names_the_row_after_a_removed_audit_event(world):
    require_services(postgres=True)
    _history(world)
    first, second, third = AuditEvent.objects.filter(action="brand_update").order_by("pk")
    _tamper(f"DELETE FROM core_auditevent WHERE id = {second.pk}", "core_auditevent")
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert f"audit event #{third.pk}" in str(broken.value) and "removed" in str(broken.value)
