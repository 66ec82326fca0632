"""Admin for listings (merchants are administered with their bans in `takedowns`)."""

from __future__ import annotations

from django.contrib import admin

from merchants.models import Listing


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "platform_ref", "merchant", "status", "price", "currency"]
    list_filter = ["status"]
    search_fields = ["title", "platform_ref", "url"]
    raw_id_fields = ["merchant"]
