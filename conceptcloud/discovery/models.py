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

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.models import TimeStampedModel


class LexicalDocument(models.Model):
    asset = models.OneToOneField("registry.Asset", primary_key=True, on_delete=models.CASCADE, related_name="+")
    title = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    details = models.TextField(blank=True)
    # The asset is not public: its teaser is searched apart, for viewers without
    # FULL access (a public asset's details are open to everyone who sees it).
    restricted = models.BooleanField(default=False)
    # The asset version these terms were analysed from.
    version = models.PositiveIntegerField()
    # Each process's postings copy (index.PostingsCopy) follows the newest change.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"lexical document of asset {self.asset_id}"


class AssetVector(models.Model):
    """An asset's sentence embedding and near-duplicate signature (derived data).

    Computed from what every viewer of the asset may see (services.asset_vector_text:
    title, keywords and summary; the details too only when the asset is public), so
    neither a similarity nor a near-duplicate flag can reveal hidden text. `text_hash`
    is the SHA-256 of that text: an unchanged text is never embedded again.
    """

    asset = models.OneToOneField("registry.Asset", primary_key=True, on_delete=models.CASCADE, related_name="+")
    text_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=100)
    vector = models.BinaryField()
    # MinHash signature of the text's word shingles (discovery.duplicates), uint32 little-endian.
    minhash = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"vector of asset {self.asset_id}"


class NeedVector(models.Model):
    """A need's sentence embedding (needs are public: title and description)."""

    need = models.OneToOneField("registry.Need", primary_key=True, on_delete=models.CASCADE, related_name="+")
    text_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=100)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"vector of need {self.need_id}"


class PersonVector(models.Model):
    """A person's expertise embedding: public profile (skills, bio, affiliation) and
    the titles of their published public assets."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    text_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=100)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"vector of person {self.user_id}"


class SavedSearch(TimeStampedModel):
    """A person's saved query (text and facet filters) or saved need; its owner is
    notified of each new listing that matches (services.saved_searches_notify).
    User data, not derived: created and removed through services, with an entry."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=200)
    query = models.CharField(_("search text"), max_length=500, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    need = models.ForeignKey("registry.Need", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(_("also by e-mail"), default=True)
    # Embedding of the query text (or of the need), for matching new listings.
    vector = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SavedSearchMatch(models.Model):
    """A listing already reported to a saved search's owner (never twice)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    asset = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "asset"], name="saved_search_match_once")]
