"""Brand pages that need nothing of claims: registering, members, details, IP rights, verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.forms import BrandEditForm, BrandForm, IPRightForm, MemberForm
from brands.models import Brand, BrandMembership, IPRight
from brands.selectors import agents_to_verify, ip_rights_to_verify, ip_rights_visible_to, memberships_of_brand
from brands.services import (
    agent_authorisation_verify,
    brand_create,
    brand_update,
    ip_right_create,
    ip_right_verify,
    may_change_brand,
    membership_add,
    membership_remove,
)
from core.errors import DomainError
from core.files import file_response
from core.portal import error_messages, flash_errors, page_of, require
from core.roles import actor_for


# --- brands: registration, the list, members ----------------------------------------------------------------
@login_required
def brand_new(request):
    """A signed-in person with no role yet, or a brand user registering another brand: they become its owner."""
    actor = actor_for(request.user)
    require(actor.role in ("none", "brand"))
    form = BrandForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            brand = brand_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(
                request,
                _(
                    "%(brand)s is registered and you are its owner. Next, register an IP right "
                    "with its certificate."
                )
                % {"brand": brand.name},
            )
            return redirect("ip-right-new")
    return render(request, "brands/brand_new.html", {"form": form, "problems": problems})


def _member_brand(actor, pk) -> Brand:
    """A brand the actor belongs to; another brand is a 404, as for every object of another tenant."""
    if pk not in actor.brand_ids:
        raise Http404
    return get_object_or_404(Brand, pk=pk)


@login_required
def brand_members(request, pk):
    actor = actor_for(request.user)
    if actor.reviewer and pk not in actor.brand_ids:
        return redirect("brand", pk=pk)
    require(bool(actor.brand_ids))
    brand = _member_brand(actor, pk)
    is_owner = _is_owner(request.user, brand)
    form = MemberForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(
                actor=actor,
                brand=brand,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                authorisation_letter=form.cleaned_data["authorisation_letter"],
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            if membership.role == BrandMembership.Role.AGENT:
                text = _("%(user)s was added as an agent. They may file once a reviewer verifies the letter.")
            else:
                text = _("%(user)s was added as %(role)s.")
            messages.success(request, text % {"user": membership.user, "role": membership.get_role_display()})
            return redirect("brand-members", pk=brand.pk)
    return render(
        request,
        "brands/members.html",
        {
            "brand": brand,
            "members": memberships_of_brand(brand),
            "form": form,
            "problems": problems,
            "is_owner": is_owner,
            "can_edit": may_change_brand(actor, brand),
        },
    )


def _is_owner(user, brand) -> bool:
    return BrandMembership.objects.filter(brand=brand, user=user, role=BrandMembership.Role.OWNER).exists()


@login_required
def brand_edit(request, pk):
    """The brand's details (website, contact e-mail for merchants, language of its notices)."""
    actor = actor_for(request.user)
    require(bool(actor.brand_ids))
    brand = _member_brand(actor, pk)
    require(may_change_brand(actor, brand))  # owners only, as the service: agents are refused too
    form = BrandEditForm(request.POST or None, instance=brand)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            brand_update(
                actor=actor,
                brand=Brand.objects.get(pk=brand.pk),
                data={key: form.cleaned_data[key] for key in BrandEditForm.Meta.fields},
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(request, _("The details of %(brand)s were saved.") % {"brand": brand.name})
            return redirect("brand-members", pk=brand.pk)
    return render(request, "brands/brand_edit.html", {"brand": brand, "form": form, "problems": problems})


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    """An owner removes a member; the service keeps the last owner and says so."""
    actor = actor_for(request.user)
    require(bool(actor.brand_ids))
    brand = _member_brand(actor, pk)
    membership = get_object_or_404(BrandMembership.objects.select_related("user"), pk=member_pk, brand=brand)
    try:
        membership_remove(actor=actor, membership=membership)
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(user)s no longer belongs to %(brand)s.") % {"user": membership.user, "brand": brand.name},
        )
        if membership.user_id == request.user.pk:
            return redirect("brands")  # an owner who left no longer sees the brand's members
    return redirect("brand-members", pk=brand.pk)


@login_required
def ip_rights(request):
    actor = actor_for(request.user)
    require(bool(actor.brand_ids) or actor.sees_everything)
    rights = ip_rights_visible_to(actor).order_by("brand__name", "mark")
    status = request.GET.get("status", "")
    if status in IPRight.Status.values:
        rights = rights.filter(status=status)
    return render(
        request,
        "brands/ip_rights.html",
        {
            "page": page_of(request, rights),
            "status": status,
            "statuses": IPRight.Status.choices,
            "today": timezone.localdate(),
            "can_add": bool(actor.filing_brand_ids),
        },
    )


@login_required
def ip_right_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    brands = Brand.objects.filter(pk__in=actor.filing_brand_ids).order_by("name")
    form = IPRightForm(request.POST or None, request.FILES or None, brands=brands)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            right = ip_right_create(
                actor=actor,
                brand=form.cleaned_data["brand"],
                data=form.right_data(),
                certificate=form.cleaned_data["certificate"],
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(
                request,
                _("%(right)s was registered. A reviewer will verify it against the certificate.")
                % {"right": right},
            )
            return redirect("ip-rights")
    return render(request, "brands/ip_right_new.html", {"form": form, "problems": problems})


@login_required
def certificate(request, pk):
    actor = actor_for(request.user)
    right = get_object_or_404(ip_rights_visible_to(actor).exclude(certificate=""), pk=pk)
    return file_response(right.certificate)


@login_required
def verification_queue(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    return render(
        request,
        "brands/verification_queue.html",
        {
            "rights": ip_rights_to_verify(),
            "agents": agents_to_verify(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def ip_right_decide(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    right = get_object_or_404(IPRight, pk=pk)
    try:
        ip_right_verify(
            actor=actor,
            ip_right=right,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        right.refresh_from_db()
        messages.success(
            request,
            _("%(right)s is now %(status)s.") % {"right": right, "status": right.get_status_display()},
        )
    return redirect("verification-queue")


@login_required
@require_POST
def agent_verify(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    membership = get_object_or_404(BrandMembership, pk=pk)
    try:
        agent_authorisation_verify(actor=actor, membership=membership, note=request.POST.get("note", ""))
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(user)s may now file for %(brand)s.") % {"user": membership.user, "brand": membership.brand},
        )
    return redirect("verification-queue")


@login_required
def authorisation_letter(request, pk):
    """Reviewers open every letter; a brand's owners open their own agents' letters (another brand's is a 404)."""
    actor = actor_for(request.user)
    require(actor.reviewer or bool(actor.brand_ids))
    membership = get_object_or_404(BrandMembership.objects.exclude(authorisation_letter=""), pk=pk)
    if not actor.reviewer and not (
        membership.brand_id in actor.brand_ids and _is_owner(request.user, membership.brand)
    ):
        raise Http404
    return file_response(membership.authorisation_letter)
