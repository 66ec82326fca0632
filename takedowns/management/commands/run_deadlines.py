import json

from django.core.management.base import BaseCommand

from core.outbox import notice_deliver, notices_due
from takedowns.services.batches import batch_process, stalled_batches
from takedowns.services.deadlines import run_all
from takedowns.services.enforcement import approved_not_enforced
from takedowns.services.transitions import claim_enforce


class Command(BaseCommand):
    help = (
        "Run every deadline now (info requests, reinstatements, IP-right expiry, SLA reminders) and the outbox "
        "sweep (pending notices, unenforced approvals, stalled bulk filings) in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-sweep", action="store_true", help="do not deliver pending notices in this process"
        )

    def handle(self, no_sweep, **options):
        result = run_all()
        if not no_sweep:
            result["notices_delivered"] = sum(
                1 for pk, _ in notices_due() if notice_deliver(notice_id=pk) is None
            )
            result["claims_enforced"] = sum(1 for pk in approved_not_enforced() if claim_enforce(claim_id=pk))
            # The same work the beat sweep hands to workers (takedowns.tasks.sweep_outbox), done here.
            for pk in stalled_batches():
                batch_process(batch_id=pk)
        self.stdout.write(json.dumps(result))
