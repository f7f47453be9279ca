from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "xinbao.notify"
    label = "notify"

    def ready(self) -> None:
        from xinbao.notify import (  # noqa: F401  (registers delivery and escalation; the menu entries; the first-run checks; the home-page sections; the audit checkpoints' sender)
            audit_checkpoints,
            chores,
            home,
            menu,
            readiness,
        )
