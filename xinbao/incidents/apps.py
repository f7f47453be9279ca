from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "xinbao.incidents"
    label = "incidents"

    def ready(self) -> None:
        from xinbao.incidents import chores, home, menu  # noqa: F401  (registers the deadline scan; the menu entries; the home-page sections)
