from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "xinbao.scoring"
    label = "scoring"
