"""Matching: what fits a need, an asset or a person — each match with its reasons.

    technologies_for_need(user=, need=, limit=20)        → [Match]         assets for a need
    needs_for_asset(user=, asset_view=, limit=20)        → [NeedMatch]     open needs an asset fits
    partners_for_asset(user=, asset_view=, limit=10)     → [PartnerMatch]  organisations whose
                                                                           portfolio or needs fit
    mentors_for_person(user=, person=, limit=10)         → [MentorMatch]   people to learn from
    Reason(kind, text)   why: kind is one of REASON_KINDS, text a plain sentence
                         in the active language

What a match may rest on. Everything is computed from what the viewer may see:
only assets the viewer may see at all are candidates (registry's
assets_visible_to; published ones only, since a match is a listing to act on);
an asset's terms come from its teaser fields (title, keywords, summary) and from
its details only where the viewer has FULL access (assets_full_access_q); the
similarities come from the stored vectors, which are computed from what every
viewer of an asset may see (services/indexing.py). Needs are public. So neither
an asset that is hidden from the viewer nor hidden text of one they may see
changes a result, a score, a reason or a count.

Signals, each in [0, 1]:
    similarity   cosine of the stored sentence embeddings (the need's, the
                 asset's, the person's), floored at 0
    terms        weighted overlap of the two texts' analysed terms (text.analyse:
                 stems, Japanese compounds and their parts): the weight of the
                 shared terms over the weight of the smaller side's terms, a
                 term weighing log(1 + (N + 1) / (df + 1)) over the N texts in
                 play (the candidates and the query), so a term most of them
                 share counts little. Terms are read from the first MAX_TEXT
                 characters of each text; one-character and all-digit terms do
                 not count. A reason names at most SHOWN_TERMS shared terms as
                 the need (or listing) writes them, heaviest first — terms of a
                 title or keywords counting double — but no GENERIC word.

Scores:
    need ↔ asset       0.7·similarity + 0.3·terms            (English)
                       0.2·similarity + 0.8·terms            (text mostly in Japanese
                       script, where the English embedding model is unreliable)
                       + 0.05 per shared SDG (at most 3)
                       + 0.03 when the asset is deployed in a country of the need
                         (0.015 when it was only developed there)
                       A candidate must reach similarity ≥ MIN_SIMILARITY or
                       terms ≥ MIN_TERMS. Technologies for a need come from the
                       hybrid search (selectors/search.py) with the need's text as
                       the query; needs for an asset from the need vectors nearest
                       the asset's and the newest NEED_SCAN open needs sharing its
                       terms, leaving out those of the asset's own organisation.
    partner            portfolio + 0.8·need_fit + 0.02 per shared SDG (at most 3)
                       portfolio = 0.5·s1 + 0.3·s2 + 0.2·s3, the similarities of
                         the organisation's three closest visible published
                         listings to the asset (0 where it has fewer)
                       need_fit = the similarity of its closest open need
                       The owner organisation is never a partner; an
                       organisation needs a close listing (similarity ≥
                       CLOSE) or a close need to be one.
    mentor             0.5·similarity + 0.3·skills + 0.2·record
                       (0.1·similarity + 0.5·skills + 0.4·record, and a shared
                       skill required, when the person's profile is mostly in
                       Japanese script)
                       skills = min(1, shared skills / 3): the mentor's skills
                         whose terms occur in the person's skills, the titles of
                         the person's visible listings or of their needs
                       record = min(1, log2(1 + listings + contributions) / 4):
                         published listings the viewer may see that the mentor
                         registered or owns, and contributions to others' ones
                       A mentor shares a skill or reaches MIN_SIMILARITY.

Needs count as open while their status is open or in discussion.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.models import Organisation, User
from conceptcloud.core.codes import SDG_NAMES, country_names
from conceptcloud.discovery.index import asset_index_cache, need_index_cache, person_index_cache, query_vector
from conceptcloud.discovery.selectors.search import assets_ranked
from conceptcloud.discovery.services.indexing import asset_vector_text, need_vector_text, person_vector_text
from conceptcloud.discovery.text import analyse, mostly_japanese, word_spans
from conceptcloud.lineage.selectors import contributions_of_people
from conceptcloud.registry.models import Asset, Need
from conceptcloud.registry.selectors import (
    AssetView,
    assets_by_person,
    assets_full_access_q,
    assets_visible_to,
    needs_by_person,
)

REASON_KINDS = ("terms", "sdgs", "cpc", "country", "similarity", "listings", "need", "organisation", "skills", "record")

CANDIDATES = 100  # technologies or needs considered per query, before scoring
NEED_SCAN = 500  # the newest open needs also compared by their terms (dense recall misses Japanese)
PARTNER_LISTINGS = 1_000  # nearest visible listings grouped into portfolios
MENTOR_CANDIDATES = 200  # nearest people by their expertise vector
MAX_TEXT = 20_000
MIN_SIMILARITY = 0.35  # all-MiniLM-L6-v2: unrelated texts score about 0–0.2, related ones 0.35 and up
MIN_TERMS = 0.2
CLOSE = 0.35
SHOWN_TERMS = 5
SHOWN_TITLES = 3
OPEN_NEEDS = (Need.Status.OPEN, Need.Status.IN_DISCUSSION)
# Words that a need or a listing uses whatever its subject: they count towards the
# terms signal like any other, but a reason does not name them.
GENERIC = (
    "need needs want looking seek seeking find system systems method methods device devices use using used "
    "based provide provides new high low small large improved technology technologies solution solutions"
)



@dataclass(frozen=True, slots=True)
class Reason:
    kind: str
    text: str


@dataclass(frozen=True)
class Match:
    """An asset that fits a need. `asset` is shown as a teaser only."""

    asset: Asset
    score: float
    similarity: float
    reasons: list[Reason]


@dataclass(frozen=True)
class NeedMatch:
    need: Need
    score: float
    similarity: float
    reasons: list[Reason]


@dataclass(frozen=True)
class PartnerMatch:
    """An organisation that could use or develop an asset: its close listings
    (teasers the viewer may see) and its closest open need, if any."""

    organisation: Organisation
    score: float
    listings: list[Asset]
    listing_count: int
    need: Need | None
    reasons: list[Reason]


@dataclass(frozen=True)
class MentorMatch:
    person: User
    score: float
    similarity: float
    shared_skills: list[str]
    listing_count: int
    contribution_count: int
    reasons: list[Reason] = field(default_factory=list)


# Text → terms ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(analyse(GENERIC))


def _meaningful(term: str) -> bool:
    return len(term) > 1 and not term.isdigit()


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """The text's meaningful terms, and (term, how the text writes it) for each in
    reading order; wholes before their parts."""
    surfaces: dict[str, str] = {}
    for span in word_spans(text):
        written = text[span.start : span.end]
        pairs = [(span.word.whole, written)]
        if span.word.parts != (span.word.whole,):
            pairs += [(part, text[a:b]) for part, (a, b) in zip(span.word.parts, span.parts, strict=True)]
        for term, surface in pairs:
            if _meaningful(term) and term not in surfaces:
                surfaces[term] = surface.lower() if surface.isascii() else surface
    return frozenset(surfaces), tuple(surfaces.items())


def _terms(text: str) -> frozenset[str]:
    return _analysed(text[:MAX_TEXT])[0]


def _surfaces(text: str) -> dict[str, str]:
    return dict(_analysed(text[:MAX_TEXT])[1])


def _asset_text(asset: Asset, *, full: bool) -> str:
    """What the viewer may read of an asset: the teaser fields, and the details only with FULL access."""
    parts = [asset.title, ", ".join(str(keyword) for keyword in asset.keywords), asset.summary]
    if full:
        parts.append(asset.details)
    return "\n".join(part for part in parts if part)


def _headline(asset: Asset) -> frozenset[str]:
    """Terms of the asset's title and keywords."""
    return _terms("\n".join([asset.title, *map(str, asset.keywords)]))


def _need_text(need: Need) -> str:
    return f"{need.title}\n{need.description}"


class _Weights:
    """Term weights over the texts in play: log(1 + (N + 1) / (df + 1))."""

    def __init__(self, term_sets: Iterable[frozenset[str]]) -> None:
        sets = list(term_sets)
        self._n = len(sets)
        self._df = Counter(term for terms in sets for term in terms)

    def __call__(self, term: str) -> float:
        return math.log(1 + (self._n + 1) / (self._df[term] + 1))

    def overlap(self, left: frozenset[str], right: frozenset[str]) -> tuple[float, frozenset[str]]:
        """(terms signal, the shared terms)."""
        shared = left & right
        if not shared:
            return 0.0, shared
        smaller = min(sum(map(self, left)), sum(map(self, right)))
        return min(1.0, sum(map(self, shared)) / smaller), shared

    def ranked(self, shared: frozenset[str], *, strong: frozenset[str], order: Sequence[str]) -> list[str]:
        """The shared terms to name first: heaviest, counting double those of a title
        or keywords (they say what a listing is about); then in reading order."""
        position = {term: n for n, term in enumerate(order)}
        return sorted(
            shared,
            key=lambda term: (-self(term) * (2 if term in strong else 1), position.get(term, len(position)), term),
        )


# Reasons --------------------------------------------------------------------


def _shown_terms(ranked: Sequence[str], surfaces: dict[str, str]) -> list[str]:
    """The heaviest shared terms as the text writes them, leaving out words that say
    little about a subject (GENERIC) and a word that stands inside one already named
    (発電 after 発電機)."""
    shown: list[str] = []
    for term in ranked:
        if term in _generic():
            continue
        written = surfaces.get(term, term)
        if any(written in other or other in written for other in shown):
            continue
        shown.append(written)
        if len(shown) == SHOWN_TERMS:
            break
    return shown


def _terms_reason(ranked: Sequence[str], surfaces: dict[str, str]) -> list[Reason]:
    shown = _shown_terms(ranked, surfaces)
    if not shown:
        return []
    return [Reason("terms", _("Shares the terms %(terms)s") % {"terms": ", ".join(shown)})]


def _sdg_label(number: int) -> str:
    name = SDG_NAMES.get(number)
    return _("SDG %(number)d (%(name)s)") % {"number": number, "name": name} if name else f"SDG {number}"


def _sdgs_reason(shared: Iterable[int]) -> list[Reason]:
    numbers = sorted(set(shared))
    if not numbers:
        return []
    return [Reason("sdgs", _("Both address %(goals)s") % {"goals": ", ".join(_sdg_label(n) for n in numbers)})]


def _countries(codes: Iterable[str]) -> str:
    names = country_names()
    return ", ".join(names.get(code, code) for code in sorted(set(codes)))


def _country_fit(asset: Asset, countries: Sequence[str]) -> tuple[float, list[Reason]]:
    wanted = set(countries)
    deployed = wanted & set(asset.countries_deployed)
    if deployed:
        return 0.03, [Reason("country", _("Already deployed in %(countries)s") % {"countries": _countries(deployed)})]
    developed = wanted & set(asset.countries_developed)
    if developed:
        return 0.015, [Reason("country", _("Developed in %(countries)s") % {"countries": _countries(developed)})]
    return 0.0, []


def _similarity_reason(similarity: float, *, label: str = "") -> list[Reason]:
    if similarity < MIN_SIMILARITY:
        return []
    percent = round(similarity * 100)
    text = _("Profile similarity %(percent)d%%") if label == "profile" else _("Similarity %(percent)d%%")
    return [Reason("similarity", text % {"percent": percent})]


def _cpc_groups(codes: Iterable[str]) -> set[str]:
    """CPC subclasses (B01D) of the codes (B01D53/22)."""
    return {str(code)[:4].upper() for code in codes if len(str(code)) >= 4}


def _listings_reason(close: Sequence[Asset], count: int) -> list[Reason]:
    if not close:
        return []
    if count <= 1:
        text = _("Its only listing is close: %(titles)s")
    else:
        text = ngettext(
            "%(close)d of its %(count)d listings is close: %(titles)s",
            "%(close)d of its %(count)d listings are close: %(titles)s",
            len(close),
        )
    titles = "; ".join(asset.title for asset in close[:SHOWN_TITLES])
    return [Reason("listings", text % {"close": len(close), "count": count, "titles": titles})]


def _need_reason(need: Need | None, similarity: float) -> list[Reason]:
    if need is None:
        return []
    text = _("Its need “%(title)s” matches (similarity %(percent)d%%)")
    return [Reason("need", text % {"title": need.title, "percent": round(similarity * 100)})]


def _cpc_reason(asset: Asset, close: Sequence[Asset]) -> list[Reason]:
    shared = _cpc_groups(asset.cpc_codes) & {group for other in close for group in _cpc_groups(other.cpc_codes)}
    if not shared:
        return []
    text = ngettext("Same CPC group %(groups)s", "Same CPC groups %(groups)s", len(shared))
    return [Reason("cpc", text % {"groups": ", ".join(sorted(shared))})]


def _organisation_reason(organisation: Organisation) -> Reason:
    text = _("%(type)s in %(country)s")
    return Reason(
        "organisation", text % {"type": organisation.get_kind_display(), "country": _countries([organisation.country])}
    )


# Vectors --------------------------------------------------------------------


def _similarities(cache, vector: np.ndarray | None, ids: Iterable[int]) -> dict[int, float]:
    """Cosine of `vector` with the stored vectors of `ids` (absent ones left out)."""
    allowed = set(ids)
    if vector is None or not allowed:
        return {}
    return {hit.id: max(0.0, hit.score) for hit in cache.search(vector, len(allowed), allowed=allowed)}


def _need_vector(need: Need) -> np.ndarray:
    stored = need_index_cache().vector(need.pk)
    return stored if stored is not None else query_vector(need_vector_text(need))


def _asset_vector(asset: Asset) -> np.ndarray:
    """The asset's stored vector; before it is indexed, the embedding of the same
    text (what every viewer may see)."""
    stored = asset_index_cache().vector(asset.pk)
    return stored if stored is not None else query_vector(asset_vector_text(asset))


def _fit(similarity: float, terms: float, *, japanese: bool) -> float:
    return 0.2 * similarity + 0.8 * terms if japanese else 0.7 * similarity + 0.3 * terms


# Need → technologies ----------------------------------------------------------


def technologies_for_need(*, user, need: Need, limit: int = 20) -> list[Match]:
    """The published assets `user` may see that best fit the need, best first (see module)."""
    query = _need_text(need)
    published = Asset.objects.filter(status=Asset.Status.PUBLISHED)
    ranked = assets_ranked(user=user, query=query, within=published, limit=CANDIDATES)
    ids = [hit.id for hit in ranked]
    if not ids:
        return []
    assets = {
        asset.pk: asset for asset in assets_visible_to(user=user).filter(pk__in=ids, status=Asset.Status.PUBLISHED)
    }
    full = set(
        Asset.objects.filter(pk__in=list(assets)).filter(assets_full_access_q(user=user)).values_list("pk", flat=True)
    )
    similarity = _similarities(asset_index_cache(), _need_vector(need), assets)
    need_terms = _terms(query)
    asset_terms = {pk: _terms(_asset_text(asset, full=pk in full)) for pk, asset in assets.items()}
    weights = _Weights([need_terms, *asset_terms.values()])
    surfaces = _surfaces(query)
    need_headline = _terms(need.title)
    japanese = mostly_japanese(query)

    matches = []
    for pk, asset in assets.items():
        sim = similarity.get(pk, 0.0)
        terms, shared = weights.overlap(need_terms, asset_terms[pk])
        if sim < MIN_SIMILARITY and terms < MIN_TERMS:
            continue
        sdgs = set(need.sdgs) & set(asset.sdgs)
        country, country_reasons = _country_fit(asset, need.countries)
        score = _fit(sim, terms, japanese=japanese) + 0.05 * min(len(sdgs), 3) + country
        named = weights.ranked(shared, strong=need_headline | _headline(asset), order=list(surfaces))
        reasons = [
            *_terms_reason(named, surfaces),
            *_sdgs_reason(sdgs),
            *country_reasons,
            *([] if japanese else _similarity_reason(sim)),
        ]
        matches.append(Match(asset=asset, score=round(score, 4), similarity=round(sim, 4), reasons=reasons))
    matches.sort(key=lambda match: (-match.score, match.asset.pk))
    return matches[:limit]


# Asset → needs --------------------------------------------------------------


def _open_needs():
    return Need.objects.filter(status__in=OPEN_NEEDS).select_related("seeker_org")


def needs_for_asset(*, user, asset_view: AssetView, limit: int = 20) -> list[NeedMatch]:
    """Open needs the asset fits, best first; not those of the asset's own
    organisation. Terms come from what `user` may read of the asset."""
    asset = asset_view.asset
    text = _asset_text(asset, full=asset_view.can_see_details)
    needs = _open_needs()
    if asset.owner_org_id:
        needs = needs.exclude(seeker_org_id=asset.owner_org_id)
    open_ids = set(needs.values_list("pk", flat=True))
    vector = _asset_vector(asset)
    near = need_index_cache().search(vector, CANDIDATES, allowed=open_ids) if open_ids else []
    recent = needs.order_by("-created_at", "-pk")[:NEED_SCAN]
    asset_terms = _terms(text)
    by_terms = [need for need in recent if asset_terms & _terms(_need_text(need))]
    candidates = {need.pk: need for need in needs.filter(pk__in=[hit.id for hit in near])}
    candidates.update({need.pk: need for need in by_terms})
    if not candidates:
        return []
    similarity = _similarities(need_index_cache(), vector, candidates)
    need_terms = {pk: _terms(_need_text(need)) for pk, need in candidates.items()}
    weights = _Weights([asset_terms, *need_terms.values()])
    headline = _headline(asset)
    japanese = mostly_japanese(text)

    matches = []
    for pk, need in candidates.items():
        sim = similarity.get(pk, 0.0)
        terms, shared = weights.overlap(asset_terms, need_terms[pk])
        if sim < MIN_SIMILARITY and terms < MIN_TERMS:
            continue
        sdgs = set(need.sdgs) & set(asset.sdgs)
        country, country_reasons = _country_fit(asset, need.countries)
        score = _fit(sim, terms, japanese=japanese or mostly_japanese(_need_text(need))) + 0.05 * min(len(sdgs), 3)
        surfaces = _surfaces(_need_text(need))
        named = weights.ranked(shared, strong=headline | _terms(need.title), order=list(surfaces))
        reasons = [
            *_terms_reason(named, surfaces),
            *_sdgs_reason(sdgs),
            *country_reasons,
            *([] if japanese else _similarity_reason(sim)),
        ]
        matches.append(NeedMatch(need=need, score=round(score + country, 4), similarity=round(sim, 4), reasons=reasons))
    matches.sort(key=lambda match: (-match.score, match.need.pk))
    return matches[:limit]


# Asset → partner organisations ----------------------------------------------


def partners_for_asset(*, user, asset_view: AssetView, limit: int = 10) -> list[PartnerMatch]:
    """Organisations (not the owner) whose visible portfolio or open needs fit the
    asset, best first, with the listings and need that make them fit (see module)."""
    asset = asset_view.asset
    vector = _asset_vector(asset)
    listings = (
        assets_visible_to(user=user).filter(status=Asset.Status.PUBLISHED, owner_org__isnull=False).exclude(pk=asset.pk)
    )
    if asset.owner_org_id:
        listings = listings.exclude(owner_org_id=asset.owner_org_id)
    allowed = set(listings.order_by().values_list("pk", flat=True))
    hits = (
        [hit for hit in asset_index_cache().search(vector, PARTNER_LISTINGS, allowed=allowed) if hit.score >= CLOSE]
        if allowed
        else []
    )
    close = {a.pk: a for a in listings.filter(pk__in=[hit.id for hit in hits])}
    portfolios: dict[int, list[tuple[float, Asset]]] = {}
    for hit in hits:
        if hit.id in close:
            portfolios.setdefault(close[hit.id].owner_org_id, []).append((hit.score, close[hit.id]))

    needs = _open_needs()
    if asset.owner_org_id:
        needs = needs.exclude(seeker_org_id=asset.owner_org_id)
    open_ids = set(needs.values_list("pk", flat=True))
    need_hits = (
        [hit for hit in need_index_cache().search(vector, CANDIDATES, allowed=open_ids) if hit.score >= CLOSE]
        if open_ids
        else []
    )
    found_needs = {need.pk: need for need in needs.filter(pk__in=[hit.id for hit in need_hits])}
    best_need: dict[int, tuple[float, Need]] = {}
    for hit in need_hits:
        need = found_needs.get(hit.id)
        if need is not None and need.seeker_org_id not in best_need:
            best_need[need.seeker_org_id] = (hit.score, need)

    org_ids = set(portfolios) | set(best_need)
    if not org_ids:
        return []
    organisations = {org.pk: org for org in Organisation.objects.filter(pk__in=org_ids)}
    counts = dict(
        listings.filter(owner_org_id__in=org_ids)
        .order_by()
        .values_list("owner_org_id")
        .annotate(n=Count("pk"))
        .values_list("owner_org_id", "n")
    )
    matches = []
    for org_id, organisation in organisations.items():
        close_listings = portfolios.get(org_id, [])  # best first
        top = [score for score, _asset in close_listings[:3]] + [0.0, 0.0, 0.0]
        portfolio = 0.5 * top[0] + 0.3 * top[1] + 0.2 * top[2]
        need_fit, need = best_need.get(org_id, (0.0, None))
        theirs = [a for _score, a in close_listings]
        sdgs = set(asset.sdgs) & {n for a in theirs for n in a.sdgs} | set(asset.sdgs) & set(need.sdgs if need else [])
        shown = theirs[:SHOWN_TITLES]
        count = counts.get(org_id, 0)
        reasons = [
            *_listings_reason(theirs, count),
            *_need_reason(need, need_fit),
            *_cpc_reason(asset, theirs),
            *_sdgs_reason(sdgs),
            _organisation_reason(organisation),
        ]
        score = portfolio + 0.8 * need_fit + 0.02 * min(len(sdgs), 3)
        matches.append(
            PartnerMatch(organisation, round(score, 4), listings=shown, listing_count=count, need=need, reasons=reasons)
        )
    matches.sort(key=lambda match: (-match.score, match.organisation.name, match.organisation.pk))
    return matches[:limit]


# Person → mentors -----------------------------------------------------------


def _person_vector(person: User) -> np.ndarray:
    stored = person_index_cache().vector(person.pk)
    if stored is not None:
        return stored
    return query_vector(person_vector_text(person, []) or person.name)


def _skill_terms(skill: str) -> frozenset[str]:
    return _terms(str(skill))


def mentors_for_person(*, user, person: User, limit: int = 10) -> list[MentorMatch]:
    """Active people (not `person`) whose skills and record fit the person's
    skills, listings and needs, best first (see module). Listings are counted and
    named only as far as `user` may see them."""
    own_listings = list(assets_by_person(user=user, person=person)[:50])
    own_needs = list(needs_by_person(person=person))
    interests = frozenset().union(
        *(_skill_terms(skill) for skill in person.skills),
        *(_terms(f"{a.title}\n{', '.join(map(str, a.keywords))}") for a in own_listings),
        *(_terms(need.title) for need in own_needs),
    )
    own_skills = frozenset().union(*(_skill_terms(skill) for skill in person.skills))

    people = account_selectors.person_list().exclude(pk=person.pk)
    vector = _person_vector(person)
    # Japanese profiles meet each other at a high similarity whatever they say
    # (the model is English): there, shared skills and the record decide.
    japanese = mostly_japanese(person_vector_text(person, [a.title for a in own_listings]))
    active = set(people.values_list("pk", flat=True))
    near = (
        {hit.id: max(0.0, hit.score) for hit in person_index_cache().search(vector, MENTOR_CANDIDATES, allowed=active)}
        if active
        else {}
    )
    by_skills = {
        pk
        for pk, skills in people.exclude(skills=[]).values_list("pk", "skills")[:5_000]
        if any(_skill_terms(skill) & interests for skill in skills or [])
    }
    candidates = {p.pk: p for p in people.filter(pk__in=set(near) | by_skills)}
    if not candidates:
        return []

    visible = assets_visible_to(user=user).filter(status=Asset.Status.PUBLISHED)
    listing_rows = visible.filter(Q(owner_user_id__in=candidates) | Q(created_by_id__in=candidates)).values_list(
        "pk", "owner_user_id", "created_by_id"
    )
    listed: dict[int, set[int]] = {}
    for pk, owner, creator in listing_rows:
        for person_id in {owner, creator} & candidates.keys():
            listed.setdefault(person_id, set()).add(pk)
    contributed: Counter[int] = Counter()
    for person_id, asset_id in contributions_of_people(user_ids=candidates, assets=visible):
        if asset_id not in listed.get(person_id, ()):  # contributions to listings of others
            contributed[person_id] += 1
    titles = dict(visible.filter(pk__in=set().union(*listed.values())).values_list("pk", "title")) if listed else {}

    matches = []
    for pk, mentor in candidates.items():
        sim = near.get(pk, 0.0)
        shared = [skill for skill in mentor.skills if _skill_terms(skill) & interests]
        if not shared and (japanese or sim < MIN_SIMILARITY):
            continue
        listing_ids = listed.get(pk, set())
        record = min(1.0, math.log2(1 + len(listing_ids) + contributed[pk]) / 4)
        skills = min(1.0, len(shared) / 3)
        score = 0.1 * sim + 0.5 * skills + 0.4 * record if japanese else 0.5 * sim + 0.3 * skills + 0.2 * record
        mutual = [skill for skill in shared if _skill_terms(skill) & own_skills]
        reasons = [
            *_skills_reasons(person, mutual, [skill for skill in shared if skill not in mutual]),
            *_record_reasons(_closest_titles(vector, listing_ids, titles), len(listing_ids), contributed[pk]),
            *([] if japanese else _similarity_reason(sim, label="profile")),
        ]
        matches.append(
            MentorMatch(
                person=mentor,
                score=round(score, 4),
                similarity=round(sim, 4),
                shared_skills=shared,
                listing_count=len(listing_ids),
                contribution_count=contributed[pk],
                reasons=reasons,
            )
        )
    matches.sort(key=lambda match: (-match.score, match.person.username))
    return matches[:limit]


def _skills_reasons(person: User, mutual: Sequence[str], related: Sequence[str]) -> list[Reason]:
    reasons = []
    if mutual:
        reasons.append(Reason("skills", _("Shares the skills: %(skills)s") % {"skills": ", ".join(mutual)}))
    if related:
        text = _("Has the skills %(skills)s, which %(name)s's listings and needs are about")
        reasons.append(Reason("skills", text % {"skills": ", ".join(related), "name": person.name}))
    return reasons


def _record_reasons(titles: Sequence[str], listings: int, contributions: int) -> list[Reason]:
    reasons = []
    if listings:
        text = ngettext(
            "Registered %(count)d published listing: %(titles)s",
            "Registered %(count)d published listings, among them %(titles)s",
            listings,
        )
        reasons.append(Reason("record", text % {"count": listings, "titles": "; ".join(titles)}))
    if contributions:
        text = ngettext(
            "Contributed to %(count)d listing of others", "Contributed to %(count)d listings of others", contributions
        )
        reasons.append(Reason("record", text % {"count": contributions}))
    return reasons


def _closest_titles(vector: np.ndarray, listing_ids: set[int], titles: dict[int, str]) -> list[str]:
    """Titles of the listings nearest the person's expertise (in id order when none are indexed)."""
    if not listing_ids:
        return []
    hits = asset_index_cache().search(vector, SHOWN_TITLES, allowed=listing_ids)
    chosen = [hit.id for hit in hits] or sorted(listing_ids)[:SHOWN_TITLES]
    return [titles[pk] for pk in chosen if pk in titles]
