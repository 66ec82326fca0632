"""Who is acting: one `Actor` per request, built once, so permission checks cost no further queries.

Roles come from Django groups (reviewer, compliance, platform), brand memberships and merchant links. The
system (workers, deadlines) and a merchant arriving through a signed link are actors too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REVIEWER = "reviewer"
COMPLIANCE = "compliance"
PLATFORM = "platform"
STAFF_GROUPS = (REVIEWER, COMPLIANCE, PLATFORM)


@dataclass(frozen=True)
class Actor:
    user: User | None  # the account acting; None for the system, anonymous visitors and merchant links
    label: str
    is_system: bool = False
    reviewer: bool = False
    compliance: bool = False
    platform: bool = False
    brand_ids: frozenset[int] = field(default_factory=frozenset)  # any membership: may read
    filing_brand_ids: frozenset[int] = field(default_factory=frozenset)  # owner or verified agent
    merchant_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def sees_everything(self) -> bool:
        return self.reviewer or self.compliance or self.is_system

    @property
    def role(self) -> str:
        if self.is_system:
            return "system"
        if self.reviewer:
            return "reviewer"
        if self.compliance:
            return "compliance"
        if self.platform:
            return "platform"
        if self.brand_ids:
            return "brand"
        if self.merchant_ids:
            return "merchant"
        return "none"

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)


SYSTEM = Actor(user=None, label="system", is_system=True)


def actor_for(user) -> Actor:
    """The actor for a user; cached on the user object for the rest of the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Actor(user=None, label="anonymous")
    cached = getattr(user, "_takedown_actor", None)
    if cached is not None:
        return cached
    groups, memberships, merchant_ids = _roles_of(user)
    actor = Actor(
        user=user,
        label=user.get_username(),
        reviewer=REVIEWER in groups or user.is_superuser,
        compliance=COMPLIANCE in groups or user.is_superuser,
        platform=PLATFORM in groups,
        brand_ids=frozenset(b for b, _, _ in memberships),
        filing_brand_ids=frozenset(
            b for b, role, verified in memberships if role == "owner" or (role == "agent" and verified)
        ),
        merchant_ids=frozenset(merchant_ids),
    )
    user._takedown_actor = actor
    return actor


def _roles_of(user) -> tuple[set[str], list[tuple[int, str, bool]], list[int]]:
    """The user's groups, brand memberships and merchants, read in one statement (every request asks; as
    three ORM queries, compiling them cost more than running them)."""
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [user.pk] * 3)
        rows = cursor.fetchall()
    return (
        {name for kind, name, _, _ in rows if kind == "g"},
        [(int(key), role, bool(verified)) for kind, key, role, verified in rows if kind == "b"],
        [int(key) for kind, key, _, _ in rows if kind == "m"],
    )


@functools.cache
def _roles_sql() -> str:
    User = get_user_model()
    groups = User.groups.through._meta.db_table
    memberships = User.brand_memberships.field.model._meta.db_table
    merchants = User.merchants.through._meta.db_table
    return (
        f"SELECT 'g', g.name, '', 0 FROM {Group._meta.db_table} g "
        f"JOIN {groups} ug ON ug.group_id = g.id WHERE ug.user_id = %s "
        f"UNION ALL SELECT 'b', CAST(brand_id AS varchar(20)), role, "
        f"CASE WHEN authorisation_verified THEN 1 ELSE 0 END FROM {memberships} WHERE user_id = %s "
        f"UNION ALL SELECT 'm', CAST(merchant_id AS varchar(20)), '', 0 FROM {merchants} "
        "WHERE user_id = %s"
    )


def merchant_link_actor(merchant_id: int) -> Actor:
    """A merchant who opened the signed link in a takedown notice, without an account."""
    return Actor(user=None, label=f"merchant-link:{merchant_id}", merchant_ids=frozenset({merchant_id}))
