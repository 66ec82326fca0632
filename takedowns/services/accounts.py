"""API tokens for the portal's account page."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from core.audit import audit
from core.roles import Actor


def api_token_regenerate(*, actor: Actor) -> Token:
    """A new API token; the old one stops working at once. Audited: a leaked token is a security event."""
    assert actor.user is not None, "the account page is login_required: its actor is always a signed-in user"
    with transaction.atomic():
        Token.objects.filter(user=actor.user).delete()
        token = Token.objects.create(user=actor.user)
        audit(actor=actor, action="api_token_regenerated", obj=actor.user)
    return token
