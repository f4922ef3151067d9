from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "conceptcloud.core"
    label = "core"

    def ready(self) -> None:
        # Every installed app's tasks.py registers its tasks (core/tasks.py), in the
        # web process and in a worker alike.
        autodiscover_modules("tasks")
