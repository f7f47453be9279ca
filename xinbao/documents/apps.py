from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinbao.documents"
    label = "documents"
