"""A reviewer's saved views of the queue: a name and the query string of its filters and sort.

The query string is stored as the portal cleaned it (`takedowns.views.queue`), and read again through the
same whitelist when the view is opened, so a stored view can never ask the queue for more than a typed URL.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import Forbidden, Invalid, NotFound
from core.roles import Actor
from takedowns.models import QueueView

# Enough for every way one reviewer slices the queue; a bound so that a script cannot fill the table.
MAX_VIEWS_PER_REVIEWER = 30


def queue_views_of(actor: Actor) -> QuerySet[QueueView]:
    """The actor's own saved views, by name: nobody sees another reviewer's."""
    if actor.user is None:
        return QueueView.objects.none()
    return QueueView.objects.filter(owner=actor.user).order_by("name", "pk")


def queue_view_save(*, actor: Actor, name: str, query: str) -> tuple[QueueView, bool]:
    """Save the view under `name`, replacing the actor's view of that name if there is one. Returns the view
    and whether it is new."""
    owner = actor.user
    if not actor.reviewer or owner is None:
        raise Forbidden(_("Only reviewers save views of the queue."), code="permission_denied")
    name = name.strip()
    if not name:
        raise Invalid(_("Give the view a name."), code="name_required")
    with transaction.atomic():
        # One save at a time per reviewer (a lock of the reviewer's own user row): two saves cannot both pass
        # the bound, and two saves of one name find each other instead of meeting the unique constraint.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
        existing = list(QueueView.objects.filter(owner=owner))
        same = next((view for view in existing if view.name == name), None)
        if same is not None:
            same.query = query
            same.save(update_fields=["query"])
            return same, False
        if len(existing) >= MAX_VIEWS_PER_REVIEWER:
            raise Invalid(
                _("You have %(count)s saved views, the most there can be: delete one first.")
                % {"count": len(existing)},
                code="too_many_views",
            )
        return QueueView.objects.create(owner=owner, name=name, query=query), True


def queue_view_delete(*, actor: Actor, view_id: int) -> QueueView:
    """Delete one of the actor's views; another reviewer's view is not found (404), never forbidden."""
    view = queue_views_of(actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("No such saved view."))
    view.delete()
    return view
