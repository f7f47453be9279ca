from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "xinbao.inbound"
    label = "inbound"

    def ready(self) -> None:
        from xinbao.inbound import chores, menu  # noqa: F401  (registers the mailbox poll; the menu entries)
