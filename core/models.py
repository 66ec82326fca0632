"""The two records every app writes and none owns: the outbox of notices and the audit trail.

Both refer to domain rows (a claim, a brand, a merchant) by plain id columns, not foreign keys: the
foundation knows no app above it, and a history row must never change when the row it speaks of is
deleted or edited (a `SET NULL` foreign key would rewrite it).
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.chain import GENESIS, link_hash

# The advisory lock that serialises appends to the audit chain (any fixed number unique to this use).
AUDIT_CHAIN_LOCK = 7_361_024


class Notice(models.Model):
    """The outbox: written in the transaction that causes it, delivered by a worker, never lost."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Platform webhook")
        TDB = "tdb", _("DSA Transparency Database")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=50)
    recipient = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="en")
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the notice is about, for the delivery hooks and for the pages that list a claim's notices.
    claim_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    merchant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The sweep: pending notices whose next attempt is due.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notice_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient}"


class NoticeAttempt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="delivery_attempts")
    started_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"attempt on notice {self.notice_id}: {'ok' if self.ok else self.error[:60]}"


class AuditEvent(models.Model):
    """Everything that is not a claim transition: right verification, bans, programme changes, exports.

    Append-only: PostgreSQL refuses an UPDATE or DELETE of a row (a trigger), and the rows form one hash
    chain (`core.chain`), in the order they were written."""

    action = models.CharField(max_length=50)
    # PROTECT: a user with a history is deactivated, never deleted (deleting would rewrite these rows).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    # Whose history this belongs to: a brand's page lists its events, a claim's export its audit rows.
    brand_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    merchant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    claim_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64, editable=False, default="")
    hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="audit_created_idx")]
        triggers = [
            pgtrigger.Protect(name="audit_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One writer at a time appends to the chain, until its transaction ends.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
            last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
            self.prev_hash = last or GENESIS
            self.hash = link_hash(self.prev_hash, self.chained_fields())
            super().save(*args, **kwargs)

    # What the chain vouches for, in this order (a migration that backfills hashes keeps its own copy).
    CHAINED = (
        "action",
        "actor_id",
        "actor_label",
        "object_type",
        "object_id",
        "brand_id",
        "merchant_id",
        "claim_id",
        "note",
        "data",
        "created_at",
    )

    def chained_fields(self) -> dict:
        return {name: getattr(self, name) for name in self.CHAINED}
