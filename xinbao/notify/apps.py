from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "xinbao.notify"
    label = "notify"

    def ready(self) -> None:
        from xinbao.notify import chores, menu  # noqa: F401  (registers delivery and escalation; the menu entries)
