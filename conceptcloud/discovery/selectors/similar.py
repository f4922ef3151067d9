"""Help while registering: similar existing assets, near-duplicates, SDG suggestions.

    draft_check(title=, summary=, details=, keywords=)   → Draft, or InvalidInput
                                                  naming each bad field
    registration_help(user=, draft=, exclude_asset_id=, limit=)
                                               → RegistrationHelp(similar, near_duplicates)
    assets_similar_to_text(user=, title=, summary=, details=, exclude_asset_id=, limit=)
                                               → [SimilarAsset]: possible prior art
    near_duplicates_of_text(user=, title=, summary=, details=, exclude_asset_id=)
                                               → [NearDuplicate]
    sdg_suggestions(text=)                     → [sdg.Suggestion], or InvalidInput
    signature_index_cache()                    the near-duplicate index of this process

Similar assets are the hybrid ranking of search (selectors.search.assets_ranked)
with the draft's title and summary as the query: matches by words (details only
where the viewer has full access) fused with matches by meaning (the stored
vectors, built from what every viewer may see). An asset matched only by words
is shown only among the best `limit` of those, so a long draft sharing one
common word with a listing does not list it.

Near-duplicates are judged on shingles of analysed terms (discovery.duplicates),
two ways:
- against the stored signatures (AssetVector.minhash, over the same text as the
  asset's vector: title, keywords, summary, and the details only of a public
  asset), found by banded LSH: the draft's text is signed twice, with and without
  its details, to meet both kinds of stored text;
- against the teaser (title, keywords, summary) of each asset the similarity
  ranking found, exactly: a draft that copies a listing's title and summary but
  has no details yet is caught although the listing's signature holds its
  details.
Both use only text that every viewer of the asset may read, so no hidden details
can make an asset similar or a near-duplicate, and every result is checked
against the viewer's visibility (registry.selectors.assets_visible_to): drafts
and withdrawn assets of others never appear.

The signature index is a copy of the stored signatures in this process's memory,
brought up to date on use like the vector indexes (discovery.index): one cheap
aggregate query per use; changed rows shadow the copy in a small delta index; a
full rebuild when rows were deleted or the delta has grown past index.DELTA_LIMIT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from conceptcloud.core.errors import InvalidInput
from conceptcloud.discovery import duplicates, sdg
from conceptcloud.discovery.index import StoredCopy, stored_columns
from conceptcloud.discovery.models import AssetVector
from conceptcloud.discovery.selectors.search import MAX_QUERY_CHARS, assets_ranked
from conceptcloud.discovery.services.indexing import asset_vector_text
from conceptcloud.discovery.text import analyse
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, assets_full_access_q, assets_visible_to

MAX_TITLE = 300
MAX_SUMMARY = 2_000
MAX_DETAILS = 100_000
MAX_KEYWORDS = 30
SIMILAR_LIMIT = 5
# Assets of the similarity ranking whose teasers are compared for near-duplicates.
CANDIDATES = 20


@dataclass(frozen=True)
class Draft:
    """The text of an asset being registered (or edited), checked."""

    title: str
    summary: str
    details: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        """Title and summary: what the similarity ranking searches for."""
        return "\n".join(part for part in (self.title, self.summary) if part)[:MAX_QUERY_CHARS]

    def text(self, *, with_details: bool) -> str:
        """The draft as the stored signatures see an asset (indexing.asset_vector_text)."""
        unsaved = Asset(
            title=self.title,
            summary=self.summary,
            details=self.details if with_details else "",
            keywords=list(self.keywords),
            visibility=Asset.Visibility.PUBLIC,
        )
        return asset_vector_text(unsaved)


@dataclass(frozen=True)
class SimilarAsset:
    asset: Asset
    access: Access  # FULL or TEASER (MANAGE counts as FULL): what the viewer may open
    similarity: float | None  # cosine of meaning to the draft, where matched by meaning
    lexical_rank: int | None
    dense_rank: int | None


@dataclass(frozen=True)
class NearDuplicate:
    asset: Asset
    similarity: float  # Jaccard similarity of the shingles (estimated from signatures, or exact)


@dataclass(frozen=True)
class RegistrationHelp:
    similar: list[SimilarAsset]
    near_duplicates: list[NearDuplicate]


def draft_check(*, title: str = "", summary: str = "", details: str = "", keywords: Sequence[str] = ()) -> Draft:
    """The draft's text, stripped; InvalidInput naming each field that is too long,
    or the title when both title and summary are empty."""
    title, summary, details = (title or "").strip(), (summary or "").strip(), (details or "").strip()
    words = tuple(word for word in (str(keyword).strip() for keyword in keywords) if word)
    errors: dict[str, list[str]] = {}
    for name, value, limit in (("title", title, MAX_TITLE), ("summary", summary, MAX_SUMMARY), ("details", details, MAX_DETAILS)):
        if len(value) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if len(words) > MAX_KEYWORDS or any(len(word) > 100 for word in words):
        errors["keywords"] = [_("At most %(n)d keywords of up to 100 characters.") % {"n": MAX_KEYWORDS}]
    if not title and not summary:
        errors["title"] = [_("Type a title or a summary first.")]
    if errors:
        raise InvalidInput(_("The text to compare is not valid."), errors=errors)
    return Draft(title=title, summary=summary, details=details, keywords=words)


def sdg_suggestions(*, text: str) -> list[sdg.Suggestion]:
    """The SDGs the text most likely serves (discovery.sdg); InvalidInput for empty
    or over-long text."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput.field("text", _("Type some text first: a title, a summary or a description."))
    if len(text) > sdg.MAX_CHARS:
        raise InvalidInput.field("text", _("At most %(n)d characters.") % {"n": sdg.MAX_CHARS})
    return sdg.suggest(text)


# ---------------------------------------------------------------- similar assets


def _similar(*, user, draft: Draft, exclude_asset_id: int | None, limit: int) -> tuple[list[SimilarAsset], list[int]]:
    """The similar assets to show, and the ids of the ranking's best CANDIDATES."""
    ranked = [r for r in assets_ranked(user=user, query=draft.query, limit=max(limit, CANDIDATES) + 1) if r.id != exclude_asset_id]
    shown = [r for r in ranked if r.dense_rank is not None or (r.lexical_rank is not None and r.lexical_rank <= limit)][:limit]
    ids = [r.id for r in shown]
    visible = assets_visible_to(user=user)
    assets = {asset.pk: asset for asset in visible.filter(pk__in=ids)}
    full = set(visible.filter(assets_full_access_q(user=user), pk__in=ids).values_list("pk", flat=True))
    similar = [
        SimilarAsset(
            asset=assets[r.id],
            access=Access.FULL if r.id in full else Access.TEASER,
            similarity=r.similarity,
            lexical_rank=r.lexical_rank,
            dense_rank=r.dense_rank,
        )
        for r in shown
        if r.id in assets
    ]
    return similar, [r.id for r in ranked[:CANDIDATES]]


def assets_similar_to_text(
    *, user, title: str, summary: str, details: str = "", exclude_asset_id: int | None = None, limit: int = SIMILAR_LIMIT
) -> list[SimilarAsset]:
    """The visible assets most like the draft, best first (see module); raises
    InvalidInput as draft_check does."""
    draft = draft_check(title=title, summary=summary, details=details)
    return _similar(user=user, draft=draft, exclude_asset_id=exclude_asset_id, limit=limit)[0]


# ---------------------------------------------------------------- near-duplicates


def _teaser_terms(asset: Asset) -> list[str]:
    return analyse(Draft(title=asset.title, summary=asset.summary, keywords=tuple(map(str, asset.keywords))).text(with_details=False))


def _near(*, user, draft: Draft, exclude_asset_id: int | None, candidates: Sequence[int]) -> list[NearDuplicate]:
    teaser = analyse(draft.text(with_details=False))
    found: dict[int, float] = {}
    signed = [teaser]
    if draft.details:
        signed.append(analyse(draft.text(with_details=True)))
    exclude = {exclude_asset_id} if exclude_asset_id is not None else set()
    for terms in signed:
        if len(terms) >= duplicates.MIN_TERMS:
            for hit in signature_index_cache().near(duplicates.signature(terms), exclude=exclude):
                found[hit.id] = max(found.get(hit.id, 0.0), hit.similarity)
    visible = assets_visible_to(user=user).exclude(pk__in=exclude)
    if len(teaser) >= duplicates.MIN_TERMS and candidates:
        for asset in visible.select_related(None).filter(pk__in=list(candidates)).only("pk", "title", "summary", "keywords"):
            score = duplicates.jaccard(teaser, _teaser_terms(asset))
            if score >= duplicates.NEAR_DUPLICATE:
                found[asset.pk] = max(found.get(asset.pk, 0.0), score)
    if not found:
        return []
    assets = {asset.pk: asset for asset in visible.filter(pk__in=list(found))}
    near = [NearDuplicate(asset=assets[pk], similarity=round(score, 4)) for pk, score in found.items() if pk in assets]
    near.sort(key=lambda item: (-item.similarity, item.asset.pk))
    return near


def near_duplicates_of_text(
    *, user, title: str, summary: str, details: str = "", exclude_asset_id: int | None = None
) -> list[NearDuplicate]:
    """The visible assets that are near-duplicates of the draft, most alike first
    (see module); raises InvalidInput as draft_check does."""
    draft = draft_check(title=title, summary=summary, details=details)
    candidates = _similar(user=user, draft=draft, exclude_asset_id=exclude_asset_id, limit=0)[1]
    return _near(user=user, draft=draft, exclude_asset_id=exclude_asset_id, candidates=candidates)


def registration_help(
    *, user, draft: Draft, exclude_asset_id: int | None = None, limit: int = SIMILAR_LIMIT
) -> RegistrationHelp:
    """Similar assets and near-duplicates of a checked draft, from one ranking."""
    similar, candidates = _similar(user=user, draft=draft, exclude_asset_id=exclude_asset_id, limit=limit)
    near = _near(user=user, draft=draft, exclude_asset_id=exclude_asset_id, candidates=candidates)
    return RegistrationHelp(similar=similar, near_duplicates=near)


# ---------------------------------------------------------------- the signature index


class SignatureCache(StoredCopy):
    """The stored near-duplicate signatures (AssetVector.minhash) as an index,
    refreshed on use like the vector indexes (index.StoredCopy)."""

    columns = ("minhash",)

    def _decode(self, values: tuple) -> bytes | None:
        (blob,) = values
        return bytes(blob) if blob else None

    def _build(self, rows: Iterable[tuple[int, bytes]]) -> duplicates.SignatureIndex:
        ids, values = stored_columns(rows)
        return duplicates.build(ids, values)

    def near(self, signature: bytes, *, exclude: set[int] | frozenset[int] = frozenset()) -> list[duplicates.Near]:
        """Stored signatures at least duplicates.NEAR_DUPLICATE alike, best first.
        Not filtered by visibility: callers check every id against it."""
        base, delta, shadowed = self._snapshot()
        hits = base.near(signature, exclude=shadowed | set(exclude)) + delta.near(signature, exclude=exclude)
        hits.sort(key=lambda hit: (-hit.similarity, hit.id))
        return hits


_signatures = SignatureCache(AssetVector, "asset_id")


def signature_index_cache() -> SignatureCache:
    return _signatures
