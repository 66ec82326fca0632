import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("takedown_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task=None, **kwargs) -> None:
    """Around each task, what Django does around each request: close a connection that is broken or older
    than CONN_MAX_AGE, and check a kept one before it is used (after a database restart the task reconnects).

    Celery's own Django fixup would close every connection before and after every task, so each task
    opened a new PostgreSQL session (a server process forked and set up), which cost more than a batch of
    notices; CELERY_DB_REUSE_MAX (settings) turns that off. An eager task runs inside its caller's
    transaction, where closing the connection is not ours to do."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
