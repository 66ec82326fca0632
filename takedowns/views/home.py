"""The start page: each role goes to its own place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from core.roles import actor_for


# --- landing and account ----------------------------------------------------------------------------------
@login_required
def home(request):
    actor = actor_for(request.user)
    if actor.reviewer:
        return redirect("queue")
    if actor.compliance:
        return redirect("reports")
    if actor.brand_ids:
        return redirect("dashboard")
    if actor.merchant_ids:
        return redirect("claims")
    return redirect("account")
