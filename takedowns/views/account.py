"""The user's account page: roles and the API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.portal import carries_a_secret
from core.roles import actor_for
from takedowns.services.accounts import api_token_regenerate


@login_required
@carries_a_secret
def account(request):
    actor = actor_for(request.user)
    if request.method == "POST":
        api_token_regenerate(actor=actor)
        messages.success(request, _("A new API token was created; the old one no longer works."))
        return redirect("account")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "takedowns/account.html", {"token": token})
