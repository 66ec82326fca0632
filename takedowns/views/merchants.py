"""Portal pages for merchants as reviewers see them: strike history, ban and lift ban."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.portal import flash_errors, page_of, require
from core.roles import actor_for
from merchants.models import Merchant
from takedowns.selectors import merchant_history, merchants_for_review
from takedowns.services.bans import merchant_ban, merchant_lift_ban


@login_required
def merchants(request):
    actor = actor_for(request.user)
    require(actor.reviewer or actor.compliance)
    q, status = request.GET.get("q", ""), request.GET.get("status", "")
    items = merchants_for_review(q=q, status=status if status in Merchant.Status.values else "")
    return render(
        request,
        "merchants/merchants.html",
        {
            "page": page_of(request, items),
            "q": q,
            "status": status,
            "statuses": Merchant.Status.choices,
        },
    )


@login_required
def merchant_detail(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer or actor.compliance)
    merchant = get_object_or_404(Merchant, pk=pk)
    return render(request, "merchants/merchant.html", {"merchant": merchant, **merchant_history(merchant)})


@login_required
@require_POST
def merchant_action(request, pk, name):
    actor = actor_for(request.user)
    # merchant_ban also serves the system's automatic ban, so the portal checks the reviewer role here.
    require(actor.reviewer)
    merchant = get_object_or_404(Merchant, pk=pk)
    note = request.POST.get("note", "").strip()
    try:
        if name == "ban":
            merchant_ban(merchant=merchant, actor=actor, reason=note)
            messages.success(
                request,
                _("%(name)s is banned and its active listings were removed.") % {"name": merchant.name},
            )
        elif name == "lift-ban":
            merchant_lift_ban(merchant=merchant, actor=actor, note=note)
            messages.success(request, _("The ban on %(name)s was lifted.") % {"name": merchant.name})
    except DomainError as exc:
        flash_errors(request, exc)
    return redirect("merchant", pk=pk)
