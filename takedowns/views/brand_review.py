"""Brand pages that show claim figures: the brands list and the reviewer's brand page with its actions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.forms import SuspendForm, TrustedFlaggerForm, WarnForm
from brands.models import Brand
from brands.selectors import brand_audit_events, brands_of_member, memberships_of_brand
from brands.services import (
    brand_misuse_warn,
    brand_suspend,
    brand_trusted_flagger_set,
)
from core.errors import DomainError
from core.portal import flash_errors, page_of, require
from core.roles import actor_for
from takedowns.selectors import brand_accuracy, brands_for_review
from takedowns.services.programmes import brand_programme_figures, brand_programmes_recompute


@login_required
def brands(request):
    """Reviewers and compliance: every brand with its programme status. Brand users: the brands they belong to."""
    actor = actor_for(request.user)
    if actor.reviewer or actor.compliance:
        q, programme = request.GET.get("q", ""), request.GET.get("programme", "")
        return render(
            request,
            "brands/brands_review.html",
            {
                "page": page_of(request, brands_for_review(q=q, programme=programme)),
                "q": q,
                "programme": programme,
                "now": timezone.now(),
            },
        )
    require(actor.role in ("none", "brand"))
    return render(request, "brands/brands_mine.html", {"memberships": brands_of_member(actor)})


# --- the reviewer's brand page ------------------------------------------------------------------------------
AUDIT_PAGE_SIZE = 25


@login_required
def brand_detail(request, pk):
    actor = actor_for(request.user)
    if not (actor.reviewer or actor.compliance):
        if pk in actor.brand_ids:
            return redirect("brand-members", pk=pk)
        require(bool(actor.brand_ids))
        raise Http404
    brand = get_object_or_404(Brand, pk=pk)
    now = timezone.now()
    figures = brand_programme_figures([brand.pk], since=now - timedelta(days=90), until=now).get(brand.pk, {})
    return render(
        request,
        "brands/brand.html",
        {
            "brand": brand,
            "now": now,
            "accuracy": brand_accuracy(brand.pk),
            "unfounded": figures.get("unfounded", 0),
            "countered": figures.get("countered", 0),
            "members": memberships_of_brand(brand),
            "events": page_of(request, brand_audit_events(brand), per_page=AUDIT_PAGE_SIZE),
            "suspended": brand.is_suspended(now),
            "warn_form": WarnForm(prefix="warn"),
            "suspend_form": SuspendForm(prefix="suspend"),
            "trusted_form": TrustedFlaggerForm(
                prefix="trusted", initial={"designation": brand.trusted_flagger_designation}
            ),
        },
    )


BRAND_ACTIONS = ("warn", "suspend", "trusted", "untrusted", "recompute")


@login_required
@require_POST
def brand_action(request, pk, name):
    actor = actor_for(request.user)
    require(actor.reviewer)
    if name not in BRAND_ACTIONS:
        raise Http404
    brand = get_object_or_404(Brand, pk=pk)
    try:
        if name == "warn":
            form = WarnForm(request.POST, prefix="warn")
            form.is_valid()
            brand_misuse_warn(actor=actor, brand=brand, note=form.cleaned_data.get("note", ""))
            messages.success(
                request,
                _("%(brand)s was warned. It may be suspended if the misuse goes on.") % {"brand": brand},
            )
        elif name == "suspend":
            form = SuspendForm(request.POST, prefix="suspend")
            if not form.is_valid():
                messages.error(request, _("Give the number of days of the suspension."))
                return redirect("brand", pk=pk)
            brand = brand_suspend(
                actor=actor, brand=brand, days=form.cleaned_data["days"], note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                _("%(brand)s may not file claims until %(until)s.")
                % {
                    "brand": brand,
                    "until": timezone.localtime(brand.suspended_until).strftime("%Y-%m-%d %H:%M"),
                },
            )
        elif name in ("trusted", "untrusted"):
            form = TrustedFlaggerForm(request.POST, prefix="trusted")
            form.is_valid()
            brand = brand_trusted_flagger_set(
                actor=actor,
                brand=brand,
                trusted=name == "trusted",
                designation=form.cleaned_data.get("designation", "") if name == "trusted" else "",
            )
            messages.success(
                request,
                _("%(brand)s is marked as a trusted flagger.") % {"brand": brand}
                if brand.trusted_flagger
                else _("%(brand)s is no longer a trusted flagger.") % {"brand": brand},
            )
        elif name == "recompute":
            changes = brand_programmes_recompute(brand=brand)
            if any(changes.values()):
                messages.success(
                    request,
                    _(
                        "Programme status recomputed: %(admitted)s admitted to good faith, %(removed)s "
                        "removed, %(flagged)s flagged for misuse."
                    )
                    % changes,
                )
            else:
                messages.success(request, _("Programme status recomputed: nothing changed."))
    except DomainError as exc:
        flash_errors(request, exc)
    return redirect("brand", pk=pk)
