from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's baselines (docs/scaling.md): installed only under `bench.settings`, never in production."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
