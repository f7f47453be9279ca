from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: `xinbao backup` and `xinbao restore` (no models, no pages)."""

    name = "xinbao.ops"
    label = "ops"
