"""The reviewer's queue, its bulk bar, and the counter-notices waiting for a decision."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
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
from takedowns.forms import AssignForm, QueueViewForm, RejectForm, reviewer_label
from takedowns.models import InfringementType, QueueView
from takedowns.selectors import (
    claims_visible_to,
    counter_notice_queue,
    queue_counts,
    reviewer_queue,
)
from takedowns.services.assignment import (
    claim_assign,
    claim_take_next_unassigned,
    claims_assign,
    reviewers_assignable,
)
from takedowns.services.queue_views import queue_view_delete, queue_view_save, queue_views_of
from takedowns.services.transitions import claims_decide

# --- reviewer ---------------------------------------------------------------------------------------------
QUEUE_FILTERS = ("state", "brand", "merchant", "infringement_type", "overdue", "good_faith", "mine", "q")
# Whose claims: mine, nobody's, or everyone's (empty).
QUEUE_WHO = ("mine", "unassigned")
# The columns a reviewer may sort by, and what each sorts on; anything else keeps the queue's own order
# (`queue_for_reviewer`: priority, then due time). Empty values sort last either way, and the claim's id breaks
# ties, so a sorted queue pages through every claim exactly once.
QUEUE_SORTS = {
    "sla": "due_at",
    "reference": "reference",
    "state": "state",
    "brand": "brand__name",
    "listing": "listing__title",
    "merchant": "listing__merchant__name",
    "type": "infringement_type",
    "evidence": "evidence_count",
    "reviewer": "assignee__username",
}
# What a saved view keeps of the page's query string: the filters, whose claims, the sort; never the page
# or the selection.
QUEUE_VIEW_KEYS = (*QUEUE_FILTERS, "who", "sort")


def _sorted(items, sort: str):
    field = QUEUE_SORTS.get(sort.removeprefix("-"))
    if field is None:
        return items
    order = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return items.order_by(order, "pk")


def queue_query(pairs) -> str:
    """The query string of a queue page, cut to what a saved view keeps (known keys with a value)."""
    kept = [(key, value) for key, value in pairs if key in QUEUE_VIEW_KEYS and value]
    return urlencode(kept)


@login_required
def queue(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    filters = {key: request.GET.get(key, "") for key in QUEUE_FILTERS}
    who = request.GET.get("who", "")
    who = who if who in QUEUE_WHO else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort.removeprefix("-") in QUEUE_SORTS else ""
    items = reviewer_queue(actor, {**filters, "mine": filters["mine"] or (who == "mine")})
    if who == "unassigned":
        items = items.filter(assignee__isnull=True)
    items = _sorted(items, sort)
    assignees = list(reviewers_assignable())
    return render(
        request,
        "takedowns/queue.html",
        {
            "page": page_of(request, items),
            "filters": filters,
            "who": who,
            "sort": sort,
            "counts": queue_counts(actor),
            "brands": Brand.objects.order_by("name"),
            "types": InfringementType.choices,
            "now": timezone.now(),
            "reject_form": RejectForm(),
            "assignees": [(user.pk, reviewer_label(user)) for user in assignees],
            "nobody": NOBODY,
            "views": queue_views_of(actor),
            "view_query": queue_query(request.GET.items()),
            "active_filters": any(filters.values()) or bool(who),
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
    ids = _selected_ids(request)
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
            count = len(result["done"])
            _flash_refusals(
                request,
                result["errors"],
                ngettext("%(count)s claim decided.", "%(count)s claims decided.", count) % {"count": count},
                count,
                lambda n: ngettext(
                    "%(count)s claim was not decided: %(detail)s (%(claims)s)",
                    "%(count)s claims were not decided: %(detail)s (%(claims)s)",
                    n,
                ),
            )
            kept = [error["id"] for error in result["errors"]]
    return _back_to_queue(request, kept)


def _back_to_queue(request, kept: list[int]):
    """Back to the queue page the bulk bar was sent from, with the claims in `kept` still selected."""
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("queue")
    parts = urlsplit(back)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "selected"]
    if kept:
        query.append(("selected", ",".join(str(i) for i in kept)))
    return redirect(urlunsplit(parts._replace(query=urlencode(query))))


def _flash_refusals(request, errors: list[dict], done_message: str, done_count: int, refused) -> None:
    """One sentence for what was done, and one per reason for the claims refused, with their references;
    `refused(n)` is the sentence for n claims, with `count`, `detail` and `claims` to fill in."""
    if done_count:
        messages.success(request, done_message)
    by_reason: dict[str, list[str]] = {}
    for error in errors:
        by_reason.setdefault(str(error["detail"]), []).append(str(error["claim"]))
    for detail, references in by_reason.items():
        messages.error(
            request,
            refused(len(references))
            % {"count": len(references), "detail": detail, "claims": ", ".join(references)},
        )


def _selected_ids(request) -> list[int]:
    """The claims ticked in the bulk bar, in the page's order; anything that is not a row id is left out."""
    return [int(i) for i in request.POST.getlist("claim") if i.isdigit() and len(i) < 19]


# The bulk bar's choice that gives the selected claims back to the queue ("" is no choice at all).
NOBODY = "nobody"


def _assignee_id(request) -> tuple[bool, int | None]:
    """The reviewer chosen in the bulk bar: (chosen, id); `NOBODY` is chosen, with no id."""
    raw = request.POST.get("assignee", "").strip()
    if raw == NOBODY:
        return True, None
    if raw.isdigit() and len(raw) < 19:
        return True, int(raw)
    return False, None


@login_required
@require_POST
def queue_assign(request):
    """The bulk bar's "Assign to": every selected claim to one reviewer (or back to the queue)."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    ids = _selected_ids(request)
    valid, assignee_id = _assignee_id(request)
    kept: list[int] = ids
    if not ids:
        messages.error(request, _("Select at least one claim."))
    elif not valid:
        messages.error(request, _("Choose the reviewer to assign the selected claims to."))
    else:
        seen = set(claims_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        try:
            result = claims_assign(
                actor=actor, claim_ids=[pk for pk in ids if pk in seen], assignee_id=assignee_id
            )
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            count = len(result["done"])
            done = (
                ngettext(
                    "%(count)s claim assigned to %(name)s.", "%(count)s claims assigned to %(name)s.", count
                )
                % {"count": count, "name": reviewer_label(result["done"][0].assignee)}
                if count and assignee_id is not None
                else ngettext(
                    "%(count)s claim put back in the queue, assigned to nobody.",
                    "%(count)s claims put back in the queue, assigned to nobody.",
                    count,
                )
                % {"count": count}
            )
            _flash_refusals(
                request,
                result["errors"],
                done,
                count,
                lambda n: ngettext(
                    "%(count)s claim was not assigned: %(detail)s (%(claims)s)",
                    "%(count)s claims were not assigned: %(detail)s (%(claims)s)",
                    n,
                ),
            )
            kept = [error["id"] for error in result["errors"]]
    return _back_to_queue(request, kept)


@login_required
@require_POST
def queue_next(request):
    """ "Next unassigned": the first claim nobody has, in the queue's order, becomes mine and opens."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    claim = claim_take_next_unassigned(actor=actor)
    if claim is None:
        messages.info(request, _("No unassigned claim is waiting: every open claim has a reviewer."))
        return redirect("queue")
    messages.success(request, _("%(claim)s is now assigned to you.") % {"claim": claim.reference or claim.pk})
    return redirect("claim", claim.pk)


@login_required
def claim_assign_page(request, pk):
    """Give one claim to a colleague, from its review page."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    claim = get_object_or_404(claims_visible_to(actor).select_related("assignee"), pk=pk)
    form = AssignForm(
        request.POST or None, reviewers=reviewers_assignable(), initial={"assignee": claim.assignee_id}
    )
    if request.method == "POST" and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            claim = claim_assign(actor=actor, claim_id=claim.pk, assignee_id=getattr(assignee, "pk", None))
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            if assignee is None:
                messages.success(
                    request,
                    _("%(claim)s is back in the queue, assigned to nobody.") % {"claim": claim.reference},
                )
            else:
                messages.success(
                    request,
                    _("%(claim)s is now assigned to %(name)s.")
                    % {"claim": claim.reference, "name": reviewer_label(assignee)},
                )
            return redirect("claim", claim.pk)
    return render(request, "takedowns/claim_assign.html", {"claim": claim, "form": form})


@login_required
@require_POST
def queue_view_save_view(request):
    """Save the queue page's filters and sort under a name (the same name again replaces that view)."""
    actor = actor_for(request.user)
    require(actor.reviewer)
    form = QueueViewForm(request.POST)
    query = queue_query(parse_qsl(request.POST.get("query", "")))
    back = reverse("queue") + (f"?{query}" if query else "")
    if len(query) > QueueView._meta.get_field("query").max_length:
        messages.error(request, _("The view was not saved: its filters are too long."))
        return redirect("queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("The view was not saved: %(error)s") % {"error": error})
        return redirect(back)
    try:
        view, created = queue_view_save(actor=actor, name=form.cleaned_data["name"], query=query)
    except DomainError as exc:
        flash_errors(request, exc)
        return redirect(back)
    message = _("View “%(name)s” saved.") if created else _("View “%(name)s” updated.")
    messages.success(request, message % {"name": view.name})
    return redirect(reverse("queue") + (f"?{view.query}" if view.query else ""))


@login_required
@require_POST
def queue_view_delete_view(request, pk):
    actor = actor_for(request.user)
    require(actor.reviewer)
    try:
        view = queue_view_delete(actor=actor, view_id=pk)
    except DomainError as exc:
        raise Http404(exc.detail) from exc
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("queue")


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
