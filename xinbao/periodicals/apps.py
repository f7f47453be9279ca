from django.apps import AppConfig


class PeriodicalsConfig(AppConfig):
    name = "xinbao.periodicals"
    label = "periodicals"

    def ready(self) -> None:
        from xinbao.periodicals import (  # noqa: F401  (registers the overdue scanner; the documents' builder; the menu entries; the first-run checks; the home-page sections)
            chores,
            documents,
            home,
            menu,
            readiness,
        )
