"""The discovery app's background work (see core/tasks.py for the contract).

    discovery.asset_index(asset_id=)   bring one asset's index entries in step with
                                       the asset, then notify the saved searches it
                                       newly matches; enqueued by the registry with
                                       every change that makes an asset version
    discovery.need_index(need_id=)     the same for a need (registry, on posting
                                       and editing it)
    discovery.person_index(user_id=)   the same for a person's expertise (accounts,
                                       on a profile change)

Each is idempotent: it reads the current row, so a late or repeated run leaves the
index as the latest state says.
"""

from __future__ import annotations

from conceptcloud.core.tasks import task
from conceptcloud.discovery.services import indexing, saved_searches


@task("discovery.asset_index")
def asset_index(*, asset_id: int) -> None:
    indexing.asset_index(asset_id=asset_id)
    # After indexing, so that the match is checked against the asset's current
    # index entries; reported pairs are recorded, so a repeated run tells no one twice.
    saved_searches.saved_searches_notify(asset_id=asset_id)


@task("discovery.need_index")
def need_index(*, need_id: int) -> None:
    indexing.need_index(need_id=need_id)


@task("discovery.person_index")
def person_index(*, user_id: int) -> None:
    indexing.person_index(user_id=user_id)
