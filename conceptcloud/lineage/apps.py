from django.apps import AppConfig


class LineageConfig(AppConfig):
    name = "conceptcloud.lineage"
    verbose_name = "Lineage"
