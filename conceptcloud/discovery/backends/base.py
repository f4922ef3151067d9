"""The lexical search backend interface, and what both backends share.

    LexicalRow        one asset's analysed terms per field group (space-joined)
    LexicalBackend    the interface: index, remove, search, rebuild
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

from django.db.models import QuerySet

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
