"""The Celery app of the platform's workers: `conceptcloud worker` (or
`celery -A conceptcloud.config.celery worker`).

It sets Django up first, so every app's tasks.py has registered its tasks
(core/tasks.py), then takes the broker (CC_BROKER_URL) and queue (CC_TASK_QUEUE)
from the settings.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conceptcloud.config.settings")

import django  # noqa: E402

django.setup()

from conceptcloud.core.tasks import celery_app  # noqa: E402

app = celery_app()
