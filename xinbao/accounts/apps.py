from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinbao.accounts"
    label = "accounts"

    def ready(self) -> None:
        from xinbao.accounts import chores, home, menu, readiness, signals  # noqa: F401  (registers receivers; the menu entries; the first-run checks; the home-page sections)
