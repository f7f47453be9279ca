from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "xinbao.scheduler"
    label = "scheduler"

    def ready(self) -> None:
        from xinbao.scheduler import (  # noqa: F401  (registers the home-page section, the menu entry of failed chores and the reaper's chore)
            chores,
            home,
            menu,
        )
