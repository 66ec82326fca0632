"""Celery tasks for claims: take ids, call one service, safe to run twice (acks_late may deliver a task again).

Services send these by name (`core.dispatch`) when their transaction commits; the sweep finds the same work
again from the database, so a lost send only delays it.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.dispatch import task_send
from takedowns.services.batches import batch_process, preview_archives_purge, stalled_batches
from takedowns.services.deadlines import run_all
from takedowns.services.enforcement import approved_not_enforced
from takedowns.services.programmes import brand_programmes_recompute
from takedowns.services.transitions import claim_enforce


@shared_task(name="takedowns.tasks.enforce_claim", ignore_result=True)
def enforce_claim(claim_id: int) -> None:
    claim_enforce(claim_id=claim_id)


@shared_task(name="takedowns.tasks.process_batch", ignore_result=True)
def process_batch(batch_id: int) -> None:
    batch_process(batch_id=batch_id)


@shared_task(name="takedowns.tasks.sweep_claims", ignore_result=True)
def sweep_claims() -> dict:
    """Every minute: re-queue approved claims not yet enforced and bulk filings whose worker died."""
    claims = approved_not_enforced()
    for pk in claims:
        task_send("takedowns.tasks.enforce_claim", pk, queue=settings.CELERY_URGENT_QUEUE)
    batches = stalled_batches()
    for pk in batches:
        task_send("takedowns.tasks.process_batch", pk)
    return {"claims": len(claims), "batches": len(batches)}


@shared_task(name="takedowns.tasks.run_deadlines", ignore_result=True)
def run_deadlines() -> dict:
    return run_all()


@shared_task(name="takedowns.tasks.recompute_programmes", ignore_result=True)
def recompute_programmes() -> dict:
    return brand_programmes_recompute()


@shared_task(name="takedowns.tasks.purge_bulk_previews", ignore_result=True)
def purge_bulk_previews() -> dict:
    """Every hour: remove the evidence ZIPs of bulk previews that were never filed."""
    return {"removed": preview_archives_purge()}
