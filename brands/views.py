"""Portal pages for IP rights: the brand registers them, a reviewer verifies them. Writes call
`brands.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takedowns import portal_selectors
from takedowns.errors import DomainError
from takedowns.forms import IPRightForm
from takedowns.roles import actor_for
from takedowns.selectors import ip_rights_visible_to
from takedowns.views import error_messages, flash_errors, page_of, require

from .models import Brand, BrandMembership, IPRight
from .services import agent_authorisation_verify, ip_right_create, ip_right_verify


@login_required
def ip_rights(request):
    actor = actor_for(request.user)
    require(bool(actor.brand_ids) or actor.sees_everything)
    rights = ip_rights_visible_to(actor).order_by("brand__name", "mark")
    status = request.GET.get("status", "")
    if status in IPRight.Status.values:
        rights = rights.filter(status=status)
    return render(request, "brands/ip_rights.html", {
        "page": page_of(request, rights), "status": status, "statuses": IPRight.Status.choices,
        "today": timezone.localdate(), "can_add": bool(actor.filing_brand_ids),
    })


@login_required
def ip_right_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    brands = Brand.objects.filter(pk__in=actor.filing_brand_ids).order_by("name")
    form = IPRightForm(request.POST or None, request.FILES or None, brands=brands)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            right = ip_right_create(actor=actor, brand=form.cleaned_data["brand"], data=form.right_data(),
                                    certificate=form.cleaned_data["certificate"])
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(request, _("%(right)s was registered. A reviewer will verify it against the certificate.")
                             % {"right": right})
            return redirect("ip-rights")
    return render(request, "brands/ip_right_new.html", {"form": form, "problems": problems})


@login_required
def certificate(request, pk):
    actor = actor_for(request.user)
    right = get_object_or_404(ip_rights_visible_to(actor).exclude(certificate=""), pk=pk)
    return FileResponse(right.certificate.open("rb"), as_attachment=False, filename=right.certificate.name.rsplit("/", 1)[-1])


@login_required
def verification_queue(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    return render(request, "brands/verification_queue.html", {
        "rights": portal_selectors.ip_rights_to_verify(), "agents": portal_selectors.agents_to_verify(),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def ip_right_decide(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    right = get_object_or_404(IPRight, pk=pk)
    try:
        ip_right_verify(actor=actor, ip_right=right, decision=request.POST.get("decision", ""), note=request.POST.get("note", ""))
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        right.refresh_from_db()
        messages.success(request, _("%(right)s is now %(status)s.") % {"right": right, "status": right.get_status_display()})
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
        messages.success(request, _("%(user)s may now file for %(brand)s.") % {"user": membership.user, "brand": membership.brand})
    return redirect("verification-queue")


@login_required
def authorisation_letter(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    membership = get_object_or_404(BrandMembership.objects.exclude(authorisation_letter=""), pk=pk)
    return FileResponse(membership.authorisation_letter.open("rb"), as_attachment=False,
                        filename=membership.authorisation_letter.name.rsplit("/", 1)[-1])
