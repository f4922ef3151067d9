from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "conceptcloud.core"
    label = "core"
