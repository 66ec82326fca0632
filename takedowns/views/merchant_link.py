"""The merchant's page behind the signed link in a takedown notice: no account needed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.files import file_response
from core.portal import carries_a_secret, error_messages
from core.roles import merchant_link_actor
from takedowns import decisions
from takedowns.forms import CounterNoticeForm
from takedowns.models import CounterNotice
from takedowns.selectors import claim_detail as claim_detail_qs
from takedowns.selectors import counter_evidence_visible_to
from takedowns.services.notices import merchant_link_read
from takedowns.services.transitions import available_transitions
from takedowns.views.claims import counter_documents_add, counter_notice_file, merchant_page_context


# --- the merchant's signed link -----------------------------------------------------------------------------
def _linked_claim(token):
    """(claim, merchant id) behind a signed link; Http404 when the link is forged, expired or the claim is not
    the merchant's to see."""
    claim_id, merchant_id = merchant_link_read(token)
    claim = get_object_or_404(
        claim_detail_qs(merchant_link_actor(merchant_id)),
        pk=claim_id,
        listing__merchant_id=merchant_id,
    )
    return claim, merchant_id


@carries_a_secret
def merchant_claim(request, token):
    try:
        claim, merchant_id = _linked_claim(token)
    except DomainError as exc:
        return render(request, "takedowns/merchant_link_invalid.html", {"message": exc.detail}, status=404)
    # Bound on every POST: an empty one is an invalid form that lists what is missing, never a 500.
    form = CounterNoticeForm(request.POST if request.method == "POST" else None)
    problems = []
    if request.method == "POST":
        try:
            counter_notice_file(
                actor=merchant_link_actor(merchant_id), claim=claim, post=request.POST, files=request.FILES
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(
                request, _("Your counter-notice was filed. The rights holder has been sent a copy.")
            )
            return redirect("merchant-claim", token=token)
    return render(
        request,
        "takedowns/merchant_claim.html",
        {
            "claim": claim,
            "counter_form": form,
            "problems": problems,
            "token": token,
            "counter_notices": claim.counter_notices.all(),
            "pending_counter": next(
                (c for c in claim.counter_notices.all() if c.outcome == CounterNotice.Outcome.PENDING), None
            ),
            "window_ends": claim.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS)
            if claim.taken_down_at
            else None,
            "transitions": available_transitions(claim, merchant_link_actor(merchant_id)),
            "decision": decisions.for_merchant(claim),
            **merchant_page_context(claim),
        },
    )


@carries_a_secret
@require_POST
def merchant_claim_documents(request, token):
    try:
        claim, merchant_id = _linked_claim(token)
    except DomainError as exc:
        return render(request, "takedowns/merchant_link_invalid.html", {"message": exc.detail}, status=404)
    counter_documents_add(request, actor=merchant_link_actor(merchant_id), claim=claim)
    return redirect("merchant-claim", token=token)


@carries_a_secret
def merchant_claim_document(request, token, pk):
    try:
        claim, merchant_id = _linked_claim(token)
    except DomainError as exc:
        raise Http404 from exc
    item = get_object_or_404(
        counter_evidence_visible_to(merchant_link_actor(merchant_id)),
        pk=pk,
        counter_notice__claim_id=claim.pk,
    )
    return file_response(item.file)
