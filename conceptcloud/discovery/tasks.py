"""The discovery app's background work (see core/tasks.py for the contract).

    discovery.asset_index(asset_id=)   bring one asset's index entry in step with
                                       the asset; enqueued by the registry with
                                       every change that makes an asset version
"""

from __future__ import annotations

from conceptcloud.core.tasks import task
from conceptcloud.discovery import services


@task("discovery.asset_index")
def asset_index(*, asset_id: int) -> None:
    # Idempotent: it reads the asset's current row, so a late or repeated run
    # leaves the index as the latest state of the asset says.
    services.asset_index(asset_id=asset_id)
