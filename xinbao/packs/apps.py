from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "xinbao.packs"
    label = "packs"

    def ready(self) -> None:
        from xinbao.packs import menu  # noqa: F401  (registers the menu entries)
