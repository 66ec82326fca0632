"""`manage.py verify_audit`: walk the hash chains of the audit trail and of every claim's history; name the
first broken link and exit 1, or print the chain heads (to record elsewhere) and exit 0."""

from __future__ import annotations

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from core.chain import first_broken_link
from core.models import AuditEvent
from takedowns.models import Claim, ClaimEvent


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail and of every claim's events; name the first broken link."
    )

    def handle(self, **options):
        # Server-side cursors on PostgreSQL: each is closed as soon as the walk stops, broken link or not.
        rows = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
        try:
            audit = first_broken_link(rows)
        finally:
            rows.close()
        if audit is not None:
            row, why = audit
            raise CommandError(
                f"Broken audit trail at audit event #{row.pk} ({row.action}, {row.created_at}): {why}."
            )
        checked, broken = 0, None
        events = ClaimEvent.objects.order_by("claim_id", "pk").iterator(chunk_size=2000)
        try:
            for _claim_id, chain in groupby(events, key=lambda event: event.claim_id):
                broken = first_broken_link(chain)
                if broken is not None:
                    break
                checked += 1
        finally:
            events.close()
        if broken is not None:
            row, why = broken
            reference = Claim.objects.filter(pk=row.claim_id).values_list("reference", flat=True).first()
            raise CommandError(
                f"Broken history of claim {reference or row.claim_id} at claim event #{row.pk} "
                f"({row.transition}, {row.created_at}): {why}."
            )
        head = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
        self.stdout.write(
            f"Audit trail intact ({AuditEvent.objects.count()} events; head #{head[0]} {head[1]})."
            if head
            else "Audit trail intact (empty)."
        )
        self.stdout.write(f"Claim histories intact ({checked} claims).")
