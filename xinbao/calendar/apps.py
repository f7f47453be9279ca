from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "xinbao.calendar"
    label = "calendar"

    def ready(self) -> None:
        from xinbao.calendar import chores, home, menu, readiness  # noqa: F401  (registers the daily calendar check; the home-page section; the menu entry; the first-run checks)
