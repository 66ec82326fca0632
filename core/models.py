"""The two records every app writes and none owns: the outbox of notices and the audit trail.

Both refer to domain rows (a claim, a brand, a merchant) by plain id columns, not foreign keys: the
foundation knows no app above it, and a history row must never change when the row it speaks of is
deleted or edited (a `SET NULL` foreign key would rewrite it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    """Everything that is not a claim transition: right verification, bans, programme changes, exports."""

    action = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="audit_created_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
