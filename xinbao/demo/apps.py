from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xinbao.demo"
    label = "demo"
