from django.apps import AppConfig
from django.conf import settings


class DiscoveryConfig(AppConfig):
    name = "conceptcloud.discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        from conceptcloud.discovery import embeddings

        embeddings.use_cache_dir(settings.MODEL_DIR)
