"""Ninja schemas of the discovery API.

Search: SearchQuery (the query string), SearchOut (one page: hits and facets).
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from conceptcloud.core.api import QuerySchema
from conceptcloud.registry.schemas import AssetTeaserOut

# ---------------------------------------------------------------- search


class SearchQuery(QuerySchema):
    q: str = Field(
        "",
        description="Free text in English or Japanese (at most 500 characters). Empty: browse with facets.",
    )
    kind: str = Field("", description="Kind of asset: idea, technology, patent, design, work, dataset, know-how, lesson.")
    sdg: int | None = Field(None, description="Sustainable Development Goal, 1 to 17.")
    trl: int | None = Field(None, description="Technology readiness level, 1 to 9.")
    country: str = Field("", description="ISO 3166-1 alpha-2 code (developed or deployed in).")
    availability: str = Field("", description="Available for: licence, collaboration, joint-venture, sale, open.")
    organisation_type: str = Field("", description="Type of the owning organisation: university, tlo, company, sme, startup, government, ngo, individual.")
    rights: str = Field("", description="Rights statement URI (see `facets.rights`).")
    organisation: str = Field("", description="Owning organisation's slug.")
    standing: str = Field("", description="praised (at least one praise), or top10, top25, top50 by reputation.")
    sort: Literal["relevance", "newest", "title", "trl", "praise", "reputation"] = Field(
        "relevance",
        description="Relevance (newest first without `q`), newest, title, TRL (highest first), praise (most "
        "praised first) or reputation (highest first).",
    )
    page: int = Field(1, ge=1, le=1000, description="Page number, from 1.")
    per_page: int = Field(20, ge=1, le=100, description="Results per page, at most 100.")


class SegmentOut(Schema):
    text: str
    highlighted: bool = Field(description="Whether this stretch is where a query word occurs.")


class SearchHitOut(AssetTeaserOut):
    access: Literal["full", "teaser"] = Field(description="Your access to the asset: `teaser` shows no details.")
    score: float | None = Field(description="Fused relevance score (higher is better); null without `q`.")
    title_highlight: list[SegmentOut] = Field(description="The title in segments, query words highlighted.")
    snippet: list[SegmentOut] = Field(
        description="About 240 characters of the summary (or of the details, only where you have full access "
        "and the summary holds no query word), query words highlighted; “…” where cut."
    )
    lexical_rank: int | None = Field(description="Rank among the matches by words (1 = best), or null.")
    dense_rank: int | None = Field(description="Rank among the matches by meaning (1 = best), or null.")
    similarity: float | None = Field(description="Cosine similarity of meaning to the query, where matched by meaning.")
    praise: int = Field(description="How many people praised the asset.")


class FacetValueOut(Schema):
    value: str = Field(description="The value to pass as the facet's parameter.")
    label: str
    count: int = Field(description="How many of the matching assets have this value.")
    selected: bool


class SearchOut(Schema):
    count: int = Field(description="How many assets match, on all pages.")
    page: int
    pages: int
    per_page: int
    query: str
    sort: str
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]] = Field(
        description="kind, sdg, trl, country, availability, organisation_type, rights: the values the matching "
        "assets hold, with counts (and a selected value even at 0)."
    )
