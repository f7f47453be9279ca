from django.apps import AppConfig


class PeriodicalsConfig(AppConfig):
    name = "xinbao.periodicals"
    label = "periodicals"
