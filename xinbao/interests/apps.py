from django.apps import AppConfig


class InterestsConfig(AppConfig):
    name = "xinbao.interests"
    label = "interests"

    def ready(self) -> None:
        from xinbao.interests import chores, home, menu, panels, receivers  # noqa: F401  (registers the matching and digest chores; the home section; the menu entries; the panels on items and issues; the leader told of answers)
