"""API tokens: stored only as a hash, with an expiry, and revoked when the password changes (django-rest-knox).

A token is shown once, when it is issued; afterwards nobody, the holder included, can read it back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from knox.models import AuthToken

from core.audit import audit
from core.roles import Actor


def api_token_issue(*, user) -> tuple[str, datetime | None]:
    """A new token for `user` (the other tokens keep working): the token and when it expires."""
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def api_token_regenerate(*, actor: Actor) -> tuple[str, datetime | None]:
    """Revoke every token of the actor and issue one new one. Audited: a leaked token is a security event."""
    assert actor.user is not None, "the account page is login_required: its actor is always a signed-in user"
    with transaction.atomic():
        AuthToken.objects.filter(user=actor.user).delete()
        token = api_token_issue(user=actor.user)
        audit(actor=actor, action="api_token_regenerated", obj=actor.user)
    return token


def api_tokens_revoke(*, user_id: int) -> int:
    """Every token of the user stops working (a password change, a reset)."""
    deleted, _ = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted
