from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "xinbao.signals"
    label = "signals"

    def ready(self) -> None:
        from xinbao.signals import chores, home, menu  # noqa: F401  (registers the burst scan; the home section; the menu entry)
