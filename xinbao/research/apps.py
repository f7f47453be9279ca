from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "xinbao.research"
    label = "research"

    def ready(self) -> None:
        from xinbao.research import chores, menu, panels  # noqa: F401  (registers the deadline scan; the menu entries; the item page's panel)
