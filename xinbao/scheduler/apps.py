from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "xinbao.scheduler"
    label = "scheduler"
