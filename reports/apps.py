from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Compliance reports"

    def ready(self) -> None:
        # DSA statements of reasons: queued in the takedown's or the ban's own transaction (the domain events
        # of `takedowns.signals`), and sent by the outbox through this app's Transparency Database sender.
        from core.models import Notice
        from core.outbox import register_sender
        from merchants.models import Merchant
        from reports.dsa.delivery import statement_queue_for_ban, statement_queue_for_takedown, tdb_submit
        from takedowns.models import Claim
        from takedowns.signals import claim_taken_down, merchant_banned

        register_sender(Notice.Channel.TDB, tdb_submit)
        claim_taken_down.connect(_on_claim_taken_down(statement_queue_for_takedown), sender=Claim, weak=False)
        merchant_banned.connect(_on_merchant_banned(statement_queue_for_ban), sender=Merchant, weak=False)


def _on_claim_taken_down(queue):
    def receiver(sender, claim, **kwargs):
        queue(claim=claim)

    return receiver


def _on_merchant_banned(queue):
    def receiver(sender, merchant, ban, **kwargs):
        queue(ban=ban)

    return receiver
