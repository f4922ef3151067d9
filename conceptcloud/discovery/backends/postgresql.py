"""The PostgreSQL backend: tsvector columns with GIN indexes, ranked by ts_rank_cd.

Structures (migration discovery 0001): two tsvector columns on
discovery_lexicaldocument, each GIN-indexed: teaser_vector (title, keywords,
summary) and all_vector (those and the details). This backend writes them,
building each vector here from the stored terms as a tsvector literal with
positions and a weight per field (title A, keywords B, summary C, details D), so
no text-search parser or dictionary touches the terms (they are analysed already,
and the parser's idea of a letter depends on the server's locale). Fields are a
position apart, so a phrase never spans two fields. PostgreSQL keeps positions up
to 16,383 and 256 per lexeme: terms beyond that still match as words, and phrases
only where their positions were kept. Terms longer than base.MAX_TERM_BYTES are
left out (PostgreSQL refuses them; a query word holding one matches nothing on
either backend).

Matching: a word is a phrase of its quoted parts joined by <-> ('発電' or
'セルロース' <-> 'ナノ' <-> 'ファイバー'), words joined by & (require_all) or |,
cast with ::tsquery (input syntax, no parser). Assets in `visible` but not in
`full` match against teaser_vector only; assets in `full` against all_vector.

Ranking (where the postings copy, which ranks by BM25, is turned off; base.py):
ts_rank_cd(weights, vector, query, 1), cover density with the field
weights {D, C, B, A} = ranking.FIELD_BOOSTS / 3 (details 1/3, summary 1/2,
keywords 2/3, title 1), divided by 1 + log(document length) — BM25-style in
favouring matches in short, highly weighted fields and more matching terms, but
without document frequencies (a rare term counts as much as a common one). For
viewers without FULL access the rank is computed over the teaser vector, so
hidden details never change it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from conceptcloud.discovery.backends.base import (
    FIELDS,
    WEIGHTS,
    LexicalRow,
    RowStoreBackend,
    query_phrases,
    searchable,
)
from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.text import Word

TABLE = "discovery_lexicaldocument"
_LABELS = {"title": "A", "keywords": "B", "summary": "C", "details": "D"}
_RANK_WEIGHTS = "'{" + ",".join(str(WEIGHTS[field] / WEIGHTS["title"]) for field in reversed(FIELDS)) + "}'::float4[]"
_MAX_POSITION = 16_383
_MAX_POSITIONS_PER_LEXEME = 256
_BATCH = 500


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def vectors(row: LexicalRow) -> tuple[str, str]:
    """The row's tsvector literals: (teaser fields, all fields)."""
    positions: dict[str, list[str]] = defaultdict(list)
    teaser = ""
    position = 0
    for field in FIELDS:
        if field == "details":
            teaser = _literal(positions)
        label = _LABELS[field]
        for term in getattr(row, field).split():
            position = min(position + 1, _MAX_POSITION)
            if not searchable(term):
                continue
            kept = positions[term]
            if len(kept) < _MAX_POSITIONS_PER_LEXEME and position < _MAX_POSITION:
                kept.append(f"{position}{label}")
        position += 1
    return teaser, _literal(positions)


def _literal(positions: dict[str, list[str]]) -> str:
    return " ".join(f"{_quoted(term)}:{','.join(kept)}" if kept else _quoted(term) for term, kept in positions.items())


def tsquery(words: Sequence[Word], *, require_all: bool) -> str:
    """The tsquery (input syntax) for `words`, "" when no word is searchable."""
    phrases = ["(" + " <-> ".join(_quoted(part) for part in parts) + ")" for parts in query_phrases(words, require_all=require_all)]
    return (" & " if require_all else " | ").join(phrases)


class PostgreSQLBackend(RowStoreBackend):
    """LexicalBackend over tsvector columns (see the module docstring)."""

    vendor = "postgresql"
    id_list_sql = "SELECT unnest(%s::bigint[]) AS id"  # the ids as one array parameter

    def index(self, rows: Iterable[LexicalRow]) -> None:
        rows = list(rows)
        with transaction.atomic():
            self.store(rows)
            self._write_vectors(rows)

    def _write_vectors(self, rows: list[LexicalRow]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {TABLE} SET teaser_vector = %s::tsvector, all_vector = %s::tsvector WHERE asset_id = %s",
                [(teaser if row.restricted else "", whole, row.asset_id) for row in rows for teaser, whole in [vectors(row)]],
            )

    def match(self, words: Sequence[Word], *, require_all: bool) -> str:
        return tsquery(words, require_all=require_all)

    def branches(self, match: str) -> tuple[tuple[str, tuple], tuple[str, tuple]]:
        return tuple(
            (f"SELECT asset_id, ts_rank_cd({_RANK_WEIGHTS}, {vector}, %s::tsquery, 1) AS score "
             f"FROM {TABLE} WHERE {vector} @@ %s::tsquery", (match, match))
            for vector in ("teaser_vector", "all_vector")
        )  # fmt: skip

    def rebuild(self) -> None:
        """Rewrite every vector from the stored rows, then merge the GIN indexes'
        pending entries and refresh the planner's statistics (after a bulk load the
        planner otherwise misjudges the index and scans the table)."""
        documents = LexicalDocument.objects.order_by("asset_id")
        last = 0
        while True:
            batch = list(documents.filter(asset_id__gt=last)[:_BATCH])
            if not batch:
                break
            with transaction.atomic():
                self._write_vectors([
                    LexicalRow(
                        asset_id=doc.asset_id,
                        version=doc.version,
                        title=doc.title,
                        keywords=doc.keywords,
                        summary=doc.summary,
                        details=doc.details,
                        restricted=doc.restricted,
                    )
                    for doc in batch
                ])
            last = batch[-1].asset_id
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list('discovery_lexical_teaser_gin'::regclass), "
                "gin_clean_pending_list('discovery_lexical_all_gin'::regclass)"
            )
            cursor.execute(f"ANALYZE {TABLE}")
