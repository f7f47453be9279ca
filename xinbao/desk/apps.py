from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "xinbao.desk"
    label = "desk"
