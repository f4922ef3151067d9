"""The lexical search backend interface, and what both backends share.

    LexicalRow        one asset's analysed terms per field group (space-joined)
    LexicalBackend    the interface: index, remove, search, rebuild
    RowStoreBackend   what both backends share: the stored rows (upsert, remove)
                      and the search: a query's Ranking, its best candidates'
                      visibility checked (AccessCheck), a filtered ranking when
                      they cannot prove the answer; a backend supplies its match
                      and ranking SQL
    Ranking           one query's ranking: PostingsRanking (from the process's
                      postings copy) or StatementRanking (the backend's SQL, where
                      the copy is turned off)
    postings_copy()   this process's postings copy of the stored rows
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

Ranking (RowStoreBackend.ranking): by the postings copy (index.PostingsCopy over
postings.py: FTS5's bm25() with the field WEIGHTS, computed in memory, on either
database; each word a phrase of its parts, matched by the terms' positions) — the
database would score every match before returning the best few, tens of
milliseconds for common words or phrases at 100,000 listings (docs/decisions/0005,
0006). Every write goes to the backend's structures too, and where the copy is
turned off (settings.CC_SEARCH_POSTINGS_COPY: a process short of memory) the
backend's own statements rank every query. Both rankings answer the same
matches; on SQLite with the same scores (PostgreSQL's statement ranks by
ts_rank_cd).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from conceptcloud.discovery.index import PostingsCopy
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
    search(words, visible=, full=, limit=, require_all=, access=None)
                     [(asset_id, score)], best first (ties: ascending id), at most
                     `limit`; only ids in `visible`, details matched only for ids
                     in `full` (both querysets of Asset, evaluated in SQL); scores
                     are higher-is-better and comparable within one result list;
                     `access`: access_check(visible, full), when the caller
                     searches the same two more than once
    access_check(visible, full)
                     AccessCheck: the two as one statement compiled once
    rebuild()        rebuild the search structures from the stored rows
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
        access: AccessCheck | None = None,
    ) -> list[tuple[int, float]]: ...

    def access_check(self, visible: QuerySet[Asset], full: QuerySet[Asset]) -> AccessCheck: ...

    def rebuild(self) -> None: ...


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
# A search first ranks the whole index and fetches the best matches of each branch,
# limit·5/4 + FETCH_EXTRA of them, then checks their visibility; when those cannot
# prove the answer, once more OVERFETCH times as deep (RowStoreBackend._best_visible).
FETCH_EXTRA = 20
OVERFETCH = 4


class AccessCheck:
    """For a list of asset ids: which of them are in `visible`, and whether each of
    those is in `full` too. One statement, compiled by the ORM once and run for each
    list (compiling costs about as much as running it): the ids (one parameter of
    the backend's id_list_sql) drive it, each tested by two correlated EXISTS on
    the asset's primary key — so the database looks up the candidates, never
    scans the assets a rule's OR would let it reach by another index."""

    def __init__(self, backend: RowStoreBackend, visible: QuerySet[Asset], full: QuerySet[Asset]) -> None:
        self._backend = backend
        candidate = RawSQL("candidate.id", ())
        tests, params = [], []
        for assets in (visible, full):
            sql, test_params = assets.filter(pk=candidate).order_by().values("pk").query.sql_with_params()
            tests.append(f"EXISTS({sql})")
            params += test_params
        self._sql = f"SELECT candidate.id, {tests[0]}, {tests[1]} FROM ({backend.id_list_sql}) AS candidate"
        self._params = params

    def __call__(self, ids: Iterable[int]) -> dict[int, bool]:
        """{id: whether its details may be searched} for the ids in `visible`."""
        ids = sorted(ids)
        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(self._sql, (*self._params, self._backend.id_list_param(ids)))
            return {int(pk): bool(detailed) for pk, shown, detailed in cursor.fetchall() if shown}


class RowStoreBackend:
    """The parts of a LexicalBackend that do not depend on the database.

    A subclass names the SQL expression of a row's asset id in its match
    statements (`id_column`) and of a list of ids passed as ONE parameter
    (`id_list_sql`, the candidates of an AccessCheck: the ORM would prepare each of
    hundreds of ids on its own), and
    supplies `match(words, require_all=)` (its query, or "" when the words can
    match nothing) and `branches(match)`: the teaser and the full SELECT of
    (asset_id, score) rows matching it, each with its parameters and a WHERE clause
    the id filters are added to.
    """

    id_column = "asset_id"
    id_list_sql = ""  # SELECT of the ids (a column named id) in one parameter (see id_list_param)

    def id_list_param(self, ids: list[int]):
        """The one parameter of id_list_sql for `ids`."""
        return ids

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
            update_fields=["version", "restricted", "updated_at", *FIELDS],
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
        access: AccessCheck | None = None,
    ) -> list[tuple[int, float]]:
        ranking = self.ranking(words, require_all=require_all)
        if ranking is None or limit <= 0:
            return []
        found = _best_visible(ranking, access=access or self.access_check(visible, full), limit=limit)
        if found is not None:
            return found
        return ranking.filtered(visible=visible, full=full, limit=limit)

    def ranking(self, words: Sequence[Word], *, require_all: bool) -> Ranking | None:
        """How `words` are ranked (None when they can match nothing): by the
        postings copy, each word a phrase of its parts; by the backend's own
        statements where the copy is turned off (settings.CC_SEARCH_POSTINGS_COPY)."""
        phrases = query_phrases(words, require_all=require_all)
        if not phrases:
            return None
        if not settings.CC_SEARCH_POSTINGS_COPY:
            return StatementRanking(self, self.match(words, require_all=require_all))
        return PostingsRanking(phrases, require_all=require_all)

    def access_check(self, visible: QuerySet[Asset], full: QuerySet[Asset]) -> AccessCheck:
        return AccessCheck(self, visible, full)


class Ranking(Protocol):
    """One query's ranking of the whole index: the best `count` (asset id, score) of
    the teaser rows or of all rows, and the best `limit` of the rows a viewer may
    search (teaser rows of `visible` without `full`, all rows of `full`)."""

    def top(self, *, teaser: bool, count: int) -> list[tuple[int, float]]: ...

    def filtered(self, *, visible: QuerySet[Asset], full: QuerySet[Asset], limit: int) -> list[tuple[int, float]]: ...


def _best_visible(ranking: Ranking, *, access: AccessCheck, limit: int) -> list[tuple[int, float]] | None:
    """The answer from the best matches of the whole index, or None when they
    cannot prove it.

    Most matches are usually visible, so ranking the whole index first and
    checking the visibility of only its best few ids (primary-key lookups)
    costs about one plain full-text query, where filtering every match by
    visibility first would read every visible asset. The answer is exact: a
    match missing from a branch's fetched list scores at most that list's
    last score (its cut), so every hit scoring above both cuts is present.
    A first round fetches a quarter more than `limit` (plus FETCH_EXTRA); when
    fewer than `limit` hits score above its cuts, a second fetches OVERFETCH
    times as deep (checking only the ids not checked yet), and when that
    cannot prove it either, the caller asks for the filtered ranking instead.
    """
    checked: dict[int, bool | None] = {}  # None: not visible
    for count in (limit + limit // 4 + FETCH_EXTRA, OVERFETCH * limit + FETCH_EXTRA):
        teaser, whole = ranking.top(teaser=True, count=count), ranking.top(teaser=False, count=count)
        new = ({pk for pk, _ in teaser} | {pk for pk, _ in whole}) - checked.keys()
        found = access(new)
        checked.update((pk, found.get(pk)) for pk in new)
        hits = [(pk, score) for pk, score in whole if checked[pk]]
        hits += [(pk, score) for pk, score in teaser if checked[pk] is False]
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        cuts = [branch[-1][1] for branch in (teaser, whole) if len(branch) == count]
        if not cuts:
            return hits[:limit]  # every match was fetched
        proven = [hit for hit in hits if hit[1] > max(cuts)]
        if len(proven) >= limit:
            return proven[:limit]
    return None


class PostingsRanking:
    """A query's phrases ranked by this process's postings copy of the stored rows
    (postings_copy(): FTS5's bm25() over the same rows, on either database)."""

    def __init__(self, phrases: list[tuple[str, ...]], *, require_all: bool) -> None:
        self._phrases = phrases
        self._require_all = require_all

    def top(self, *, teaser: bool, count: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        return _postings.ranking(
            self._phrases, count=count, require_all=self._require_all, teaser=teaser, allowed=allowed
        )

    def filtered(self, *, visible: QuerySet[Asset], full: QuerySet[Asset], limit: int) -> list[tuple[int, float]]:
        shown = set(visible.order_by().values_list("pk", flat=True))
        detailed = set(full.order_by().values_list("pk", flat=True))
        hits = self.top(teaser=True, count=limit, allowed=shown - detailed)
        hits += self.top(teaser=False, count=limit, allowed=detailed & shown)
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:limit]


class StatementRanking:
    """A query ranked by the backend's own statements (its match expression)."""

    def __init__(self, backend: RowStoreBackend, match: str) -> None:
        self._backend = backend
        self._teaser, self._whole = backend.branches(match)

    def top(self, *, teaser: bool, count: int) -> list[tuple[int, float]]:
        sql, params = self._teaser if teaser else self._whole
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT asset_id, score FROM ({sql}) AS m ORDER BY score DESC, asset_id LIMIT %s", (*params, count))
            return [(int(asset_id), float(score)) for asset_id, score in cursor.fetchall()]

    def filtered(self, *, visible: QuerySet[Asset], full: QuerySet[Asset], limit: int) -> list[tuple[int, float]]:
        """The search statement with the visibility filters inside (every match checked)."""
        visible_sql, visible_params = ids_sql(visible)
        full_sql, full_params = ids_sql(full)
        (teaser, teaser_params), (whole, whole_params) = self._teaser, self._whole
        ids = self._backend.id_column
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


_postings = PostingsCopy(
    LexicalDocument, "asset_id", fields=FIELDS, teaser_fields=TEASER_FIELDS, weights=WEIGHTS
)


def postings_copy() -> PostingsCopy:
    """This process's postings copy of the stored rows (index.PostingsCopy)."""
    return _postings
