"""Admin for the outbox and the audit trail: both are read here, never written by hand."""

from __future__ import annotations

from django.contrib import admin

from core.models import AuditEvent, Notice, NoticeAttempt


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoticeAttemptInline(ReadOnlyInline):
    model = NoticeAttempt
    fields = ["started_at", "ok", "status_code", "error", "duration_ms"]
    readonly_fields = fields


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["channel", "kind", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["recipient", "idempotency_key"]
    readonly_fields = ["claim_id", "merchant_id"]
    inlines = [NoticeAttemptInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor_label", "object_type", "object_id"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
