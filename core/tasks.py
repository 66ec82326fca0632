"""The outbox's Celery tasks: take ids, safe to run twice (acks_late may deliver a task again)."""

from __future__ import annotations

from celery import shared_task

from core.outbox import dispatch_all, notices_deliver, notices_due
from core.staged import staged_purge
from core.tokens import api_tokens_purge_expired


@shared_task(name="core.tasks.deliver_notices", ignore_result=True)
def deliver_notices(channel: str, notice_ids: list[int]) -> None:
    """A batch of one channel's notices, filled up with others that are due (`core.outbox`)."""
    notices_deliver(notice_ids=notice_ids, channel=channel)


@shared_task(name="core.tasks.deliver_notice", ignore_result=True)
def deliver_notice(notice_id: int) -> None:
    """One notice: what was queued before notices went out in batches, still delivered after an upgrade."""
    notices_deliver(notice_ids=[notice_id])


@shared_task(name="core.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Every minute: re-queue notices still pending, so a broker or worker outage loses nothing."""
    notices = notices_due()
    return {"notices": len(notices), "tasks": dispatch_all(notices)}


@shared_task(name="core.tasks.purge_staged", ignore_result=True)
def purge_staged() -> dict:
    """Every hour: remove the files a form held for its user and that were never used (`core.staged`)."""
    return {"removed": staged_purge()}


@shared_task(name="core.tasks.purge_expired_tokens", ignore_result=True)
def purge_expired_tokens() -> dict:
    """Every hour: delete the API tokens past their expiry (the token check looks only at the one presented)."""
    return {"deleted": api_tokens_purge_expired()}
