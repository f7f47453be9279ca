from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "xinbao.liaison"
    label = "liaison"

    def ready(self) -> None:
        from xinbao.liaison import chores, home, menu  # noqa: F401  (registers the overdue reminder; the home section; the menu entries)
