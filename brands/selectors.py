"""Reads of brands: who sees which brands and rights, members, what waits for verification, a brand's history."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from brands.models import Brand, BrandMembership, IPRight
from core.models import AuditEvent
from core.roles import Actor


def brands_visible_to(actor: Actor) -> QuerySet[Brand]:
    if actor.sees_everything:
        return Brand.objects.all()
    return Brand.objects.filter(pk__in=actor.brand_ids)


def ip_rights_visible_to(actor: Actor) -> QuerySet[IPRight]:
    rights = IPRight.objects.select_related("brand")
    if actor.sees_everything:
        return rights
    return rights.filter(brand_id__in=actor.brand_ids)


def ip_rights_to_verify() -> QuerySet[IPRight]:
    return (
        IPRight.objects.filter(status=IPRight.Status.PENDING)
        .select_related("brand")
        .order_by("created_at", "pk")
    )


def agents_to_verify() -> QuerySet[BrandMembership]:
    return (
        BrandMembership.objects.filter(role=BrandMembership.Role.AGENT, authorisation_verified=False)
        .exclude(authorisation_letter="")
        .select_related("user", "brand")
        .order_by("created_at")
    )


def brands_of_member(actor: Actor) -> QuerySet[BrandMembership]:
    """The actor's own memberships, with each brand's member count: the brand user's list of brands."""
    return (
        BrandMembership.objects.filter(user=actor.user)
        .select_related("brand")
        .annotate(members=Count("brand__memberships", distinct=True))
        .order_by("brand__name")
    )


def memberships_of_brand(brand: Brand) -> list[BrandMembership]:
    """Owners first, then agents, then viewers."""
    order: dict[str, int] = {
        BrandMembership.Role.OWNER: 0,
        BrandMembership.Role.AGENT: 1,
        BrandMembership.Role.VIEWER: 2,
    }
    members = brand.memberships.select_related("user")
    return sorted(members, key=lambda m: (order.get(m.role, 3), m.user.username))


def brand_audit_events(brand: Brand) -> QuerySet[AuditEvent]:
    """What happened to the brand and its rights and members: programme changes, warnings, suspensions."""
    return AuditEvent.objects.filter(brand_id=brand.pk).select_related("actor").order_by("-created_at", "-pk")
