"""Display helpers every portal template may use: numbers, sizes, roles, sortable column headers."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

ROLE_LABELS = {
    "reviewer": gettext_lazy("reviewer"),
    "compliance": gettext_lazy("compliance officer"),
    "platform": gettext_lazy("marketplace service account"),
    "brand": gettext_lazy("brand"),
    "merchant": gettext_lazy("merchant"),
    "none": gettext_lazy("no role yet"),
    "system": gettext_lazy("system"),
}

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@register.filter
def hours(value) -> str:
    return "—" if value is None else f"{value:.1f} h"


@register.filter
def filesize(value) -> str:
    value = float(value or 0)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The query string that sorts by `key`, or by `-key` when it is already sorted by `key`."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context, key: str) -> str:
    current = context["request"].GET.get("sort", "")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"
