"""Portal pages for merchants as reviewers see them: strike history, ban and lift ban."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.portal import flash_errors, page_of, require
from core.roles import actor_for
from merchants.models import Merchant, identifier_label
from takedowns.models import BanHold
from takedowns.selectors import (
    held_decisions,
    merchant_history,
    merchants_for_review,
    network_detail,
    networks_for_review,
)
from takedowns.services.bans import ban_hold_decide, merchant_ban, merchant_lift_ban

# The second reviewer's buttons: the held action each decides, and whether it confirms.
HOLD_DECISIONS = {
    "confirm-ban": (BanHold.Action.BAN, True),
    "decline-ban": (BanHold.Action.BAN, False),
    "confirm-lift-ban": (BanHold.Action.LIFT, True),
    "decline-lift-ban": (BanHold.Action.LIFT, False),
}


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
    held = held_decisions().filter(merchant=merchant).first()
    return render(
        request,
        "merchants/merchant.html",
        {
            "merchant": merchant,
            "held": held,
            "evasion_kinds": [identifier_label(k) for k in merchant.evasion_kinds],
            "network_size": Merchant.objects.filter(network_id=merchant.network_id).count()
            if merchant.network_id
            else 0,
            "may_decide_held": held is not None
            and actor.reviewer
            and (held.requested_by_id is None or held.requested_by_id != actor.user_id),
            **merchant_history(merchant),
        },
    )


@login_required
def held(request):
    """The reviewer's "Held for second approval" tab: bans and liftings waiting for a second reviewer."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    return render(request, "takedowns/held.html", {"page": page_of(request, held_decisions())})


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
            merchant = merchant_ban(merchant=merchant, actor=actor, reason=note)
            if merchant.status == Merchant.Status.BAN_PENDING:
                messages.warning(
                    request,
                    _(
                        "The ban of %(name)s is held for a second reviewer: nothing is removed until one confirms it."
                    )
                    % {"name": merchant.name},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s is banned and its active listings were removed.") % {"name": merchant.name},
                )
        elif name == "lift-ban":
            merchant_lift_ban(merchant=merchant, actor=actor, note=note)
            merchant.refresh_from_db()
            if merchant.status == Merchant.Status.BANNED:
                messages.warning(
                    request,
                    _("Lifting the ban of %(name)s is held for a second reviewer.") % {"name": merchant.name},
                )
            else:
                messages.success(request, _("The ban on %(name)s was lifted.") % {"name": merchant.name})
        elif name in HOLD_DECISIONS:
            action, confirm = HOLD_DECISIONS[name]
            ban_hold_decide(merchant=merchant, actor=actor, action=action, confirm=confirm, note=note)
            messages.success(
                request,
                _("Confirmed: %(name)s is now %(status)s.")
                % {"name": merchant.name, "status": _status(merchant)}
                if confirm
                else _("Declined: %(name)s is now %(status)s.")
                % {"name": merchant.name, "status": _status(merchant)},
            )
    except DomainError as exc:
        flash_errors(request, exc)
    return redirect("merchant", pk=pk)


def _status(merchant: Merchant) -> str:
    merchant.refresh_from_db()
    return str(merchant.get_status_display()).lower()


# --- seller networks (docs/intelligence.md) ---------------------------------------------------------------
@login_required
def networks(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    banned_only = request.GET.get("banned") == "1"
    return render(
        request,
        "merchants/networks.html",
        {"page": page_of(request, networks_for_review(banned_only=banned_only)), "banned_only": banned_only},
    )


@login_required
def network(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    detail = network_detail(pk)
    if detail is None:
        raise Http404
    names = {m.pk: m.name for m in detail["members"]}
    links = [{**link, "names": sorted(names[m] for m in link["merchants"])} for link in detail["links"]]
    return render(request, "merchants/network.html", {"network": detail, "links": links})
