"""Admin for claims, strikes and merchants. State changes go through the services, never a form field."""

from __future__ import annotations

from django.contrib import admin, messages

import brands.admin
from brands.models import Brand
from core.admin import ReadOnlyInline
from core.errors import DomainError
from core.roles import actor_for
from merchants.models import Merchant
from takedowns.models import Claim, ClaimBatch, ClaimEvent, CounterNotice, Evidence, Strike
from takedowns.services.bans import merchant_ban, merchant_lift_ban
from takedowns.services.programmes import brand_programmes_recompute
from takedowns.services.transitions import claim_transition


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
    readonly_fields = [
        "reference",
        "state",
        "submitted_at",
        "decided_at",
        "decided_by",
        "taken_down_at",
        "reinstated_at",
        "fast_tracked",
    ]
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
    """Read only: a counter-notice and its deadline change through the transitions and the legal-action service."""

    list_display = ["claim", "reason", "filed_at", "restore_due_at", "outcome"]
    raw_id_fields = ["claim", "filed_by", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "platform_ref", "country", "status", "banned_at"]
    list_filter = ["status", "country"]
    search_fields = ["name", "platform_ref", "email"]
    readonly_fields = ["status", "banned_at"]
    filter_horizontal = ["users"]
    actions = ["ban", "lift_ban"]

    def _each(self, request, queryset, call):
        for merchant in queryset:
            try:
                call(merchant)
            except DomainError as exc:
                self.message_user(request, f"{merchant}: {exc.detail}", level=messages.WARNING)

    @admin.action(description="Ban selected merchants (removes their listings)")
    def ban(self, request, queryset):
        actor = actor_for(request.user)
        self._each(
            request, queryset, lambda m: merchant_ban(merchant=m, actor=actor, reason="banned in admin")
        )

    @admin.action(description="Lift the ban of selected merchants")
    def lift_ban(self, request, queryset):
        actor = actor_for(request.user)
        self._each(
            request, queryset, lambda m: merchant_lift_ban(merchant=m, actor=actor, note="lifted in admin")
        )


@admin.register(Strike)
class StrikeAdmin(admin.ModelAdmin):
    list_display = ["merchant", "claim", "issued_at", "expires_at", "revoked_at"]
    raw_id_fields = ["merchant", "claim"]
    readonly_fields = ["merchant", "claim", "issued_at", "expires_at", "revoked_at", "revoked_reason"]


# The brand's trust programmes are computed from its claims, so their admin action lives here.
admin.site.unregister(Brand)


@admin.register(Brand)
class BrandAdmin(brands.admin.BrandAdmin):
    actions = ["recompute_programmes"]

    @admin.action(description="Recompute good-faith and misuse status")
    def recompute_programmes(self, request, queryset):
        for brand in queryset:
            brand_programmes_recompute(brand=brand)
        self.message_user(request, f"Recomputed {queryset.count()} brands.")
