"""Celery tasks: take ids, call one service, safe to run twice (acks_late may deliver a task again)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="takedowns.tasks.deliver_notice", ignore_result=True)
def deliver_notice(notice_id: int) -> None:
    from .outbox import notice_deliver

    notice_deliver(notice_id=notice_id)


@shared_task(name="takedowns.tasks.enforce_claim", ignore_result=True)
def enforce_claim(claim_id: int) -> None:
    from .enforcement import claim_enforce

    claim_enforce(claim_id=claim_id)


@shared_task(name="takedowns.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Every minute: re-queue notices still pending and approved claims not yet enforced."""
    from django.conf import settings

    from .batches import stalled_batches
    from .enforcement import approved_not_enforced
    from .outbox import dispatch, notices_due

    notices = notices_due()
    for pk, channel in notices:
        dispatch(pk, channel)
    claims = approved_not_enforced()
    for pk in claims:
        enforce_claim.apply_async((pk,), queue=settings.CELERY_URGENT_QUEUE)
    batches = stalled_batches()
    for pk in batches:
        process_batch.delay(pk)
    return {"notices": len(notices), "claims": len(claims), "batches": len(batches)}


@shared_task(name="takedowns.tasks.run_deadlines", ignore_result=True)
def run_deadlines() -> dict:
    from .deadlines import run_all

    return run_all()


@shared_task(name="takedowns.tasks.recompute_programmes", ignore_result=True)
def recompute_programmes() -> dict:
    from brands.services import brand_programmes_recompute

    return brand_programmes_recompute()


@shared_task(name="takedowns.tasks.process_batch", ignore_result=True)
def process_batch(batch_id: int) -> None:
    from .batches import batch_process

    batch_process(batch_id=batch_id)


# --- reports (issue 5) -------------------------------------------------------------------------------------
@shared_task(name="takedowns.tasks.build_export", ignore_result=True, time_limit=3600, soft_time_limit=3500)
def build_export(export_id: int) -> None:
    """Build a large export's file; progress is written to the Export row as it goes."""
    from .exports import export_build

    export_build(export_id=export_id)


@shared_task(name="takedowns.tasks.purge_exports", ignore_result=True)
def purge_exports() -> int:
    """Hourly: delete export files older than EXPORT_KEEP_HOURS, and re-send exports stuck as pending."""
    from .exports import exports_pending, exports_purge_expired

    for export_id in exports_pending():
        build_export.delay(export_id)
    return exports_purge_expired()
