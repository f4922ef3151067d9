"""The payouts app's background work (see core/tasks.py for the contract).

    payouts.revenue_distribute(event_id=)   allocate a recorded revenue event over its
                                            ancestor graph and post its ledger lines;
                                            enqueued by revenue_record when the graph
                                            is larger than settings.CC_PAYOUTS_TASK_ASSETS

Idempotent: an event is distributed once (its row is locked and `distributed_at`
checked), so a repeated or concurrent run posts nothing more. Inline or in a
worker, the same service posts the same lines.
"""

from __future__ import annotations

from conceptcloud.core.tasks import task
from conceptcloud.payouts import services


@task("payouts.revenue_distribute")
def revenue_distribute(*, event_id: int) -> None:
    services.revenue_distribute(event_id=event_id)
