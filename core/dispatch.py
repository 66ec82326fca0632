"""The one way the apps send Celery tasks: by name, after the transaction commits, never failing the caller.

Every piece of background work has a sweep that finds it again from the database (pending notices,
approved claims not yet enforced, stalled batches, pending exports), so a broker outage only delays it:
sending is best effort, and losing a send is logged, never raised into a request.
"""

from __future__ import annotations

import logging

from celery import current_app  # the project's app: config/__init__.py makes it current
from django.db import transaction

log = logging.getLogger(__name__)


def _registered(name: str):
    # Celery discovers the apps' `tasks` modules only when a worker starts; a web process sends tasks by
    # name without importing them, so the first send here imports them the way a worker would.
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def task_send(name: str, *args, queue: str | None = None, countdown: int | None = None) -> bool:
    """Send the registered task `name` now. False (and a warning) when the broker cannot be reached."""
    try:
        _registered(name).apply_async(args, queue=queue, countdown=countdown)
    except Exception:  # the broker is down: the task's sweep will find the work again
        log.warning("could not queue %s%s; its sweep will retry", name, args, exc_info=True)
        return False
    return True


def task_send_on_commit(name: str, *args, queue: str | None = None) -> None:
    """Send the task once the caller's transaction commits, so the worker finds the rows it was sent for."""
    transaction.on_commit(lambda: task_send(name, *args, queue=queue))
