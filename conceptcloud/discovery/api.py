"""Discovery endpoints under /api/v1/. Thin adapters: parse → discovery selectors → shape.

    GET  /search        hybrid search of the assets you may see (tag "Search"):
                        hits with highlighted title and snippet, facets with counts
    GET|POST /saved-searches/, GET|DELETE /saved-searches/{id}
                        your saved queries and needs (tag "Saved searches")
    GET  /needs/{id}/technologies, /assets/{id}/needs, /assets/{id}/partners,
         /people/{username}/mentors
                        matches with their reasons (tag "Matching")
    POST /discovery/similar          similar assets and near-duplicates of a draft
    POST /discovery/sdg-suggestions  SDGs suggested for a text (tag "Registration help")

Errors are problem+json (core/api.py): a bad parameter is 422 with its field named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import InputSchema, problems
from conceptcloud.core.codes import SDG_NAMES
from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.discovery.schemas import SearchOut, SearchQuery
from conceptcloud.discovery.selectors import matching as matching_selectors
from conceptcloud.discovery.selectors import saved as saved_selectors
from conceptcloud.discovery.selectors import search as search_selectors
from conceptcloud.discovery.selectors import similar as similar_selectors
from conceptcloud.discovery.services import saved_searches as saved_search_services
from conceptcloud.registry import selectors as registry_selectors
from conceptcloud.registry.schemas import AssetTeaserOut

router = Router()

# ---------------------------------------------------------------- search

SEARCH = ["Search"]


def _segments_out(segments) -> list[dict]:
    return [{"text": text, "highlighted": highlighted} for text, highlighted in segments]


def _hit_out(request: HttpRequest, hit: search_selectors.SearchHit) -> dict:
    data = registry_selectors.asset_teaser(hit.asset)
    data["url"] = request.build_absolute_uri(reverse("api:asset_detail", kwargs={"asset_id": hit.asset.pk}))
    data["access"] = "full" if hit.access == registry_selectors.Access.FULL else "teaser"
    data["score"] = hit.score
    data["title_highlight"] = _segments_out(hit.title)
    data["snippet"] = _segments_out(hit.snippet)
    data["lexical_rank"] = hit.lexical_rank
    data["dense_rank"] = hit.dense_rank
    data["similarity"] = hit.similarity
    data["praise"] = hit.praise
    return data


@router.get("/search", response={200: SearchOut, **problems(401, 422)}, tags=SEARCH, summary="Search assets")
def search(request, params: Query[SearchQuery]):
    """Assets you may see matching free text (English or Japanese) and filters, one page at a time.

    Ranking fuses matches by words and by meaning. Every count, facet and snippet
    is built only from what you may see: details are searched and quoted only
    where you have full access."""
    # The selectors' parser checks the values (vocabularies, ranges) and names bad fields.
    raw = {key: ("" if value is None else str(value)) for key, value in params.model_dump(exclude={"per_page"}).items()}
    found = search_selectors.assets_search(
        user=request.auth, params=search_selectors.search_params(raw), per_page=params.per_page
    )
    return {
        "count": found.total,
        "page": found.page,
        "pages": found.pages,
        "per_page": found.per_page,
        "query": found.query,
        "sort": found.sort,
        "results": [_hit_out(request, hit) for hit in found.hits],
        "facets": {
            name: [
                {"value": value.value, "label": value.label, "count": value.count, "selected": value.selected}
                for value in values
            ]
            for name, values in found.facets.items()
        },
    }


# ---------------------------------------------------------------- saved searches
#
#   GET    /saved-searches/         your saved searches, newest first (pages)
#   POST   /saved-searches/         save a query (text + filters) or a need
#   GET    /saved-searches/{id}     one of yours
#   DELETE /saved-searches/{id}     delete one of yours
# Someone else's saved search is 404, like an absent one.

SAVED = ["Saved searches"]


class SavedSearchIn(InputSchema):
    name: str = Field("", description="A name for it (at most 200 characters); the text or the need's title when empty.")
    query: str = Field("", description="Search text, as `q` of GET /search. Needed unless `need` is given.")
    filters: dict[str, str | int] = Field(
        default_factory=dict,
        description="Filters as GET /search takes them: kind, sdg, trl, country, availability, "
        "organisation_type, rights, organisation.",
        examples=[{"kind": "technology", "sdg": 7}],
    )
    need: int | None = Field(None, description="Save a need instead: its id. New technologies similar to it are reported.")
    email: bool = Field(True, description="Also send each new match by e-mail.")


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    filters: dict[str, str] = Field(description="The filters, as GET /search takes them.")
    need: int | None = Field(description="The saved need's id, or null for a saved query.")
    email: bool
    created_at: datetime
    url: str = Field(description="This saved search in the API.")
    search_url: str = Field(description="The page that shows what it finds now: the search, or the need.")


def _saved_out(request: HttpRequest, saved) -> dict:
    if saved.need_id is not None:
        page = reverse("registry:need_detail", kwargs={"need_id": saved.need_id})
    else:
        page = f"{reverse('discovery:search')}?{saved_selectors.saved_search_rerun_query(saved)}"
    return {
        "id": saved.pk,
        "name": saved.name,
        "query": saved.query,
        "filters": saved.filters or {},
        "need": saved.need_id,
        "email": saved.email,
        "created_at": saved.created_at,
        "url": request.build_absolute_uri(reverse("api:saved_search_detail", kwargs={"saved_search_id": saved.pk})),
        "search_url": request.build_absolute_uri(page),
    }


@router.get(
    "/saved-searches/",
    auth=AUTH_REQUIRED,
    response={200: Page[SavedSearchOut], **problems(401, 422)},
    tags=SAVED,
    summary="List your saved searches",
)
def saved_search_list(request, paging: Query[PageParams]):
    """Your saved queries and needs, newest first."""
    found = saved_selectors.saved_searches_for_user(user=request.auth)
    return paginate(request, found, paging, shape=lambda saved: _saved_out(request, saved))


@router.post(
    "/saved-searches/",
    auth=AUTH_REQUIRED,
    response={201: SavedSearchOut, **problems(400, 401, 409, 422)},
    tags=SAVED,
    summary="Save a search",
)
def saved_search_create(request, payload: SavedSearchIn):
    """Save a query (text and filters) or a need. From now on each new listing it
    matches is reported once, in your notifications and (with `email`) by e-mail;
    what it finds today counts as seen. At most 50 per person (409 beyond)."""
    need = None
    if payload.need is not None:
        try:
            need = registry_selectors.need_get(need_id=payload.need)
        except NotFound as error:
            raise InvalidInput.field("need", error.message) from None
    saved = saved_search_services.saved_search_create(
        actor=request.auth,
        name=payload.name,
        query=payload.query,
        filters=payload.filters,
        need=need,
        email=payload.email,
    )
    return Status(201, _saved_out(request, saved))


@router.get(
    "/saved-searches/{int:saved_search_id}",
    auth=AUTH_REQUIRED,
    response={200: SavedSearchOut, **problems(401, 404)},
    url_name="saved_search_detail",
    tags=SAVED,
    summary="Get one of your saved searches",
)
def saved_search_detail(request, saved_search_id: int):
    saved = saved_selectors.saved_search_get_for_user(user=request.auth, saved_search_id=saved_search_id)
    return _saved_out(request, saved)


@router.delete(
    "/saved-searches/{int:saved_search_id}",
    auth=AUTH_REQUIRED,
    response={204: None, **problems(401, 404)},
    tags=SAVED,
    summary="Delete one of your saved searches",
)
def saved_search_delete(request, saved_search_id: int):
    saved = saved_selectors.saved_search_get_for_user(user=request.auth, saved_search_id=saved_search_id)
    saved_search_services.saved_search_delete(actor=request.auth, saved_search=saved)
    return Status(204, None)


# ---------------------------------------------------------------- matching
#
#   GET /needs/{id}/technologies      assets that fit a need
#   GET /assets/{id}/needs            open needs an asset fits
#   GET /assets/{id}/partners         organisations whose portfolio or needs fit an asset
#   GET /people/{username}/mentors    people whose skills and record fit a person
# Each result says why (reasons: [{kind, text}]), from what the caller may see.
# An asset the caller may not see, an absent need and a suspended or absent
# person are 404.

MATCHING = ["Matching"]


class MatchQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="How many results, at most 100.")


class PartnerQuery(Schema):
    limit: int = Field(10, ge=1, le=50, description="How many results, at most 50.")


class ReasonOut(Schema):
    kind: str = Field(description="What the reason rests on: " + ", ".join(matching_selectors.REASON_KINDS) + ".")
    text: str = Field(description="The reason as a plain sentence, in the language of the request.")


class AssetRefOut(Schema):
    id: int
    title: str
    url: str


class TechnologyMatchOut(Schema):
    asset: dict = Field(description="The asset's teaser, as in GET /assets/.")
    score: float = Field(description="How well it fits, higher is better (see the guide's Matching section).")
    similarity: float = Field(description="Cosine similarity of the texts' sentence embeddings, 0 to 1.")
    reasons: list[ReasonOut]


class NeedMatchOut(Schema):
    need: dict = Field(description="The need, as in GET /needs/{id}.")
    score: float
    similarity: float
    reasons: list[ReasonOut]


class PartnerOut(Schema):
    organisation: dict = Field(description="slug, name, kind, country and url of the organisation.")
    score: float
    listing_count: int = Field(description="How many of its published listings you may see.")
    listings: list[AssetRefOut] = Field(description="Its listings closest to the asset, best first.")
    need: AssetRefOut | None = Field(description="Its open need closest to the asset, if one fits.")
    reasons: list[ReasonOut]


class MentorOut(Schema):
    person: dict = Field(description="username, display_name, affiliation, country, skills and url of the person.")
    score: float
    similarity: float = Field(description="Cosine similarity of the two people's expertise embeddings, 0 to 1.")
    shared_skills: list[str] = Field(description="The mentor's skills that the person's skills, listings or needs mention.")
    listing_count: int = Field(description="Published listings of theirs that you may see.")
    contribution_count: int = Field(description="Contributions to listings of others that you may see.")
    reasons: list[ReasonOut]


def _reasons_out(reasons) -> list[dict]:
    return [{"kind": reason.kind, "text": reason.text} for reason in reasons]


def _api_url(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))


def _asset_ref(request: HttpRequest, asset) -> dict:
    return {"id": asset.pk, "title": asset.title, "url": _api_url(request, "asset_detail", asset_id=asset.pk)}


def _need_match_out(request: HttpRequest, match) -> dict:
    need = match.need
    return {
        "need": {
            "id": need.pk,
            "title": need.title,
            "description": need.description,
            "seeker_org": need.seeker_org.slug,
            "seeker_org_name": need.seeker_org.name,
            "status": need.status,
            "sdgs": need.sdgs,
            "countries": need.countries,
            "created_at": need.created_at,
            "url": _api_url(request, "need_detail", need_id=need.pk),
        },
        "score": match.score,
        "similarity": match.similarity,
        "reasons": _reasons_out(match.reasons),
    }


@router.get(
    "/needs/{int:need_id}/technologies",
    response={200: list[TechnologyMatchOut], **problems(401, 404, 422)},
    tags=MATCHING,
    summary="Technologies for a need",
)
def need_technologies(request, need_id: int, params: Query[MatchQuery]):
    """Published assets you may see that fit the need, best first, each with its reasons
    (shared terms, shared SDGs, deployment in the need's countries, similarity).
    Terms of an asset's details count only where you have full access to them."""
    need = registry_selectors.need_get(need_id=need_id)
    matches = matching_selectors.technologies_for_need(user=request.auth, need=need, limit=params.limit)
    return [
        {
            "asset": {**registry_selectors.asset_teaser(m.asset), "url": _api_url(request, "asset_detail", asset_id=m.asset.pk)},
            "score": m.score,
            "similarity": m.similarity,
            "reasons": _reasons_out(m.reasons),
        }
        for m in matches
    ]


@router.get(
    "/assets/{int:asset_id}/needs",
    response={200: list[NeedMatchOut], **problems(401, 404, 422)},
    tags=MATCHING,
    summary="Needs an asset fits",
)
def asset_needs(request, asset_id: int, params: Query[MatchQuery]):
    """Open needs (open or in discussion) of other organisations that the asset fits, best first."""
    view = registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    matches = matching_selectors.needs_for_asset(user=request.auth, asset_view=view, limit=params.limit)
    return [_need_match_out(request, m) for m in matches]


@router.get(
    "/assets/{int:asset_id}/partners",
    response={200: list[PartnerOut], **problems(401, 404, 422)},
    tags=MATCHING,
    summary="Partner organisations for an asset",
)
def asset_partners(request, asset_id: int, params: Query[PartnerQuery]):
    """Organisations other than the owner that could use or develop the asset, ranked by how
    well their whole portfolio of listings you may see fits it, and by their open needs."""
    view = registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    matches = matching_selectors.partners_for_asset(user=request.auth, asset_view=view, limit=params.limit)
    return [
        {
            "organisation": {
                "slug": m.organisation.slug,
                "name": m.organisation.name,
                "kind": m.organisation.kind,
                "country": m.organisation.country,
                "url": _api_url(request, "organisation_detail", slug=m.organisation.slug),
            },
            "score": m.score,
            "listing_count": m.listing_count,
            "listings": [_asset_ref(request, asset) for asset in m.listings],
            "need": (
                {"id": m.need.pk, "title": m.need.title, "url": _api_url(request, "need_detail", need_id=m.need.pk)}
                if m.need is not None else None
            ),
            "reasons": _reasons_out(m.reasons),
        }
        for m in matches
    ]


@router.get(
    "/people/{username}/mentors",
    response={200: list[MentorOut], **problems(401, 404, 422)},
    tags=MATCHING,
    summary="Mentors and experts for a person",
)
def person_mentors(request, username: str, params: Query[PartnerQuery]):
    """Active people whose skills and record (published listings, contributions) fit the
    person's skills, listings and needs, best first."""
    person = account_selectors.person_get(username=username)
    matches = matching_selectors.mentors_for_person(user=request.auth, person=person, limit=params.limit)
    return [
        {
            "person": {
                "username": m.person.username,
                "display_name": m.person.display_name,
                "affiliation": m.person.affiliation,
                "country": m.person.country,
                "skills": m.person.skills,
                "url": _api_url(request, "person_detail", username=m.person.username),
            },
            "score": m.score,
            "similarity": m.similarity,
            "shared_skills": m.shared_skills,
            "listing_count": m.listing_count,
            "contribution_count": m.contribution_count,
            "reasons": _reasons_out(m.reasons),
        }
        for m in matches
    ]


# ---------------------------------------------------------------- help while registering

REGISTRATION = ["Registration help"]


class DraftIn(InputSchema):
    title: str = Field("", description="The draft's title (at most 300 characters).")
    summary: str = Field("", description="Its summary, the teaser everyone sees (at most 2,000 characters).")
    details: str = Field("", description="Its details (at most 100,000 characters). Optional.")
    keywords: list[str] = Field(default_factory=list, description="Its keywords (at most 30). Optional.")
    exclude: int | None = Field(None, description="An asset to leave out: the one being edited.")


class SimilarAssetOut(AssetTeaserOut):
    access: Literal["full", "teaser"] = Field(description="Your access to the asset: `teaser` shows no details.")
    similarity: float | None = Field(description="Cosine similarity of meaning to the draft, where matched by meaning.")
    lexical_rank: int | None = Field(description="Rank among the matches by words (1 = best), or null.")
    dense_rank: int | None = Field(description="Rank among the matches by meaning (1 = best), or null.")


class NearDuplicateOut(AssetTeaserOut):
    similarity: float = Field(description="Share of the wording in common (Jaccard similarity of 3-word runs), 0.7 to 1.")


class SimilarOut(Schema):
    similar: list[SimilarAssetOut] = Field(description="Up to 5 assets you may see most like the draft, best first.")
    near_duplicates: list[NearDuplicateOut] = Field(
        description="Assets you may see whose title, keywords and summary (and public details) "
        "nearly repeat the draft's, most alike first."
    )


class SdgTextIn(InputSchema):
    text: str = Field(description="The text of an asset or need (at most 20,000 characters).")


class SdgSuggestionOut(Schema):
    goal: int = Field(description="The goal's number, 1 to 17.")
    title: str = Field(description="The goal's name.")
    score: float = Field(description="How well the text matches the goal's best target (higher is better).")
    target: str = Field(description="The UN target that matched best, e.g. `7.2` (empty when it was the goal itself).")
    reason: str = Field(description="The target that matched, quoted (English, the language of the UN text).")


def _teaser_out(request: HttpRequest, asset) -> dict:
    data = registry_selectors.asset_teaser(asset)
    data["url"] = request.build_absolute_uri(reverse("api:asset_detail", kwargs={"asset_id": asset.pk}))
    return data


@router.post(
    "/discovery/similar",
    response={200: SimilarOut, **problems(400, 401, 422)},
    tags=REGISTRATION,
    summary="Similar assets and near-duplicates of a draft",
)
def registration_similar(request, payload: DraftIn):
    """Before registering: the assets you may see most like a draft (possible prior art),
    and those that nearly repeat its wording. Only text every viewer of an asset may
    read is compared, so hidden details never make an asset appear. 422 when both
    title and summary are empty or a field is too long."""
    draft = similar_selectors.draft_check(
        title=payload.title, summary=payload.summary, details=payload.details, keywords=payload.keywords
    )
    found = similar_selectors.registration_help(user=request.auth, draft=draft, exclude_asset_id=payload.exclude)
    return {
        "similar": [
            {
                **_teaser_out(request, item.asset),
                "access": "full" if item.access >= registry_selectors.Access.FULL else "teaser",
                "similarity": item.similarity,
                "lexical_rank": item.lexical_rank,
                "dense_rank": item.dense_rank,
            }
            for item in found.similar
        ],
        "near_duplicates": [
            {**_teaser_out(request, near.asset), "similarity": near.similarity} for near in found.near_duplicates
        ],
    }


@router.post(
    "/discovery/sdg-suggestions",
    response={200: list[SdgSuggestionOut], **problems(400, 401, 422)},
    tags=REGISTRATION,
    summary="Suggest SDGs for a text",
)
def registration_sdgs(request, payload: SdgTextIn):
    """The Sustainable Development Goals a text most likely serves (at most 3, best
    first), each with the UN target its text matched. Suggestions only: nothing is
    stored. The UN text is English, so Japanese text gets few suggestions. 422 for
    empty or too long text."""
    return [
        {
            "goal": suggestion.goal,
            "title": str(SDG_NAMES[suggestion.goal]),
            "score": suggestion.score,
            "target": suggestion.target,
            "reason": suggestion.reason,
        }
        for suggestion in similar_selectors.sdg_suggestions(text=payload.text)
    ]
