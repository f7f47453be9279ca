from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "xinbao.items"
    label = "items"

    def ready(self) -> None:
        from xinbao.items import chores, home, menu  # noqa: F401  (registers the orphan sweep; the menu entries; the home-page sections)
