from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "xinbao.help"
    label = "help"

    def ready(self) -> None:
        from xinbao.help import menu  # noqa: F401  (registers the menu entry)
