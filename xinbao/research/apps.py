from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "xinbao.research"
    label = "research"

    def ready(self) -> None:
        from xinbao.research import (  # noqa: F401  (registers the deadline scan; the menu entries; the item page's panel; the notice's builder)
            chores,
            menu,
            panels,
            rendered,
        )
