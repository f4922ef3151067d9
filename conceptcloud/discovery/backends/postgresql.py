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

Ranking: ts_rank_cd(weights, vector, query, 1), cover density with the field
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
from django.db.models import QuerySet

from conceptcloud.discovery.backends.base import (
    FIELDS,
    WEIGHTS,
    LexicalRow,
    ids_sql,
    query_phrases,
    searchable,
)
from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.text import Word
from conceptcloud.registry.models import Asset

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


class PostgreSQLBackend:
    """LexicalBackend over tsvector columns (see the module docstring)."""

    vendor = "postgresql"

    def index(self, rows: Iterable[LexicalRow]) -> None:
        rows = list(rows)
        with transaction.atomic():
            LexicalDocument.objects.bulk_create(
                [
                    LexicalDocument(
                        asset_id=row.asset_id,
                        version=row.version,
                        title=row.title,
                        keywords=row.keywords,
                        summary=row.summary,
                        details=row.details,
                    )
                    for row in rows
                ],
                batch_size=_BATCH,
                update_conflicts=True,
                unique_fields=["asset"],
                update_fields=["version", *FIELDS],
            )
            self._write_vectors(rows)

    def _write_vectors(self, rows: list[LexicalRow]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {TABLE} SET teaser_vector = %s::tsvector, all_vector = %s::tsvector WHERE asset_id = %s",
                [(*vectors(row), row.asset_id) for row in rows],
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
        query = tsquery(words, require_all=require_all)
        if not query or limit <= 0:
            return []
        visible_sql, visible_params = ids_sql(visible)
        full_sql, full_params = ids_sql(full)
        sql = (
            f"SELECT asset_id, score FROM ("
            f"SELECT asset_id, ts_rank_cd({_RANK_WEIGHTS}, teaser_vector, %s::tsquery, 1) AS score FROM {TABLE} "
            f"WHERE teaser_vector @@ %s::tsquery AND asset_id IN ({visible_sql}) AND asset_id NOT IN ({full_sql}) "
            f"UNION ALL "
            f"SELECT asset_id, ts_rank_cd({_RANK_WEIGHTS}, all_vector, %s::tsquery, 1) AS score FROM {TABLE} "
            f"WHERE all_vector @@ %s::tsquery AND asset_id IN ({visible_sql}) AND asset_id IN ({full_sql})"
            f") AS ranked ORDER BY score DESC, asset_id LIMIT %s"
        )
        params = (
            query, query, *visible_params, *full_params,
            query, query, *visible_params, *full_params,
            limit,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(asset_id), float(score)) for asset_id, score in cursor.fetchall()]

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
