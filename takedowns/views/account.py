"""The user's account page: roles and the API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from knox.models import AuthToken

from core.portal import carries_a_secret
from core.roles import actor_for
from core.tokens import api_token_regenerate


@login_required
@carries_a_secret
def account(request):
    actor = actor_for(request.user)
    issued = None
    if request.method == "POST":
        # Shown in this response only: the token is stored as a hash and cannot be shown again.
        token, expiry = api_token_regenerate(actor=actor)
        issued = {"token": token, "expiry": expiry}
        messages.success(request, _("A new API token was created; the old ones no longer work."))
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    return render(request, "takedowns/account.html", {"issued": issued, "tokens": tokens})
