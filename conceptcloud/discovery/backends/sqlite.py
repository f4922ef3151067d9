"""The SQLite backend: FTS5 tables over the stored rows, ranked by FTS5's bm25().

Structures (migration discovery 0001): two external-content FTS5 tables over
discovery_lexicaldocument (rowid = asset id), one column per field, tokenizer
unicode61 without diacritic removal (analysed terms are letters and digits, so
each term stays one token): discovery_lexical_teaser_fts (title, keywords,
summary) and discovery_lexical_fts (those and details). Triggers on the row table
keep both in step, so every write, and a cascade from a deleted asset, updates
them.

Matching: a word is an FTS5 phrase of its quoted parts ("発電" or "セルロース
ナノ ファイバー"); words are joined by AND (require_all) or OR. Assets in
`visible` but not in `full` are matched in the teaser table, assets in `full` in
the full table: one statement, the two matches each restricted to its ids, UNION
ALL. The id filters are written `+rowid IN (...)`: the unary plus keeps SQLite
from handing them to FTS5 as rowid lookups (one full-text evaluation per allowed
id, a hundred times slower), so FTS5 runs the match once and the ids filter its
rows.

Ranking: FTS5's bm25() (Okapi BM25, k1 = 1.2, b = 0.75, a match's term frequency
weighted by its column: ranking.FIELD_BOOSTS, title 3, keywords 2, summary 1.5,
details 1), negated so higher is better. A teaser match is ranked in the teaser
table, so the details — their terms and their length, which bm25() counts in a
document's length — never change its score. Document frequencies and average
lengths are those of the whole table (every asset, whatever its visibility).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet

from conceptcloud.discovery.backends.base import (
    FIELDS,
    TEASER_FIELDS,
    WEIGHTS,
    LexicalRow,
    ids_sql,
    query_phrases,
)
from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.text import Word
from conceptcloud.registry.models import Asset

TEASER_TABLE = "discovery_lexical_teaser_fts"
FULL_TABLE = "discovery_lexical_fts"
_BATCH = 500


def _bm25(table: str, fields: Sequence[str]) -> str:
    return f"-bm25({table}, {', '.join(str(WEIGHTS[field]) for field in fields)})"


def match_expression(words: Sequence[Word], *, require_all: bool) -> str:
    """The FTS5 MATCH expression for `words` ("" when it can match nothing).

    Built from analysed terms only, each phrase double-quoted (a quote inside would
    be doubled; terms hold none).
    """
    phrases = [
        '"' + " ".join(part.replace('"', '""') for part in parts) + '"'
        for parts in query_phrases(words, require_all=require_all)
    ]
    return (" AND " if require_all else " OR ").join(phrases)


class SQLiteBackend:
    """LexicalBackend over FTS5 (see the module docstring)."""

    vendor = "sqlite"

    def index(self, rows: Iterable[LexicalRow]) -> None:
        documents = [
            LexicalDocument(
                asset_id=row.asset_id,
                version=row.version,
                title=row.title,
                keywords=row.keywords,
                summary=row.summary,
                details=row.details,
            )
            for row in rows
        ]
        LexicalDocument.objects.bulk_create(
            documents,
            batch_size=_BATCH,
            update_conflicts=True,
            unique_fields=["asset"],
            update_fields=["version", *FIELDS],
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
        match = match_expression(words, require_all=require_all)
        if not match or limit <= 0:
            return []
        visible_sql, visible_params = ids_sql(visible)
        full_sql, full_params = ids_sql(full)
        sql = (
            f"SELECT asset_id, score FROM ("
            f"SELECT rowid AS asset_id, {_bm25(TEASER_TABLE, TEASER_FIELDS)} AS score FROM {TEASER_TABLE} "
            f"WHERE {TEASER_TABLE} MATCH %s AND +rowid IN ({visible_sql}) AND +rowid NOT IN ({full_sql}) "
            f"UNION ALL "
            f"SELECT rowid AS asset_id, {_bm25(FULL_TABLE, FIELDS)} AS score FROM {FULL_TABLE} "
            f"WHERE {FULL_TABLE} MATCH %s AND +rowid IN ({visible_sql}) AND +rowid IN ({full_sql})"
            f") ORDER BY score DESC, asset_id LIMIT %s"
        )
        params = (
            match, *visible_params, *full_params,
            match, *visible_params, *full_params,
            limit,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(asset_id), float(score)) for asset_id, score in cursor.fetchall()]

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            for table in (TEASER_TABLE, FULL_TABLE):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
