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

Ranking (where the postings copy is turned off; the copy computes the same formula,
base.py): FTS5's bm25() (Okapi BM25, k1 =
1.2, b = 0.75, a match's term frequency weighted by its column:
ranking.FIELD_BOOSTS, title 3, keywords 2, summary 1.5, details 1), negated so
higher is better. A teaser match is ranked in the teaser
table, so the details — their terms and their length, which bm25() counts in a
document's length — never change its score. Document frequencies and average
lengths are those of the whole table (every asset, whatever its visibility).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection

from conceptcloud.discovery.backends.base import (
    FIELDS,
    TEASER_FIELDS,
    WEIGHTS,
    LexicalRow,
    RowStoreBackend,
    query_phrases,
)
from conceptcloud.discovery.text import Word

TEASER_TABLE = "discovery_lexical_teaser_fts"
FULL_TABLE = "discovery_lexical_fts"


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


class SQLiteBackend(RowStoreBackend):
    """LexicalBackend over FTS5 (see the module docstring)."""

    vendor = "sqlite"
    id_column = "+rowid"  # the unary plus keeps the id filters away from FTS5
    id_list_sql = "SELECT value AS id FROM json_each(%s)"

    def id_list_param(self, ids: list[int]) -> str:
        return json.dumps(ids)

    def index(self, rows: Iterable[LexicalRow]) -> None:
        self.store(rows)

    def match(self, words: Sequence[Word], *, require_all: bool) -> str:
        return match_expression(words, require_all=require_all)

    def branches(self, match: str) -> tuple[tuple[str, tuple], tuple[str, tuple]]:
        return (
            (f"SELECT rowid AS asset_id, {_bm25(TEASER_TABLE, TEASER_FIELDS)} AS score "
             f"FROM {TEASER_TABLE} WHERE {TEASER_TABLE} MATCH %s", (match,)),
            (f"SELECT rowid AS asset_id, {_bm25(FULL_TABLE, FIELDS)} AS score "
             f"FROM {FULL_TABLE} WHERE {FULL_TABLE} MATCH %s", (match,)),
        )  # fmt: skip

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FULL_TABLE}({FULL_TABLE}) VALUES ('rebuild')")
            # The teaser table holds the restricted rows only ('rebuild' would read all).
            cursor.execute(f"INSERT INTO {TEASER_TABLE}({TEASER_TABLE}) VALUES ('delete-all')")
            cursor.execute(
                f"INSERT INTO {TEASER_TABLE}(rowid, {', '.join(TEASER_FIELDS)}) "
                f"SELECT asset_id, {', '.join(TEASER_FIELDS)} FROM discovery_lexicaldocument WHERE restricted"
            )
