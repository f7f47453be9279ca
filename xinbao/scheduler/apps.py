from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "xinbao.scheduler"
    label = "scheduler"

    def ready(self) -> None:
        from xinbao.scheduler import home, menu  # noqa: F401  (registers the home-page section and the menu entry of failed chores)
