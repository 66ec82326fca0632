"""Admin for exports."""

from __future__ import annotations

from django.contrib import admin

from reports.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_by", "format", "status", "progress", "created_at"]
