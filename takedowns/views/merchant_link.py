"""The merchant's page behind the signed link in a takedown notice: no account needed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.portal import carries_a_secret, error_messages
from core.roles import merchant_link_actor
from takedowns.forms import CounterNoticeForm
from takedowns.models import CounterNotice, S
from takedowns.selectors import claim_detail as claim_detail_qs
from takedowns.services.notices import merchant_link_read
from takedowns.services.transitions import claim_transition


# --- the merchant's signed link -----------------------------------------------------------------------------
@carries_a_secret
def merchant_claim(request, token):
    try:
        claim_id, merchant_id = merchant_link_read(token)
    except DomainError as exc:
        return render(request, "takedowns/merchant_link_invalid.html", {"message": exc.detail}, status=404)
    claim = get_object_or_404(
        claim_detail_qs(merchant_link_actor(merchant_id)),
        pk=claim_id,
        listing__merchant_id=merchant_id,
    )
    # Bound on every POST: an empty one is an invalid form that lists what is missing, never a 500.
    form = CounterNoticeForm(request.POST if request.method == "POST" else None)
    problems = []
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        try:
            claim_transition(
                claim_id=claim.pk,
                name="counter_notice",
                actor=merchant_link_actor(merchant_id),
                note=data.get("statement", ""),
                reason=data.get("reason", ""),
                data={"good_faith": data.get("good_faith", False), "signature": data.get("signature", "")},
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
            "transitions": ["counter_notice"] if claim.state == S.TAKEN_DOWN else [],
        },
    )
