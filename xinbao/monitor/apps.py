from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "xinbao.monitor"
    label = "monitor"

    def ready(self) -> None:
        from xinbao.monitor import chores, menu, panels  # noqa: F401  (registers the polling chore; the menu entry; the incident page's panel)
