from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "xinbao.agenda"
    label = "agenda"

    def ready(self) -> None:
        from xinbao.agenda import chores, home, menu, panels  # noqa: F401  (registers the matching and stale chores; the home section; the menu entry; the desk panel)
