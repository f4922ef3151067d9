"""The lexical search backend interface, and what both backends share.

    LexicalRow        one asset's analysed terms per field group (space-joined)
    LexicalBackend    the interface: index, remove, search, rebuild
    RowStoreBackend   what both backends share: the stored rows (upsert, remove)
                      and the one search statement, teaser and full matches each
                      restricted to their ids; a backend supplies its match and
                      ranking SQL
    FIELDS            the indexed fields, teaser fields first; TEASER_FIELDS
    WEIGHTS           a match's weight per field (ranking.FIELD_BOOSTS)
    query_phrases     analysed query words → their parts, checked to be plain terms
    searchable        whether a term can be indexed and searched on every backend

Query semantics, on both backends: each query word (analyse_query) is a phrase of
its parts, matched against a field's space-joined analyse() terms; with
`require_all` every word must occur in the fields searched, else any word does.
Teaser fields are searched for every asset in `visible`; details only for the
assets in `full`. Query text is never put into a match expression: expressions
are built from analysed terms, which are letters and digits only (text.py), each
quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.ranking import FIELD_BOOSTS
from conceptcloud.discovery.text import Word
from conceptcloud.registry.models import Asset

TEASER_FIELDS = ("title", "keywords", "summary")
FIELDS = (*TEASER_FIELDS, "details")
WEIGHTS = {field: FIELD_BOOSTS[field] for field in FIELDS}

_TERM = re.compile(r"[^\W_]+")
# The longest term PostgreSQL's tsvector and tsquery accept, in UTF-8 bytes.
MAX_TERM_BYTES = 2046


@dataclass(frozen=True, slots=True)
class LexicalRow:
    """One asset's index entry: each field's analyse() terms joined by single spaces."""

    asset_id: int
    version: int
    title: str
    keywords: str
    summary: str
    details: str
    restricted: bool = False  # not public: the teaser is searched apart (see RowStoreBackend)


class LexicalBackend(Protocol):
    """A lexical index over assets in the database in use.

    index(rows)      add or replace the rows' assets in the index
    remove(ids)      drop these assets from the index (absent ids are ignored)
    search(words, visible=, full=, limit=, require_all=)
                     [(asset_id, score)], best first (ties: ascending id), at most
                     `limit`; only ids in `visible`, details matched only for ids
                     in `full` (both querysets of Asset, evaluated in SQL); scores
                     are higher-is-better and comparable within one result list
    rebuild()        rebuild the search structures from the stored rows
    id_list(ids)     the ids as a subquery of one parameter, for `pk__in` filters of
                     hundreds of ids (the ORM would prepare each on its own)
    """

    def index(self, rows: Iterable[LexicalRow]) -> None: ...

    def remove(self, asset_ids: Iterable[int]) -> None: ...

    def search(
        self,
        words: Sequence[Word],
        *,
        visible: QuerySet[Asset],
        full: QuerySet[Asset],
        limit: int,
        require_all: bool = True,
    ) -> list[tuple[int, float]]: ...

    def rebuild(self) -> None: ...

    def id_list(self, ids: Iterable[int]) -> RawSQL: ...


def searchable(term: str) -> bool:
    """Whether a term can be indexed and searched on every backend: a plain term
    (letters and digits) of at most MAX_TERM_BYTES in UTF-8 (PostgreSQL's limit)."""
    return len(term.encode()) <= MAX_TERM_BYTES and _TERM.fullmatch(term) is not None


def query_phrases(words: Sequence[Word], *, require_all: bool) -> list[tuple[str, ...]]:
    """Each word's parts, for the words whose parts are all searchable terms.

    text.py guarantees plain terms; the check keeps a match expression safe even if
    that guarantee were broken (such a word is never quoted into an expression).
    A word that cannot be searched matches nothing: with `require_all` the whole
    query then matches nothing ([]), never more than it would otherwise.
    """
    phrases = [word.parts for word in words if word.parts and all(searchable(part) for part in word.parts)]
    if require_all and len(phrases) < len(words):
        return []
    return phrases


def ids_sql(queryset: QuerySet[Asset]) -> tuple[str, tuple]:
    """The SQL selecting the primary keys of `queryset`, and its parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


_BATCH = 500
# A search first ranks the whole index and fetches this many times `limit` of the
# best matches per branch, then checks their visibility (RowStoreBackend._best_visible).
OVERFETCH = 4


class RowStoreBackend:
    """The parts of a LexicalBackend that do not depend on the database.

    A subclass names the SQL expression of a row's asset id in its match
    statements (`id_column`) and of a list of ids passed as ONE parameter
    (`id_list_sql`: the ORM would prepare each of hundreds of ids on its own), and
    supplies `match(words, require_all=)` (its query, or "" when the words can
    match nothing) and `branches(match)`: the teaser and the full SELECT of
    (asset_id, score) rows matching it, each with its parameters and a WHERE clause
    the id filters are added to.
    """

    id_column = "asset_id"
    id_list_sql = ""  # SELECT of the ids in one parameter (see id_list_param)

    def id_list_param(self, ids: list[int]):
        """The one parameter of id_list_sql for `ids`."""
        return ids

    def id_list(self, ids: Iterable[int]) -> RawSQL:
        return RawSQL(self.id_list_sql, (self.id_list_param(sorted(ids)),))

    def match(self, words: Sequence[Word], *, require_all: bool) -> str:
        raise NotImplementedError

    def branches(self, match: str) -> tuple[tuple[str, tuple], tuple[str, tuple]]:
        raise NotImplementedError

    def store(self, rows: Iterable[LexicalRow]) -> None:
        """Insert or replace the rows' stored terms (one upsert per batch)."""
        LexicalDocument.objects.bulk_create(
            [
                LexicalDocument(
                    asset_id=row.asset_id,
                    version=row.version,
                    title=row.title,
                    keywords=row.keywords,
                    summary=row.summary,
                    details=row.details,
                    restricted=row.restricted,
                )
                for row in rows
            ],
            batch_size=_BATCH,
            update_conflicts=True,
            unique_fields=["asset"],
            update_fields=["version", "restricted", *FIELDS],
        )

    def remove(self, asset_ids: Iterable[int]) -> None:
        LexicalDocument.objects.filter(asset_id__in=list(asset_ids)).delete()

    def search(
        self,
        words: Sequence[Word],
        *,
        visible: QuerySet[Asset],
        full: QuerySet[Asset],
        limit: int,
        require_all: bool = True,
    ) -> list[tuple[int, float]]:
        match = self.match(words, require_all=require_all)
        if not match or limit <= 0:
            return []
        found = self._best_visible(match, visible=visible, full=full, limit=limit)
        if found is not None:
            return found
        return self._filtered(match, visible=visible, full=full, limit=limit)

    def _top(self, branch: tuple[str, tuple], count: int) -> list[tuple[int, float]]:
        sql, params = branch
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT asset_id, score FROM ({sql}) AS m ORDER BY score DESC, asset_id LIMIT %s", (*params, count))
            return [(int(asset_id), float(score)) for asset_id, score in cursor.fetchall()]

    def _best_visible(
        self, match: str, *, visible: QuerySet[Asset], full: QuerySet[Asset], limit: int
    ) -> list[tuple[int, float]] | None:
        """The answer from the best OVERFETCH·limit matches of the whole index, or
        None when they cannot prove it.

        Most matches are usually visible, so ranking the whole index first and
        checking the visibility of only its best few ids (primary-key lookups)
        costs about one plain full-text query, where filtering every match by
        visibility first would read every visible asset. The answer is exact: a
        match missing from a branch's fetched list scores at most that list's
        last score (its cut), so every hit scoring above both cuts is present;
        when fewer than `limit` hits do, the filtered statement answers instead.
        """
        count = OVERFETCH * limit + 20
        teaser_match, full_match = self.branches(match)
        teaser, whole = self._top(teaser_match, count), self._top(full_match, count)
        candidates = {pk for pk, _ in teaser} | {pk for pk, _ in whole}
        # One statement decides both for every candidate: visible, and if so with its
        # details (a correlated primary-key lookup into `full`); two statements cost
        # the ORM's work on the candidate ids twice.
        rows = (
            visible.filter(pk__in=self.id_list(candidates))
            .annotate(detailed=Exists(full.filter(pk=OuterRef("pk"))))
            .order_by()
            .values_list("pk", "detailed")
        )
        shown: set[int] = set()
        detailed: set[int] = set()
        for pk, with_details in rows:
            shown.add(pk)
            if with_details:
                detailed.add(pk)
        hits = [(pk, score) for pk, score in whole if pk in detailed]
        hits += [(pk, score) for pk, score in teaser if pk in shown and pk not in detailed]
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        cuts = [found[-1][1] for found in (teaser, whole) if len(found) == count]
        if not cuts:
            return hits[:limit]  # every match was fetched
        proven = [hit for hit in hits if hit[1] > max(cuts)]
        return proven[:limit] if len(proven) >= limit else None

    def _filtered(
        self, match: str, *, visible: QuerySet[Asset], full: QuerySet[Asset], limit: int
    ) -> list[tuple[int, float]]:
        """The search statement with the visibility filters inside (every match checked)."""
        visible_sql, visible_params = ids_sql(visible)
        full_sql, full_params = ids_sql(full)
        (teaser, teaser_params), (whole, whole_params) = self.branches(match)
        ids = self.id_column
        sql = (
            f"SELECT asset_id, score FROM ("
            f"{teaser} AND {ids} IN ({visible_sql}) AND {ids} NOT IN ({full_sql}) "
            f"UNION ALL "
            f"{whole} AND {ids} IN ({visible_sql}) AND {ids} IN ({full_sql})"
            f") AS ranked ORDER BY score DESC, asset_id LIMIT %s"
        )
        params = (
            *teaser_params, *visible_params, *full_params,
            *whole_params, *visible_params, *full_params,
            limit,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(asset_id), float(score)) for asset_id, score in cursor.fetchall()]
