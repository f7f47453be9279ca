from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "xinbao.scheduler"
    label = "scheduler"

    def ready(self) -> None:
        from xinbao.scheduler import chores, home, menu, readiness  # noqa: F401  (registers the daily calendar check; the menu entries; the first-run checks; the home-page sections)
