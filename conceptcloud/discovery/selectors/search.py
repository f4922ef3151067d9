"""Search over the assets a viewer may see: hybrid ranking, facets, sort, pages, snippets.

    search_params(params)          query-string parameters → SearchParams, or
                                   InvalidInput naming each bad field
    assets_ranked(user=, query=, within=, limit=)
                                   [Ranked]: the hybrid ranking of the visible assets
    assets_search(user=, params=, per_page=)
                                   SearchPage: one page of hits with snippets, and
                                   the facets of all matching assets with counts

Hybrid ranking. Two retrievers, each over the viewer's visible assets only:
lexical (the backend's BM25-style ranking with field boosts: title 3, keywords 2,
summary 1.5, details 1 — details only where the viewer has full access; all words
first, then some, up to LEXICAL_LIMIT) and dense (the query's sentence embedding
against the stored asset vectors, which come from what every viewer may see;
DENSE_LIMIT nearest with cosine ≥ DENSE_MIN). Their lists are fused by reciprocal
rank (ranking.fuse). A query written mostly in Japanese script is searched
lexically only: the embedding model is English, and Japanese text would meet
Japanese listings at spuriously high similarity (indexing.py).

The matching assets are the union of both lists, so the count and every facet
count are of exactly the assets a person can page through. Facet counts are
drill-down counts: of the assets matching the query and all selected filters.
Without a query the search is a browse of the filtered visible assets.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from conceptcloud.accounts.models import Organisation
from conceptcloud.core.codes import SDG_NAMES, country_names, is_country
from conceptcloud.core.errors import InvalidInput
from conceptcloud.discovery.index import asset_index_cache, query_vector
from conceptcloud.discovery.ranking import fuse
from conceptcloud.discovery.selectors.lexical import Scope, assets_lexical_search, search_scope
from conceptcloud.discovery.snippets import Segment, highlight, snippet
from conceptcloud.discovery.text import Word, analyse_query, mostly_japanese
from conceptcloud.evaluation import selectors as evaluation_selectors
from conceptcloud.registry.models import Asset, AssetFacet
from conceptcloud.registry.selectors import Access, assets_full_access_q, assets_visible_to
from conceptcloud.registry.vocab import RIGHTS_STATEMENTS

LEXICAL_LIMIT = 1_000
# One thread per process embeds queries beside the lexical search (assets_ranked);
# made in the process that uses it, since a thread does not survive a fork.
_embedders: dict[int, ThreadPoolExecutor] = {}


def _embedder() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _embedders:
        _embedders[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embedding")
    return _embedders[pid]
DENSE_LIMIT = 100
# Below this cosine a neighbour is not a match (all-MiniLM-L6-v2: unrelated
# listings score about 0–0.2 against a query, related ones 0.35 and up).
DENSE_MIN = 0.35
MAX_QUERY_CHARS = 500
MAX_PAGE = 1_000
PER_PAGE = 20

SORTS = ("relevance", "newest", "title", "trl", "praise", "reputation")
STANDINGS = tuple(evaluation_selectors.STANDING_LABELS)
FACETS = ("kind", "sdg", "trl", "country", "availability", "organisation_type", "rights")


@dataclass(frozen=True)
class SearchFilters:
    kind: str = ""
    sdg: int | None = None
    trl: int | None = None
    country: str = ""
    availability: str = ""
    organisation_type: str = ""
    rights: str = ""
    organisation: str = ""
    standing: str = ""  # evaluation.selectors: "praised", or a reputation percentile band

    def selected(self, name: str) -> str:
        value = getattr(self, name)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class SearchParams:
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1


@dataclass(frozen=True, slots=True)
class Ranked:
    id: int
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    similarity: float | None


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    asset: Asset
    access: Access
    score: float | None
    title: list[Segment]
    snippet: list[Segment]
    lexical_rank: int | None = None
    dense_rank: int | None = None
    similarity: float | None = None
    praise: int = 0


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    query: str
    sort: str
    filters: SearchFilters


def _int_in(params: Mapping[str, str], name: str, low: int, high: int, errors: dict, message: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    errors[name] = [message]
    return None


def _choice(params: Mapping[str, str], name: str, allowed, errors: dict, message: str) -> str:
    raw = (params.get(name) or "").strip()
    if raw and raw not in allowed:
        errors[name] = [message]
        return ""
    return raw


def search_params(params: Mapping[str, str]) -> SearchParams:
    """Parse search parameters (q, the facets, organisation, sort, page). Raises
    InvalidInput with a message per bad field; nothing else is ever raised."""
    errors: dict[str, list[str]] = {}
    query = (params.get("q") or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        errors["q"] = [_("Search text is at most %(n)d characters.") % {"n": MAX_QUERY_CHARS}]
    country = (params.get("country") or "").strip().upper()
    if country and not is_country(country):
        errors["country"] = [_("Unknown country code.")]
    organisation = (params.get("organisation") or "").strip()
    if len(organisation) > 80:
        errors["organisation"] = [_("Unknown organisation.")]
    filters = SearchFilters(
        kind=_choice(params, "kind", Asset.Kind.values, errors, _("Unknown kind of asset.")),
        sdg=_int_in(params, "sdg", 1, 17, errors, _("SDG must be a number from 1 to 17.")),
        trl=_int_in(params, "trl", 1, 9, errors, _("TRL must be a number from 1 to 9.")),
        country=country,
        availability=_choice(params, "availability", Asset.Availability.values, errors, _("Unknown availability.")),
        organisation_type=_choice(
            params, "organisation_type", Organisation.Kind.values, errors, _("Unknown type of organisation.")
        ),
        rights=_choice(params, "rights", RIGHTS_STATEMENTS, errors, _("Unknown rights statement.")),
        organisation=organisation,
        standing=_choice(params, "standing", STANDINGS, errors, _("Unknown standing.")),
    )
    sort = (params.get("sort") or "relevance").strip()
    if sort not in SORTS:
        errors["sort"] = [_("Sort by relevance, newest, title, TRL, praise or reputation.")]
    page = _int_in(params, "page", 1, MAX_PAGE, errors, _("Page must be a number from 1 to %(n)d.") % {"n": MAX_PAGE})
    if errors:
        raise InvalidInput(_("Some search parameters are not valid."), errors=errors)
    return SearchParams(query=query, filters=filters, sort=sort, page=page or 1)


def assets_filtered(*, user, filters: SearchFilters) -> QuerySet[Asset]:
    """The assets `user` may see that pass every selected filter."""
    assets = assets_visible_to(user=user)
    if filters.kind:
        assets = assets.filter(kind=filters.kind)
    if filters.trl is not None:
        assets = assets.filter(trl=filters.trl)
    if filters.organisation_type:
        assets = assets.filter(owner_org__kind=filters.organisation_type)
    if filters.rights:
        assets = assets.filter(rights_statement=filters.rights)
    if filters.organisation:
        assets = assets.filter(owner_org__slug=filters.organisation)
    if filters.standing:
        assets = evaluation_selectors.assets_standing_at_least(assets, filters.standing)
    for name, value in (("sdg", filters.selected("sdg")), ("country", filters.country), ("availability", filters.availability)):
        if value:
            assets = assets.filter(Exists(AssetFacet.objects.filter(asset=OuterRef("pk"), name=name, value=value)))
    return assets


def _dense(scope: Scope, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The visible assets nearest the query, with cosine ≥ DENSE_MIN, best first.

    The nearest 4·limit of all assets are checked against the scope in one
    statement; when fewer than `limit` of them qualify and more may exist, the
    search is repeated over exactly the visible ids (cheap when filters make them
    few)."""
    cache = asset_index_cache()
    fetched = cache.search(vector, 4 * limit)
    near = [hit for hit in fetched if hit.score >= DENSE_MIN]
    allowed = scope.access(hit.id for hit in near)
    hits = [hit for hit in near if hit.id in allowed][:limit]
    if len(hits) < limit and len(near) == len(fetched) == 4 * limit:
        every = set(scope.visible.order_by().values_list("pk", flat=True))
        hits = [hit for hit in cache.search(vector, limit, allowed=every) if hit.score >= DENSE_MIN]
    return [(hit.id, hit.score) for hit in hits]


def assets_ranked(
    *,
    user,
    query: str,
    within: QuerySet[Asset] | None = None,
    limit: int = LEXICAL_LIMIT,
    vector: np.ndarray | None = None,
) -> list[Ranked]:
    """The visible assets (of `within`, when given) matching `query`, best first by
    reciprocal-rank fusion of the lexical and dense rankings (see module).
    `vector`, when given, is the query's embedding already at hand (a saved
    search's stored one), so it is not computed again."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query or limit <= 0:
        return []
    scope = search_scope(user=user, within=within)
    dense_wanted = not mostly_japanese(query)
    # The query's embedding (model time, no database) is computed while the lexical
    # search runs in the database: both release the interpreter's lock.
    embedding = _embedder().submit(query_vector, query) if dense_wanted and vector is None else None
    lexical = assets_lexical_search(user=user, query=query, limit=limit, scope=scope)
    if embedding is not None:
        vector = embedding.result()
    dense = _dense(scope, vector, min(limit, DENSE_LIMIT)) if dense_wanted else []
    similarity = dict(dense)
    fused = fuse([[pk for pk, _score in lexical], [pk for pk, _score in dense]], limit=limit)
    return [Ranked(f.id, f.score, f.ranks[0], f.ranks[1], similarity.get(f.id)) for f in fused]


_ROW_FACETS = (("kind", "kind"), ("trl", "trl"), ("owner_org__kind", "organisation_type"), ("rights_statement", "rights"))
_CODE_FACETS = ("sdg", "country", "availability")


def _facet_counts(assets: QuerySet[Asset], *, few: bool) -> dict[str, dict[str, int]]:
    """How many of `assets` hold each value of each facet. `few`: the assets are a
    query's matches (at most about LEXICAL_LIMIT + DENSE_LIMIT), read once and counted
    here, their codes looked up by asset; a browse of every visible asset is counted
    by the database, one GROUP BY per facet."""
    if few:
        return _facet_counts_of_rows(assets)
    plain = assets.select_related(None).order_by()
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for column, name in _ROW_FACETS:
        for value, n in plain.values_list(column).annotate(n=Count("pk")).values_list(column, "n"):
            if value not in (None, ""):
                counts[name][str(value)] = n
    rows = (
        AssetFacet.objects.filter(name__in=_CODE_FACETS, asset__in=plain.values("pk"))
        .values_list("name", "value")
        .annotate(n=Count("asset", distinct=True))
    )
    for name, value, n in rows:
        counts[name][value] = n
    return counts


def _facet_counts_of_rows(assets: QuerySet[Asset]) -> dict[str, dict[str, int]]:
    rows = list(assets.select_related(None).order_by().values_list("pk", *(column for column, _ in _ROW_FACETS)))
    tallies: dict[str, Counter] = {name: Counter() for name in FACETS}
    for _pk, *values in rows:
        for (_column, name), value in zip(_ROW_FACETS, values, strict=True):
            if value not in (None, ""):
                tallies[name][str(value)] += 1
    # By asset id only: the planner then looks each asset's codes up by its key.
    codes = AssetFacet.objects.filter(asset_id__in=[row[0] for row in rows]).values_list("asset_id", "name", "value")
    held = {(pk, name, value) for pk, name, value in codes if name in _CODE_FACETS}
    for _pk, name, value in held:
        tallies[name][value] += 1
    return {name: dict(tally) for name, tally in tallies.items()}


def _labels() -> dict[str, dict[str, str]]:
    return {
        "kind": dict(Asset.Kind.choices),
        "sdg": {str(n): f"{n}. {name}" for n, name in SDG_NAMES.items()},
        "trl": {str(n): _("TRL %(n)d") % {"n": n} for n in range(1, 10)},
        "country": country_names(),
        "availability": dict(Asset.Availability.choices),
        "organisation_type": dict(Organisation.Kind.choices),
        "rights": {uri: str(label) for uri, label in RIGHTS_STATEMENTS.items()},
    }


def _ordered(name: str, values: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """Facet values in reading order: numbered facets by number, the vocabularies in
    their own order, countries and rights statements by count then label."""
    if name in ("sdg", "trl"):
        return sorted(values.items(), key=lambda item: int(item[0]))
    if name in ("country", "rights"):
        return sorted(values.items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
    return sorted(values.items(), key=lambda item: list(labels).index(item[0]) if item[0] in labels else len(labels))


def _facets(assets: QuerySet[Asset], filters: SearchFilters, *, few: bool) -> dict[str, list[FacetValue]]:
    counts = _facet_counts(assets, few=few)
    labels = _labels()
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        selected = filters.selected(name)
        values = dict(counts[name])
        if selected and selected not in values:
            values[selected] = 0
        facets[name] = [
            FacetValue(value=value, label=str(labels[name].get(value, value)), count=n, selected=value == selected)
            for value, n in _ordered(name, values, labels[name])
        ]
    return facets


def _sorted(assets: QuerySet[Asset], sort: str) -> QuerySet[Asset]:
    if sort == "praise":
        return evaluation_selectors.assets_by_praise(assets)
    if sort == "reputation":
        return evaluation_selectors.assets_by_reputation(assets)
    return assets.order_by(*_SORTS.get(sort, _SORTS["newest"]))


_SORTS = {
    "newest": ("-created_at", "-pk"),
    "title": ("title", "pk"),
    "trl": (F("trl").desc(nulls_last=True), "-created_at", "-pk"),
}


def _hits(*, user, page_ids: list[int], words: list[Word], ranked: dict[int, Ranked]) -> list[SearchHit]:
    assets = {asset.pk: asset for asset in Asset.objects.filter(pk__in=page_ids).select_related("owner_org", "owner_user")}
    full = set(
        assets_visible_to(user=user).filter(assets_full_access_q(user=user), pk__in=page_ids).values_list("pk", flat=True)
    )
    praise = evaluation_selectors.praise_counts(asset_ids=page_ids)
    hits = []
    for pk in page_ids:
        asset = assets[pk]
        access = Access.FULL if pk in full else Access.TEASER
        text = asset.summary
        if words and access == Access.FULL and asset.details and not any(hit for _t, hit in highlight(asset.summary, words)):
            text = asset.details
        match = ranked.get(pk)
        hits.append(
            SearchHit(
                asset=asset,
                access=access,
                score=match.score if match else None,
                title=highlight(asset.title, words) if words else [(asset.title, False)],
                snippet=snippet(text, words) if words else snippet(text, []),
                lexical_rank=match.lexical_rank if match else None,
                dense_rank=match.dense_rank if match else None,
                similarity=match.similarity if match else None,
                praise=praise.get(pk, 0),
            )
        )
    return hits


def assets_search(*, user, params: SearchParams, per_page: int = PER_PAGE) -> SearchPage:
    """One page of the search (see module). Hits carry only what `user` may see:
    snippets come from the summary, or from the details where `user` has full
    access and the summary holds no query word."""
    filtered = assets_filtered(user=user, filters=params.filters)
    ranked: dict[int, Ranked] = {}
    if params.query:
        matches = assets_ranked(user=user, query=params.query, within=filtered)
        ranked = {match.id: match for match in matches}
        matching = filtered.filter(pk__in=list(ranked))
        total = len(ranked)
    else:
        matching = filtered
        total = matching.order_by().count()
    pages = max(1, math.ceil(total / per_page))
    page = min(params.page, pages)
    start = (page - 1) * per_page
    if params.query and params.sort == "relevance":
        page_ids = list(ranked)[start : start + per_page]
    else:
        page_ids = list(_sorted(matching, params.sort).values_list("pk", flat=True)[start : start + per_page])
    words = analyse_query(params.query) if params.query else []
    return SearchPage(
        hits=_hits(user=user, page_ids=page_ids, words=words, ranked=ranked),
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        facets=_facets(matching, params.filters, few=bool(params.query)),
        query=params.query,
        sort=params.sort,
        filters=params.filters,
    )
