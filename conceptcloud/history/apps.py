from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "conceptcloud.history"
    label = "history"
