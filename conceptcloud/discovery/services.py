"""Writes of the discovery app: keeping the lexical index in step with the assets.

    asset_index(asset_id=)   (re)index one asset from the database, or drop it
                             from the index when the asset no longer exists
    index_rebuild()          reindex every asset from the database, in batches,
                             then rebuild the backend's search structures
    asset_lexical_row(asset) the analysed index row of one asset (pure read)

Every asset is indexed whatever its status and visibility: drafts and withdrawn
assets stay in the index so their managers find them, and searches filter by the
one visibility rule in SQL (registry.selectors), so nobody else does.

The index is derived data (DESIGN.md invariant 4): these writes append nothing to
the creative history, and `conceptcloud manage reindex` rebuilds it all.
"""

from __future__ import annotations

from django.db import transaction

from conceptcloud.discovery.backends import lexical_backend
from conceptcloud.discovery.backends.base import LexicalRow
from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.text import analyse
from conceptcloud.registry.models import Asset

_FIELDS = ("id", "version", "title", "keywords", "summary", "details")


def asset_lexical_row(asset: Asset) -> LexicalRow:
    """The asset's analysed terms per field group; keywords analysed one by one."""
    return LexicalRow(
        asset_id=asset.pk,
        version=asset.version,
        title=" ".join(analyse(asset.title)),
        keywords=" ".join(term for keyword in asset.keywords for term in analyse(str(keyword))),
        summary=" ".join(analyse(asset.summary)),
        details=" ".join(analyse(asset.details)),
    )


def asset_index(*, asset_id: int) -> None:
    """Index the asset's current fields; drop its entry if the asset is gone."""
    backend = lexical_backend()
    with transaction.atomic():
        asset = Asset.objects.only(*_FIELDS).filter(pk=asset_id).first()
        if asset is None:
            backend.remove([asset_id])
        else:
            backend.index([asset_lexical_row(asset)])


def index_rebuild(*, batch_size: int = 500) -> int:
    """Reindex every asset from the database; returns how many were indexed.

    Batches of `batch_size` assets, each in its own transaction, so a large
    rebuild neither holds one long write lock nor all assets in memory; entries
    of assets that no longer exist are dropped; finally the backend rebuilds its
    search structures from the stored rows.
    """
    backend = lexical_backend()
    indexed = 0
    last = 0
    while True:
        batch = list(Asset.objects.only(*_FIELDS).filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            backend.index([asset_lexical_row(asset) for asset in batch])
        indexed += len(batch)
        last = batch[-1].pk
    with transaction.atomic():
        stale = LexicalDocument.objects.exclude(asset_id__in=Asset.objects.values("pk"))
        backend.remove(list(stale.values_list("asset_id", flat=True)))
        backend.rebuild()
    return indexed
