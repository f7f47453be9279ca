from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "xinbao.analysis"
    label = "analysis"

    def ready(self) -> None:
        from xinbao.analysis import chores, menu, panels  # noqa: F401  (the placing chore; the menu entries; the placement panels)
