from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "conceptcloud.registry"
    label = "registry"
