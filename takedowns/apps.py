from django.apps import AppConfig


class TakedownsConfig(AppConfig):
    name = "takedowns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The marketplace confirmed a removal: the outbox hands it back here and the claim is taken down.
        from core.outbox import on_delivered
        from takedowns.services.transitions import claim_enforce

        def enforce_after_removal(notice) -> None:
            if notice.claim_id:
                claim_enforce(claim_id=notice.claim_id)

        on_delivered("listing.remove", enforce_after_removal)
