"""Celery tasks for compliance exports: take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.dispatch import task_send
from reports.exports.jobs import export_build, exports_pending, exports_purge_expired

BUILD_EXPORT_TASK = "reports.tasks.build_export"


@shared_task(name=BUILD_EXPORT_TASK, ignore_result=True, time_limit=3600, soft_time_limit=3500)
def build_export(export_id: int) -> None:
    """Build a large export's file; progress is written to the Export row as it goes."""
    export_build(export_id=export_id)


@shared_task(name="reports.tasks.purge_exports", ignore_result=True)
def purge_exports() -> int:
    """Hourly: delete export files older than EXPORT_KEEP_HOURS, and re-send exports stuck as pending."""
    for export_id in exports_pending():
        task_send(BUILD_EXPORT_TASK, export_id)
    return exports_purge_expired()
