from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xinbao.org"
    label = "org"
