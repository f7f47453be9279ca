from django.apps import AppConfig


class PeriodicalsConfig(AppConfig):
    name = "xinbao.periodicals"
    label = "periodicals"

    def ready(self) -> None:
        from xinbao.periodicals import (  # noqa: F401  (registers the overdue scanner; the menu entries; the first-run checks; the home-page sections; the documents' builder)
            chores,
            home,
            menu,
            readiness,
            rendered,
        )
