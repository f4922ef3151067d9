"""Writes of the discovery app: keeping the derived search data in step.

    asset_index(asset_id=)     (re)index one asset: its lexical row, its vector and
                               near-duplicate signature; drop them when it is gone
    need_index(need_id=)       (re)embed one need
    person_index(user_id=)     (re)embed one person's expertise
    index_rebuild()            all of the above for every row, in batches, then the
                               backend's search structures
    asset_lexical_row(asset)   the analysed index row of one asset (pure read)
    asset_vector_text(asset)   the text an asset's vector and signature come from
    person_vector_text(user, titles)   the text a person's vector comes from

Every asset is indexed whatever its status and visibility: drafts and withdrawn
assets stay in the index so their managers find them, and searches filter by the
one visibility rule in SQL (registry.selectors), so nobody else does.

Vectors are computed from what EVERY viewer of an asset may see: title, keywords
and summary, and the details only when the asset is public. A similarity score, a
match reason or a near-duplicate flag therefore never depends on hidden text. (The
lexical index keeps the details of every asset, searched only for viewers with
full access: backends/base.py.)

A vector is recomputed only when the text it comes from has changed (its SHA-256
is stored beside it with the model's name): a new version that changes, say, the
TRL costs no embedding, and `reindex` after a model change re-embeds everything.

The index is derived data (DESIGN.md invariant 4): these writes append nothing to
the creative history, and `conceptcloud manage reindex` rebuilds it all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction
from django.db.models import Model, Q

from conceptcloud.accounts.models import User
from conceptcloud.discovery import duplicates
from conceptcloud.discovery.backends import lexical_backend
from conceptcloud.discovery.backends.base import LexicalRow
from conceptcloud.discovery.embeddings import DETAILS_CHARS, MODEL, embed
from conceptcloud.discovery.models import AssetVector, LexicalDocument, NeedVector, PersonVector
from conceptcloud.discovery.text import analyse
from conceptcloud.discovery.vectors import pack
from conceptcloud.registry.models import Asset, Need

_FIELDS = ("id", "version", "title", "keywords", "summary", "details", "visibility", "status", "created_by", "owner_user")
# A person's record in their expertise text: the titles of this many of their
# newest published public assets.
PERSON_TITLES = 20


def asset_lexical_row(asset: Asset) -> LexicalRow:
    """The asset's analysed terms per field group; keywords analysed one by one."""
    return LexicalRow(
        asset_id=asset.pk,
        version=asset.version,
        title=" ".join(analyse(asset.title)),
        keywords=" ".join(term for keyword in asset.keywords for term in analyse(str(keyword))),
        summary=" ".join(analyse(asset.summary)),
        details=" ".join(analyse(asset.details)),
        restricted=asset.visibility != Asset.Visibility.PUBLIC,
    )


def asset_vector_text(asset: Asset) -> str:
    """Title, keywords, summary — and the opening of the details only for a public
    asset — one per line: the text every viewer of the asset may read."""
    details = asset.details.strip()[:DETAILS_CHARS] if asset.visibility == Asset.Visibility.PUBLIC else ""
    keywords = ", ".join(str(keyword) for keyword in asset.keywords)
    parts = (asset.title.strip(), keywords, asset.summary.strip(), details.strip())
    return "\n".join(part for part in parts if part)


def need_vector_text(need: Need) -> str:
    return "\n".join(part for part in (need.title.strip(), need.description.strip()[:DETAILS_CHARS]) if part)


def person_vector_text(user: User, titles: Sequence[str]) -> str:
    """Skills, affiliation, bio and the titles of the person's published public
    assets: what their public profile shows."""
    parts = (", ".join(user.skills), user.affiliation.strip(), user.bio.strip(), "\n".join(titles))
    return "\n".join(part for part in parts if part)


def _hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def _store_vectors(
    model: type[Model],
    key: str,
    texts: dict[int, str],
    *,
    extra: Callable[[str], dict] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> int:
    """Upsert the vectors of `texts` (id → text) whose text changed; returns how many
    were embedded. One embed() call for all changed texts (batched by the model),
    on a thread of its own while this one runs `meanwhile` (the batch's other
    indexing work) and computes the `extra` columns: the model releases the
    interpreter's lock, so both keep the cores busy."""
    stored = dict(model.objects.filter(**{f"{key}__in": list(texts)}).values_list(key, "text_hash"))
    changed = {pk: text for pk, text in texts.items() if stored.get(pk) != _hash(text)}
    ids = list(changed)
    if not ids:
        if meanwhile is not None:
            meanwhile()
        return 0
    # Leaving the block waits for the model, also when `meanwhile` raises.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding-batch") as pool:
        vectors = pool.submit(embed, [changed[pk] for pk in ids])
        if meanwhile is not None:
            meanwhile()
        extras = {pk: extra(changed[pk]) if extra else {} for pk in ids}
        matrix = vectors.result()
    rows = [
        model(**{key: pk}, text_hash=_hash(changed[pk]), model=MODEL, vector=pack(vector), **extras[pk])
        for pk, vector in zip(ids, matrix, strict=True)
    ]
    update = ["text_hash", "model", "vector", "updated_at", *(extra("") if extra else {})]
    model.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=[key], update_fields=update)
    return len(rows)


def _minhash(text: str) -> dict:
    return {"minhash": duplicates.signature(analyse(text))}


def assets_index_batch(assets: Sequence[Asset]) -> int:
    """Index these assets (lexical rows and vectors); returns how many were embedded."""

    def lexical() -> None:
        lexical_backend().index([asset_lexical_row(asset) for asset in assets])

    texts = {asset.pk: asset_vector_text(asset) for asset in assets}
    return _store_vectors(AssetVector, "asset_id", texts, extra=_minhash, meanwhile=lexical)


def asset_index(*, asset_id: int) -> None:
    """Index the asset's current fields; drop its entries if the asset is gone."""
    with transaction.atomic():
        asset = Asset.objects.only(*_FIELDS).filter(pk=asset_id).first()
        if asset is None:
            lexical_backend().remove([asset_id])
            AssetVector.objects.filter(asset_id=asset_id).delete()
        else:
            assets_index_batch([asset])
            if asset.status == Asset.Status.PUBLISHED and asset.visibility == Asset.Visibility.PUBLIC:
                # The asset's title is part of its people's public record.
                people = {asset.created_by_id, asset.owner_user_id} - {None}
                persons_index_batch(list(User.objects.filter(pk__in=people)))


def need_index(*, need_id: int) -> None:
    with transaction.atomic():
        need = Need.objects.only("id", "title", "description").filter(pk=need_id).first()
        if need is None:
            NeedVector.objects.filter(need_id=need_id).delete()
        else:
            _store_vectors(NeedVector, "need_id", {need.pk: need_vector_text(need)})


def _person_titles(user_ids: Sequence[int]) -> dict[int, list[str]]:
    published = Asset.objects.filter(
        Q(created_by_id__in=user_ids) | Q(owner_user_id__in=user_ids),
        status=Asset.Status.PUBLISHED,
        visibility=Asset.Visibility.PUBLIC,
    ).order_by("-created_at", "-pk")
    titles: dict[int, list[str]] = {pk: [] for pk in user_ids}
    for created_by, owner, title in published.values_list("created_by_id", "owner_user_id", "title"):
        for pk in {created_by, owner} & titles.keys():
            if len(titles[pk]) < PERSON_TITLES:
                titles[pk].append(title)
    return titles


def persons_index_batch(users: Sequence[User]) -> int:
    titles = _person_titles([user.pk for user in users])
    texts = {user.pk: person_vector_text(user, titles[user.pk]) for user in users}
    return _store_vectors(PersonVector, "user_id", {pk: text for pk, text in texts.items() if text})


def person_index(*, user_id: int) -> None:
    with transaction.atomic():
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            PersonVector.objects.filter(user_id=user_id).delete()
        else:
            persons_index_batch([user])


def _batches(queryset, batch_size: int):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def index_rebuild(*, batch_size: int = 500) -> int:
    """Reindex every asset, need and person from the database; returns how many
    assets were indexed.

    Batches of `batch_size` rows, each in its own transaction, so a large rebuild
    neither holds one long write lock nor all rows in memory; entries of rows that
    no longer exist are dropped; finally the backend rebuilds its search structures
    from the stored rows.
    """
    indexed = 0
    for batch in _batches(Asset.objects.only(*_FIELDS), batch_size):
        with transaction.atomic():
            assets_index_batch(batch)
        indexed += len(batch)
    for batch in _batches(Need.objects.only("id", "title", "description"), batch_size):
        with transaction.atomic():
            _store_vectors(NeedVector, "need_id", {need.pk: need_vector_text(need) for need in batch})
    for batch in _batches(User.objects.all(), batch_size):
        with transaction.atomic():
            persons_index_batch(batch)
    with transaction.atomic():
        backend = lexical_backend()
        stale = LexicalDocument.objects.exclude(asset_id__in=Asset.objects.values("pk"))
        backend.remove(list(stale.values_list("asset_id", flat=True)))
        AssetVector.objects.exclude(asset_id__in=Asset.objects.values("pk")).delete()
        NeedVector.objects.exclude(need_id__in=Need.objects.values("pk")).delete()
        backend.rebuild()
    return indexed
