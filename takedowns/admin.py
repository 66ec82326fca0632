from django.contrib import admin, messages

from .errors import DomainError
from .models import (
    AuditEvent,
    Claim,
    ClaimBatch,
    ClaimEvent,
    CounterNotice,
    Evidence,
    Export,
    Notice,
    NoticeAttempt,
)
from .roles import actor_for
from .services import claim_transition


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ["created_at", "transition", "from_state", "to_state", "actor_label", "note", "reason"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["kind", "original_name", "content_type", "size", "sha256"]
    readonly_fields = fields


def _transition_action(name: str, label: str):
    def run(modeladmin, request, queryset):
        actor = actor_for(request.user)
        done = 0
        for claim in queryset:
            try:
                claim_transition(claim_id=claim.pk, name=name, actor=actor, note=f"{label} in admin")
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{claim}: {exc.detail}", level=messages.WARNING)
        modeladmin.message_user(request, f"{label}: {done} claims.")

    run.__name__ = f"transition_{name}"
    return admin.action(description=f"{label} selected claims")(run)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """State changes only through the same services as the portal and API (admin actions)."""

    list_display = ["reference", "brand", "listing", "state", "priority", "due_at", "assignee"]
    list_filter = ["state", "infringement_type", "priority"]
    search_fields = ["reference", "listing__url", "brand__name"]
    raw_id_fields = ["brand", "ip_right", "listing", "batch", "assignee", "decided_by", "created_by"]
    readonly_fields = ["reference", "state", "submitted_at", "decided_at", "decided_by", "taken_down_at", "reinstated_at", "fast_tracked"]
    inlines = [EvidenceInline, ClaimEventInline]
    actions = [
        _transition_action("start_review", "Start review"),
        _transition_action("approve", "Approve"),
        _transition_action("withdraw", "Withdraw"),
    ]


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ["claim", "transition", "from_state", "to_state", "actor_label", "created_at"]
    list_filter = ["transition"]
    raw_id_fields = ["claim", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ClaimBatch)
class ClaimBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "brand", "status", "done", "total", "created_at"]
    exclude = ["rows"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["claim", "kind", "original_name", "content_type", "size"]
    raw_id_fields = ["claim", "uploaded_by"]


@admin.register(CounterNotice)
class CounterNoticeAdmin(admin.ModelAdmin):
    list_display = ["claim", "reason", "filed_at", "restore_due_at", "outcome"]
    raw_id_fields = ["claim", "filed_by", "decided_by"]


class NoticeAttemptInline(ReadOnlyInline):
    model = NoticeAttempt
    fields = ["started_at", "ok", "status_code", "error", "duration_ms"]
    readonly_fields = fields


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["channel", "kind", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    raw_id_fields = ["claim", "merchant"]
    inlines = [NoticeAttemptInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor_label", "object_type", "object_id"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_by", "format", "status", "progress", "created_at"]
