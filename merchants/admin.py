from django.contrib import admin, messages

from takedowns.errors import DomainError
from takedowns.roles import actor_for

from . import services
from .models import Listing, Merchant, Strike


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
        self._each(request, queryset, lambda m: services.merchant_ban(merchant=m, actor=actor, reason="banned in admin"))

    @admin.action(description="Lift the ban of selected merchants")
    def lift_ban(self, request, queryset):
        actor = actor_for(request.user)
        self._each(request, queryset, lambda m: services.merchant_lift_ban(merchant=m, actor=actor, note="lifted in admin"))


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "platform_ref", "merchant", "status", "price", "currency"]
    list_filter = ["status"]
    search_fields = ["title", "platform_ref", "url"]
    raw_id_fields = ["merchant"]


@admin.register(Strike)
class StrikeAdmin(admin.ModelAdmin):
    list_display = ["merchant", "claim", "issued_at", "expires_at", "revoked_at"]
    raw_id_fields = ["merchant", "claim"]
    readonly_fields = ["merchant", "claim", "issued_at", "expires_at", "revoked_at", "revoked_reason"]
