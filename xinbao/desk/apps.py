from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "xinbao.desk"
    label = "desk"

    def ready(self) -> None:
        from xinbao.desk import menu  # noqa: F401  (registers the menu entries)
