"""The reviewer's queue, its bulk bar, and the counter-notices waiting for a decision."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
            # The claims the bulk bar could not decide stay selected, to decide again in one go.
            "selected": {int(i) for i in request.GET.get("selected", "").split(",") if i.isdigit()},
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
    reason = request.POST.get("reason", "")
    kept: list[int] = ids  # what stays selected on the way back: everything, unless some were decided
    if not ids:
        messages.error(request, _("Select at least one claim."))
    elif name not in QUEUE_DECISIONS:
        messages.error(request, _("Choose what to do with the selected claims."))
    elif name == "reject" and not reason:
        # Said once for the batch, before any claim is tried (each would refuse for the same reason).
        messages.error(request, _("Choose the reason for rejecting the selected claims."))
    else:
        seen = set(claims_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        visible = [pk for pk in ids if pk in seen]  # in the order of the page
        try:
            result = claims_decide(
                actor=actor, claim_ids=visible, name=name, note=request.POST.get("note", ""), reason=reason
            )
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            if result["done"]:
                count = len(result["done"])
                messages.success(
                    request,
                    ngettext("%(count)s claim decided.", "%(count)s claims decided.", count)
                    % {"count": count},
                )
            by_reason: dict[str, list[str]] = {}
            for error in result["errors"]:
                by_reason.setdefault(str(error["detail"]), []).append(str(error["claim"]))
            for detail, references in by_reason.items():
                messages.error(
                    request,
                    ngettext(
                        "%(count)s claim was not decided: %(detail)s (%(claims)s)",
                        "%(count)s claims were not decided: %(detail)s (%(claims)s)",
                        len(references),
                    )
                    % {"count": len(references), "detail": detail, "claims": ", ".join(references)},
                )
            kept = [error["id"] for error in result["errors"]]
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("queue")
    if kept:
        parts = urlsplit(back)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "selected"]
        query.append(("selected", ",".join(str(i) for i in kept)))
        back = urlunsplit(parts._replace(query=urlencode(query)))
    return redirect(back)


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
