from django.apps import AppConfig


class TakedownsConfig(AppConfig):
    name = "takedowns"
    default_auto_field = "django.db.models.BigAutoField"
