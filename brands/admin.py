from django.contrib import admin, messages

from brands import services
from brands.models import Brand, BrandMembership, IPRight
from core.errors import DomainError
from core.roles import actor_for


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "trusted_flagger", "good_faith", "misuse_flagged_at", "suspended_until"]
    list_filter = ["trusted_flagger", "good_faith"]
    search_fields = ["name"]
    readonly_fields = [
        "good_faith",
        "good_faith_since",
        "good_faith_removed_at",
        "misuse_flagged_at",
        "misuse_warned_at",
        "suspended_until",
    ]


def _review(modeladmin, request, queryset, decision):
    done = 0
    for right in queryset:
        try:
            services.ip_right_verify(
                actor=actor_for(request.user),
                ip_right=right,
                decision=decision,
                note="" if decision == "verified" else "rejected in admin",
            )
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{right}: {exc.detail}", level=messages.WARNING)
    modeladmin.message_user(request, f"{decision.capitalize()} {done} IP rights.")


@admin.register(IPRight)
class IPRightAdmin(admin.ModelAdmin):
    list_display = ["mark", "brand", "kind", "office", "registration_number", "status", "valid_until"]
    list_filter = ["status", "kind", "office"]
    search_fields = ["mark", "registration_number", "brand__name"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "review_note"]
    actions = ["verify", "reject"]

    @admin.action(description="Verify selected IP rights")
    def verify(self, request, queryset):
        _review(self, request, queryset, "verified")

    @admin.action(description="Reject selected IP rights")
    def reject(self, request, queryset):
        _review(self, request, queryset, "rejected")


@admin.register(BrandMembership)
class BrandMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "brand", "role", "authorisation_verified"]
    list_filter = ["role", "authorisation_verified"]
    raw_id_fields = ["user", "brand"]
