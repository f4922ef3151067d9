from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "conceptcloud.discovery"
    verbose_name = "Discovery"
