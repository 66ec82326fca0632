"""API tokens: stored only as a hash, with an expiry, and revoked when the password changes (django-rest-knox).

A token is shown once, when it is issued; afterwards nobody, the holder included, can read it back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
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


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's token check without its sweep: knox reads every token of the user on every request to delete
    the expired ones (one query, and as many rows as the user has tokens); here only the token presented is
    checked for expiry, and `api_tokens_purge_expired` (hourly, Celery beat) deletes the rest."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes this check as knox's (`Authorization: Token …`)."""

    target_class = "core.tokens.TokenAuthentication"


def api_tokens_purge_expired(now=None) -> int:
    """Delete the tokens past their expiry; how many."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted
