from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "xinbao.packs"
    label = "packs"

    def ready(self) -> None:
        from xinbao.packs import home, menu, rendered  # noqa: F401  (registers the home section; the menu entries; the documents' builder)
