from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Foundation: outbox and audit trail"

    def ready(self) -> None:
        # A changed password (reset by e-mail, set by an operator, changed in the admin) revokes the user's
        # API tokens: whoever held a token with the old password loses it with the password.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        pre_save.connect(_revoke_tokens_on_password_change, sender=get_user_model(), weak=False)


def _revoke_tokens_on_password_change(sender, instance, raw=False, **kwargs) -> None:
    from core.tokens import api_tokens_revoke

    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        api_tokens_revoke(user_id=instance.pk)
