from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "xinbao.scoring"
    label = "scoring"

    def ready(self) -> None:
        from xinbao.scoring import chores, home, menu  # noqa: F401  (registers the scanner's chores; the menu entries; the home-page sections)
