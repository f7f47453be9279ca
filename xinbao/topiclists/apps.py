from django.apps import AppConfig


class TopicListsConfig(AppConfig):
    name = "xinbao.topiclists"
    label = "topiclists"

    def ready(self) -> None:
        from xinbao.topiclists import menu, panels, rendered  # noqa: F401  (registers the menu entry; the item page's panel; the documents' builder)
