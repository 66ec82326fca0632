"""Export any report from the command line, for schedulers (cron, Kubernetes CronJobs, Celery beat):

    manage.py export_report --format pdf --from 2026-01-01 --to 2026-03-31 --output q1.pdf
    manage.py export_report --format pdf --last-month --lang zh-hans --output /srv/reports/
    manage.py export_report --format csv --brand 3 --output - | gzip > claims.csv.gz
    manage.py export_report --format dsa-sor --last-month --output /srv/reports/

Runs as the system (every brand) unless `--as-user` names a user, whose visibility then applies.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from core.roles import SYSTEM, actor_for
from reports.exports.jobs import FORMATS, export_chunks, export_filename, export_note
from reports.exports.pdf import pdf_identity
from reports.metrics import GROUPINGS, report_filters


class Command(BaseCommand):
    help = "Export a report (csv, xlsx, pdf, dsa-sor, transparency, lumen, audit) with the API's filters."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--last-month", action="store_true", help="the previous calendar month")
        parser.add_argument("--brand", help="brand id, or ids separated by commas")
        parser.add_argument("--group-by", choices=list(GROUPINGS), default="month")
        parser.add_argument("--as-user", help="export what this user may see")
        parser.add_argument("--lang", help="the PDF's language: en (default) or zh-hans")
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            help="file path, a directory (the file gets its usual name), or - for stdout",
        )

    def handle(self, *args, **opts):
        fmt = opts["format"]
        date_from, date_to = opts["date_from"], opts["date_to"]
        if opts["last_month"]:
            first_this = timezone.localdate().replace(day=1)
            last = first_this - dt.timedelta(days=1)
            date_from, date_to = last.replace(day=1).isoformat(), last.isoformat()
        actor = SYSTEM
        if opts["as_user"]:
            user = get_user_model().objects.filter(username=opts["as_user"]).first()
            if user is None:
                raise CommandError(f"No user {opts['as_user']!r}.")
            actor = actor_for(user)
        params = {"from": date_from, "to": date_to, "brand": opts["brand"], "group_by": opts["group_by"]}
        try:
            filters = report_filters(actor=actor, params={k: v for k, v in params.items() if v})
            if fmt == "pdf":  # its language and ID, recorded with the export as the API records them
                params.update(pdf_identity(opts["lang"], default="en"))
            elif opts["lang"]:
                raise CommandError("--lang applies to the PDF only.")
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

        output = opts["output"]
        target = None
        if output != "-":
            target = Path(output)
            if target.is_dir() or output.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                target = target / export_filename(fmt, filters)
            target.parent.mkdir(parents=True, exist_ok=True)
        stream = open(target, "wb") if target else sys.stdout.buffer  # noqa: SIM115
        size = 0
        try:
            chunks = export_chunks(
                fmt, actor, filters, lang=params.get("lang"), report_id=params.get("report_id")
            )
            for chunk in chunks:
                stream.write(chunk)
                size += len(chunk)
        finally:
            if target:
                stream.close()
            else:
                stream.flush()
        AuditEvent.objects.create(
            action="report_export",
            actor=actor.user,
            actor_label=actor.label,
            object_type="report",
            object_id=fmt,
            note=f"export_report command: {export_note(fmt, {k: v for k, v in params.items() if v})}",
            data={"params": {k: v for k, v in params.items() if v}, "bytes": size},
        )
        if target:
            self.stderr.write(f"{fmt}: {size:,} bytes written to {target}")
