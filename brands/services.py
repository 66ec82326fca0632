"""Writes for brands: registration, details, IP rights and their review, memberships, misuse warnings
and suspensions, trusted flaggers."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, BrandMembership, IPRight
from core.audit import audit
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.roles import SYSTEM, Actor, actor_for
from core.uploads import store_as, upload_check


def brand_create(
    *, actor: Actor, name: str, website: str = "", contact_email: str = "", language: str = "en"
) -> Brand:
    if actor.user is None or actor.platform or actor.compliance:
        raise Forbidden(_("Your role may not register brands."))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("A brand needs a name."), extra={"fields": {"name": [_("This field is required.")]}})
    try:
        with transaction.atomic():
            brand = Brand.objects.create(
                name=name,
                website=website or "",
                language=language or "en",
                contact_email=contact_email or actor.user.email or "",
            )
            BrandMembership.objects.create(user=actor.user, brand=brand, role=BrandMembership.Role.OWNER)
            audit(actor=actor, action="brand_create", obj=brand, brand=brand)
    except IntegrityError as exc:
        raise Conflict(_("A brand with that name is already registered."), code="duplicate_brand") from exc
    return brand


def may_change_brand(actor: Actor, brand: Brand) -> bool:
    """Owners only: an agent files for the brand but does not speak for it (name, contact, language)."""
    return _is_owner(actor, brand)


def brand_update(*, actor: Actor, brand: Brand, data: dict) -> Brand:
    if brand.pk not in actor.brand_ids and not actor.sees_everything:
        raise NotFound(_("No such brand."))
    if not may_change_brand(actor, brand):
        raise Forbidden(_("Only the brand's owners may change its details."))
    if "name" in data:
        data = {**data, "name": (data["name"] or "").strip()}
        if not data["name"]:
            raise Invalid(
                _("A brand needs a name."), extra={"fields": {"name": [_("This field is required.")]}}
            )
    try:
        with transaction.atomic():
            for key, value in data.items():
                setattr(brand, key, value)
            brand.save(update_fields=list(data) or None)
            audit(actor=actor, action="brand_update", obj=brand, brand=brand, data={"fields": sorted(data)})
    except IntegrityError as exc:
        raise Conflict(_("A brand with that name is already registered."), code="duplicate_brand") from exc
    return brand


CERTIFICATE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}


def ip_right_create(*, actor: Actor, brand: Brand, data: dict, certificate=None) -> IPRight:
    if brand.pk not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may register IP rights."))
    if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        raise Invalid(
            _("valid_until is before valid_from."),
            extra={"fields": {"valid_until": [_("Must not be before valid_from.")]}},
        )
    if certificate:
        content_type = upload_check(
            certificate,
            allowed=CERTIFICATE_TYPES,
            accepted="PDF and images (JPEG, PNG, GIF, WebP)",
            field="certificate",
        )
        store_as(certificate, content_type)
    try:
        with transaction.atomic():
            right = IPRight.objects.create(brand=brand, certificate=certificate or "", **data)
            audit(actor=actor, action="ip_right_create", obj=right, brand=brand)
    except IntegrityError as exc:
        raise Conflict(
            _("This brand already registered that number at that office."), code="duplicate_ip_right"
        ) from exc
    return right


def ip_right_verify(*, actor: Actor, ip_right: IPRight, decision: str, note: str = "") -> IPRight:
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers verify IP rights."))
    if decision not in (IPRight.Status.VERIFIED, IPRight.Status.REJECTED):
        raise Invalid(
            _("decision must be 'verified' or 'rejected'."),
            extra={"fields": {"decision": [_("Use verified or rejected.")]}},
        )
    if decision == IPRight.Status.REJECTED and not note.strip():
        raise Invalid(
            _("Say why the right is rejected."), extra={"fields": {"note": [_("Required when rejecting.")]}}
        )
    with transaction.atomic():
        right = IPRight.objects.select_for_update().get(pk=ip_right.pk)
        if right.status != IPRight.Status.PENDING:
            raise Conflict(
                _("The IP right is already %(status)s.") % {"status": right.status}, code="already_reviewed"
            )
        right.status, right.review_note = decision, note
        right.reviewed_by, right.reviewed_at = actor.user, timezone.now()
        right.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        audit(actor=actor, action=f"ip_right_{decision}", obj=right, brand=right.brand, note=note)
    return right


def ip_rights_expire(*, today=None) -> int:
    """Mark verified rights whose validity ended as expired, each with its audit event."""
    today = today or timezone.localdate()
    count = 0
    for right in IPRight.objects.filter(status=IPRight.Status.VERIFIED, valid_until__lt=today).select_related(
        "brand"
    ):
        updated = IPRight.objects.filter(pk=right.pk, status=IPRight.Status.VERIFIED).update(
            status=IPRight.Status.EXPIRED
        )
        if updated:
            audit(
                actor=SYSTEM,
                action="ip_right_expired",
                obj=right,
                brand=right.brand,
                note=f"valid until {right.valid_until}",
            )
            count += 1
    return count


def _is_owner(actor: Actor, brand: Brand) -> bool:
    return (
        actor.user is not None
        and BrandMembership.objects.filter(
            user=actor.user, brand=brand, role=BrandMembership.Role.OWNER
        ).exists()
    )


def membership_add(
    *, actor: Actor, brand: Brand, user, role: str, authorisation_letter=None
) -> BrandMembership:
    if not (_is_owner(actor, brand) or actor.is_system):
        raise Forbidden(_("Only the brand's owners may add members."))
    if role not in BrandMembership.Role.values:
        raise Invalid(_("role must be owner, agent or viewer."))
    member = actor_for(user)
    if member.reviewer or member.compliance or member.platform or member.merchant_ids:
        # Platform staff and sellers would decide, or be judged on, the brand's own claims.
        raise Invalid(
            _("Platform staff and merchants cannot be members of a brand."),
            code="conflict_of_interest",
            extra={"fields": {"username": [_("Platform staff and merchants cannot be members of a brand.")]}},
        )
    if role == BrandMembership.Role.AGENT and authorisation_letter is None:
        raise Invalid(
            _("An agent needs an authorisation letter from the brand."),
            code="letter_required",
            extra={"fields": {"authorisation_letter": [_("Required for agents.")]}},
        )
    if authorisation_letter is not None:
        content_type = upload_check(
            authorisation_letter,
            allowed={"application/pdf", "image/jpeg", "image/png"},
            accepted="PDF, JPEG and PNG",
            field="authorisation_letter",
        )
        store_as(authorisation_letter, content_type)
    # A changed role or a new letter needs a reviewer's look again.
    membership, _created = BrandMembership.objects.update_or_create(
        user=user,
        brand=brand,
        defaults={
            "role": role,
            "authorisation_letter": authorisation_letter or "",
            "authorisation_verified": False,
        },
    )
    audit(actor=actor, action="membership_add", obj=membership, brand=brand, note=f"{user} as {role}")
    return membership


def membership_remove(*, actor: Actor, membership: BrandMembership) -> None:
    """An owner removes a member; the last owner stays, so a brand is never left without one."""
    brand = membership.brand
    if not (_is_owner(actor, brand) or actor.is_system):
        raise Forbidden(_("Only the brand's owners may remove members."))
    with transaction.atomic():
        owners = BrandMembership.objects.select_for_update().filter(
            brand=brand, role=BrandMembership.Role.OWNER
        )
        if membership.role == BrandMembership.Role.OWNER and owners.count() <= 1:
            raise Conflict(_("A brand keeps at least one owner."), code="last_owner")
        audit(
            actor=actor,
            action="membership_remove",
            obj=membership,
            brand=brand,
            note=f"{membership.user} ({membership.role})",
        )
        membership.delete()


def agent_authorisation_verify(
    *, actor: Actor, membership: BrandMembership, note: str = ""
) -> BrandMembership:
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers verify agent authorisations."))
    if membership.role != BrandMembership.Role.AGENT:
        raise Invalid(_("Only agents need an authorisation letter."))
    if not membership.authorisation_letter:
        raise Invalid(_("The agent has not uploaded an authorisation letter."))
    membership.authorisation_verified = True
    membership.save(update_fields=["authorisation_verified"])
    audit(actor=actor, action="agent_verified", obj=membership, brand=membership.brand, note=note)
    return membership


def brand_misuse_warn(*, actor: Actor, brand: Brand, note: str) -> Brand:
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers warn brands."))
    if not note.strip():
        raise Invalid(
            _("Write the warning the brand will receive."), extra={"fields": {"note": [_("Required.")]}}
        )
    Brand.objects.filter(pk=brand.pk).update(misuse_warned_at=timezone.now())
    audit(actor=actor, action="misuse_warned", obj=brand, brand=brand, note=note)
    brand.refresh_from_db()
    return brand


def brand_suspend(*, actor: Actor, brand: Brand, days: int, note: str) -> Brand:
    """DSA Art. 23(2): suspension for a reasonable time, only after a prior warning."""
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers suspend brands."))
    if not brand.misuse_warned_at:
        raise Invalid(_("Warn the brand before suspending it (DSA Art. 23(3))."), code="not_warned")
    if not 1 <= int(days) <= 365:
        raise Invalid(_("Suspend for 1 to 365 days."), extra={"fields": {"days": [_("1 to 365.")]}})
    until = timezone.now() + timedelta(days=int(days))
    Brand.objects.filter(pk=brand.pk).update(suspended_until=until)
    audit(
        actor=actor,
        action="brand_suspended",
        obj=brand,
        brand=brand,
        note=note,
        data={"until": until.isoformat()},
    )
    brand.refresh_from_db()
    return brand


def brand_trusted_flagger_set(*, actor: Actor, brand: Brand, trusted: bool, designation: str = "") -> Brand:
    if not actor.reviewer:
        raise Forbidden(_("Only reviewers mark trusted flaggers."))
    Brand.objects.filter(pk=brand.pk).update(trusted_flagger=trusted, trusted_flagger_designation=designation)
    audit(
        actor=actor,
        action="trusted_flagger_set" if trusted else "trusted_flagger_unset",
        obj=brand,
        brand=brand,
        note=designation,
    )
    brand.refresh_from_db()
    return brand
