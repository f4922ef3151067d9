"""Background work of the evaluation app.

    evaluation.reputation_recompute   every reputation score, from the whole graph

Praise and reviews enqueue it after their commit. Under Celery several requests
may queue up while one run works; a run skips itself when a run that started
after it was asked for has already finished, since that run read everything the
request could have added.
"""

from __future__ import annotations

from datetime import datetime

from conceptcloud.core.tasks import task
from conceptcloud.evaluation import services
from conceptcloud.evaluation.models import ReputationRun


@task("evaluation.reputation_recompute")
def reputation_recompute(*, requested_at: str | None = None) -> None:
    if requested_at is not None:
        asked = datetime.fromisoformat(requested_at)
        if ReputationRun.objects.filter(started_at__gte=asked).exists():
            return
    services.reputation_recompute()
