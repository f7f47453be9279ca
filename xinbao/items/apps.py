from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "xinbao.items"
    label = "items"

    def ready(self) -> None:
        # Imported for what they register: the orphan sweep; the menu entries; the home-page
        # sections; the quality check for similar reports of other units.
        from xinbao.items import chores, home, menu, similar_check  # noqa: F401
