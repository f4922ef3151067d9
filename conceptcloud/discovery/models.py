"""The lexical index's stored rows: one per asset, its analysed terms per field group.

`LexicalDocument` holds, for each indexed asset, the space-joined `analyse()` terms
of its teaser fields (title, keywords, summary: searchable by anyone who may see the
asset at all) and of its details (searchable only with FULL access). The search
structures of the database in use are derived from these rows by the backend
(conceptcloud.discovery.backends): two FTS5 tables (teaser fields; all fields)
kept in step by triggers on SQLite, two tsvector columns with GIN indexes on
PostgreSQL. Visibility is never copied
here: searches join registry.Asset through the registry's visibility selectors.

Migrations: SQLite alters a table by copying it to a new one, which drops its
triggers; a later migration that alters this table must recreate the FTS5
triggers of 0001 after it (and run `reindex`).

Derived data (DESIGN.md invariant 4): written only through the backend, never
recorded in the creative history, dropped and rebuilt by `reindex`.
"""

from django.db import models


class LexicalDocument(models.Model):
    asset = models.OneToOneField("registry.Asset", primary_key=True, on_delete=models.CASCADE, related_name="+")
    title = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    details = models.TextField(blank=True)
    # The asset version these terms were analysed from.
    version = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"lexical document of asset {self.asset_id}"
