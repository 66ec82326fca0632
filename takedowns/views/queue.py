"""The reviewer's queue, its bulk bar, and the counter-notices waiting for a decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.models import Brand
from core.errors import DomainError
from core.portal import flash_errors, page_of, require
from core.roles import actor_for
from takedowns.forms import RejectForm
from takedowns.models import InfringementType
from takedowns.selectors import (
    claims_visible_to,
    counter_notice_queue,
    queue_counts,
    reviewer_queue,
)
from takedowns.services.transitions import claims_decide

# --- reviewer ---------------------------------------------------------------------------------------------
QUEUE_FILTERS = ("state", "brand", "merchant", "infringement_type", "overdue", "good_faith", "mine", "q")


@login_required
def queue(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    filters = {key: request.GET.get(key, "") for key in QUEUE_FILTERS}
    items = reviewer_queue(actor, filters)
    return render(
        request,
        "takedowns/queue.html",
        {
            "page": page_of(request, items),
            "filters": filters,
            "counts": queue_counts(actor),
            "brands": Brand.objects.order_by("name"),
            "types": InfringementType.choices,
            "now": timezone.now(),
            "reject_form": RejectForm(),
            "active_filters": any(filters.values()),
        },
    )


QUEUE_DECISIONS = ("start_review", "approve", "reject", "request_info")


@login_required
@require_POST
def queue_bulk(request):
    """The bulk bar: one transition on every selected claim, each through the same service as the API."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    ids = [int(i) for i in request.POST.getlist("claim") if i.isdigit()]
    name = request.POST.get("decision", "")
    if not ids:
        messages.error(request, _("Select at least one claim."))
    elif name not in QUEUE_DECISIONS:
        messages.error(request, _("Choose what to do with the selected claims."))
    else:
        visible = list(claims_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        try:
            result = claims_decide(
                actor=actor,
                claim_ids=visible,
                name=name,
                note=request.POST.get("note", ""),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            if result["done"]:
                messages.success(request, _("%(count)s claims decided.") % {"count": len(result["done"])})
            for error in result["errors"]:
                messages.error(request, f"{error['claim']}: {error['detail']}")
    back = request.POST.get("back", "")
    return redirect(
        back
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        else reverse("queue")
    )


@login_required
def counter_notices(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    return render(
        request,
        "takedowns/counter_notices.html",
        {
            "page": page_of(request, counter_notice_queue()),
            "now": timezone.now(),
        },
    )
