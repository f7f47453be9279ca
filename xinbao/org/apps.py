from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xinbao.org"
    label = "org"

    def ready(self) -> None:
        from xinbao.org import home, menu, readiness, terms  # noqa: F401  (registers the menu entries; the first-run checks; the home-page sections)

        terms.register()  # unit names and the dictionary's terms for the segmenter
