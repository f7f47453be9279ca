from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xinbao.audit"
    label = "audit"

    def ready(self) -> None:
        from xinbao.audit import chores, home, menu  # noqa: F401  (registers the daily verification; the menu entries; the home-page sections)
