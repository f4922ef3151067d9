"""Writes of saved searches, and notifying their owners of new listings that match.

    saved_search_create(actor=, name=, query=, filters=, need=None, email=True)
                                   save a query (text + search filters) or a need;
                                   the listings it finds now are recorded as seen
    saved_search_delete(actor=, saved_search=)
    saved_searches_notify(asset_id=)
                                   after an asset is (re)indexed: tell each owner
                                   whose saved search it newly matches, once

What "matches" means is what the owner would see:
- a saved query matches a listing that the owner's own search for that text and
  those filters returns (selectors.search: assets_filtered, then assets_ranked
  over that one asset — a lexical match on what the owner may read, or a dense
  similarity of at least search.DENSE_MIN);
- a saved need matches a listing that the need → technologies matching shows the
  owner (selectors.matching.technologies_for_need, all its CANDIDATES), while
  the need is open.
Only published listings the owner may see (asset_access TEASER or FULL) count:
never their own (MANAGE), never drafts or withdrawn ones (NONE). The
notification and the e-mail carry the listing's title only, which every viewer
of it may read, and a link to it. What a search finds when it is saved is
recorded as seen then (up to SEEN_AT_SAVE listings), so later edits of those
listings are not news.

Scaling: an indexed asset is not checked against every saved search. Cheap
prefilters in this process pick the candidates, and only they get the exact check:
- lexical: an inverted index of the saved queries' words (a saved need's: its
  title's), by first part, against the asset's index terms (all fields: a
  superset of what any owner may match); a search is a candidate when one of its
  words has all its parts among them;
- dense, queries: a vector index of the saved searches' stored query vectors
  (index.VectorCache, the same incremental copy as the listings' index) searched
  with the asset's vector, keeping up to DENSE_CANDIDATES hits at or above
  search.DENSE_MIN — the dense half of the search's own criterion;
- dense, needs: the needs' own index (index.need_index_cache, kept current by
  the need_index task) searched with the asset's vector, keeping the needs at or
  above matching.MIN_SIMILARITY, and their saved searches.
A saved need that fits a listing only by description words (low similarity, no
shared title word) is not a candidate: the prefilter trades that rare case for
not scoring every saved need against every listing. The copies refresh from the
tables on use (one aggregate query each), so a search saved in one process is
matched by another. Saved searches the asset already matched (SavedSearchMatch)
are skipped in SQL; the exact checks cost one hybrid search (query) or one
need matching (need) per candidate.

Saving and deleting append a history entry whose subject is the saved search
("saved_search:<id>") and whose payload is its id only: the log is public and a
search is private, so its text stays out of it; the registry knows no rule for
that subject kind, so everyone but nobody sees the entry redacted. Notifications
are messages, not history (accounts.services.notification_send). Recording a
match is bookkeeping of what was told, with no entry either.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import fields

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from conceptcloud.accounts.models import User
from conceptcloud.accounts.services import notification_send
from conceptcloud.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, collect_errors
from conceptcloud.discovery import vectors
from conceptcloud.discovery.embeddings import DIMENSIONS
from conceptcloud.discovery.index import VectorCache, asset_index_cache, need_index_cache, query_vector
from conceptcloud.discovery.models import LexicalDocument, SavedSearch, SavedSearchMatch
from conceptcloud.discovery.selectors import matching, search
from conceptcloud.discovery.services.indexing import need_vector_text
from conceptcloud.discovery.text import analyse_query
from conceptcloud.history.services import entry_append
from conceptcloud.registry.models import Asset, Need
from conceptcloud.registry.selectors import Access, asset_access

SAVED_SEARCHES_PER_PERSON = 50
NAME_MAX = 200
# The dense prefilter keeps at most this many saved searches per listing.
DENSE_CANDIDATES = 5_000
# At save time the current results (at most this many) are recorded as seen.
SEEN_AT_SAVE = 1_000

NOTIFICATION_KIND = "saved_search.match"


# --- Saving and deleting ------------------------------------------------------


def _filters_values(filters) -> dict[str, str]:
    """Filters as the search page's parameters: {name: text}, the empty ones left out."""
    if isinstance(filters, search.SearchFilters):
        values = {f.name: filters.selected(f.name) for f in fields(filters)}
    else:
        values = {str(name): "" if value is None else str(value).strip() for name, value in dict(filters or {}).items()}
    return {name: value for name, value in sorted(values.items()) if value}


def _checked(query: str, filters) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The filters to store and the errors by field, checked exactly as the search checks them."""
    values = _filters_values(filters)
    known = {f.name for f in fields(search.SearchFilters)}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(values) - known)
    if unknown:
        errors["filters"] = [_("Unknown filter: %(names)s.") % {"names": ", ".join(unknown)}]
    try:
        search.search_params({**{name: values[name] for name in values if name in known}, "q": query})
    except InvalidInput as error:
        for name, messages in error.errors.items():
            errors.setdefault("query" if name == "q" else f"filters.{name}", []).extend(messages)
    return values, errors


def _need_vector(need: Need) -> np.ndarray:
    """The need's stored vector; before it is indexed, the embedding of the same text."""
    stored = need_index_cache().vector(need.pk)
    return stored if stored is not None else query_vector(need_vector_text(need))


def saved_search_create(
    *, actor: User, name: str, query: str, filters=None, need: Need | None = None, email: bool = True
) -> SavedSearch:
    """Save a query (text and filters) or a need for the actor.

    The name defaults to the text (or the need's title). The listings the search
    finds now are recorded as already seen, so that only new matches are reported.
    Raises NotAuthenticated for anonymous actors, InvalidInput by the field, and
    Conflict past SAVED_SEARCHES_PER_PERSON or for a search the actor has saved already.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("Sign in to save a search."))
    name = " ".join((name or "").split())
    query = " ".join((query or "").split())
    errors: dict[str, list[str]] = {"name": [], "query": []}
    if not query and need is None:
        errors["query"].append(_("Enter words to search for, or save a need."))
    if not name:
        name = (query or (need.title if need is not None else ""))[:NAME_MAX]
    elif len(name) > NAME_MAX:
        errors["name"].append(_("Use at most %(n)d characters.") % {"n": NAME_MAX})
    stored_filters, filter_errors = _checked(query, filters)
    for field_name, messages in filter_errors.items():
        errors.setdefault(field_name, []).extend(messages)
    collect_errors(errors)
    vector = _need_vector(need) if need is not None else query_vector(query)
    with transaction.atomic():
        # The owner's row is locked so that two saves at once cannot pass the limit together.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if SavedSearch.objects.filter(owner=actor).count() >= SAVED_SEARCHES_PER_PERSON:
            raise Conflict(
                _("You have %(n)d saved searches, the most one person may keep. Delete one first.")
                % {"n": SAVED_SEARCHES_PER_PERSON}
            )
        same = SavedSearch.objects.filter(owner=actor, query=query, need=need)
        if any(other.filters == stored_filters for other in same):
            raise Conflict(_("You have saved this search already."))
        saved = SavedSearch.objects.create(
            owner=actor,
            name=name,
            query=query,
            filters=stored_filters,
            need=need,
            email=bool(email),
            vector=vectors.pack(np.asarray(vector, dtype=np.float32)),
        )
        seen = _current_matches(saved)
        SavedSearchMatch.objects.bulk_create(
            [SavedSearchMatch(saved_search=saved, asset_id=asset_id) for asset_id in seen], ignore_conflicts=True
        )
        entry_append(actor=actor, type="search.saved", subject=f"saved_search:{saved.pk}", payload={"id": saved.pk})
    return saved


def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    """Delete one of the actor's saved searches (someone else's: NotFound)."""
    if actor is None or not actor.is_authenticated or saved_search.owner_id != actor.pk:
        raise NotFound(_("No such saved search."))
    with transaction.atomic():
        pk = saved_search.pk
        deleted, _rows = SavedSearch.objects.filter(pk=pk, owner=actor).delete()
        if not deleted:
            raise NotFound(_("No such saved search."))
        entry_append(actor=actor, type="search.removed", subject=f"saved_search:{pk}", payload={"id": pk})


# --- Matching -----------------------------------------------------------------


def _query_matches(saved: SavedSearch, *, within: list[int] | None, limit: int) -> list[int]:
    """The owner's search results for the saved text and filters (of `within`, when given)."""
    parsed = search.search_params({**(saved.filters or {}), "q": saved.query})
    candidates = search.assets_filtered(user=saved.owner, filters=parsed.filters)
    if within is not None:
        candidates = candidates.filter(pk__in=within)
    # The stored embedding of the saved text spares computing it again for every new listing.
    vector = vectors.unpack([bytes(saved.vector)], dimensions=DIMENSIONS)[0] if saved.vector else None
    ranked = search.assets_ranked(user=saved.owner, query=saved.query, within=candidates, limit=limit, vector=vector)
    return [hit.id for hit in ranked]


def _need_matches(saved: SavedSearch) -> list[int]:
    """The technologies the owner is shown as matching the saved need (its page's
    matching, with every candidate it scores), while the need is open."""
    need = saved.need
    if need is None or need.status not in matching.OPEN_NEEDS:
        return []
    found = matching.technologies_for_need(user=saved.owner, need=need, limit=matching.CANDIDATES)
    return [match.asset.pk for match in found]


def _current_matches(saved: SavedSearch) -> list[int]:
    """What the saved search finds for its owner now (at most SEEN_AT_SAVE listings)."""
    if saved.need_id is not None:
        return _need_matches(saved)
    return _query_matches(saved, within=None, limit=SEEN_AT_SAVE)


def _matches(saved: SavedSearch, asset_id: int) -> bool:
    if saved.need_id is not None:
        return asset_id in _need_matches(saved)
    return asset_id in _query_matches(saved, within=[asset_id], limit=1)


class _QueryWords:
    """The saved queries' words (a saved need's: its title's), indexed by their
    first part (see the module's Scaling).

    Saved searches are never edited, only created and deleted: new rows are read
    by id; a deletion (count or id sum differs) rebuilds the whole index.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple | None = None
        self._by_part: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        self._ids: set[int] = set()

    def _current(self) -> tuple:
        row = SavedSearch.objects.aggregate(n=Count("id"), total=Sum("id"), last=Max("id"))
        return (row["n"], row["total"] or 0, row["last"] or 0)

    def _add(self, rows) -> None:
        for pk, query, need_title in rows:
            self._ids.add(pk)
            for word in analyse_query(query or need_title or ""):
                self._by_part[word.parts[0]].append((pk, word.parts))

    def refresh(self) -> None:
        with self._lock:
            state = self._current()
            if state == self._state:
                return
            last = self._state[2] if self._state is not None else 0
            newer = SavedSearch.objects.filter(pk__gt=last).values_list("id", "query", "need__title")
            self._add(newer.iterator(chunk_size=2_000))
            if (len(self._ids), sum(self._ids)) != state[:2]:
                self._by_part = defaultdict(list)
                self._ids = set()
                self._add(SavedSearch.objects.values_list("id", "query", "need__title").iterator(chunk_size=2_000))
            self._state = state

    def candidates(self, terms: set[str]) -> set[int]:
        """Saved searches with a word whose parts all occur among `terms`."""
        self.refresh()
        with self._lock:
            return {
                pk for term in terms for pk, parts in self._by_part.get(term, ()) if all(p in terms for p in parts)
            }


_query_words = _QueryWords()
_saved_vectors = VectorCache(SavedSearch, "id")


def _candidates(asset_id: int) -> set[int]:
    """The prefilters' union: saved searches that may match the asset (see module)."""
    found: set[int] = set()
    document = LexicalDocument.objects.filter(asset_id=asset_id).first()
    if document is not None:
        terms = set(" ".join((document.title, document.keywords, document.summary, document.details)).split())
        found |= _query_words.candidates(terms)
    vector = asset_index_cache().vector(asset_id)
    if vector is not None:
        hits = _saved_vectors.search(vector, DENSE_CANDIDATES)
        found |= {hit.id for hit in hits if hit.score >= search.DENSE_MIN}
        needs = need_index_cache().search(vector, DENSE_CANDIDATES)
        near_needs = [hit.id for hit in needs if hit.score >= matching.MIN_SIMILARITY]
        if near_needs:
            found |= set(SavedSearch.objects.filter(need_id__in=near_needs).values_list("pk", flat=True))
    return found


def saved_searches_notify(*, asset_id: int) -> int:
    """Notify the owners of saved searches that the asset newly matches; returns
    how many were notified. Idempotent: a (saved search, asset) pair is reported
    once (SavedSearchMatch, unique), however often the asset is indexed."""
    if not SavedSearch.objects.exists():  # the common case on a fresh platform: one cheap query
        return 0
    asset = Asset.objects.select_related("owner_org", "owner_user").filter(pk=asset_id).first()
    if asset is None or asset.status != Asset.Status.PUBLISHED:
        return 0
    candidates = _candidates(asset_id)
    if not candidates:
        return 0
    saved_searches = (
        SavedSearch.objects.filter(pk__in=candidates, owner__is_active=True)
        .exclude(matches__asset_id=asset_id)
        .select_related("owner", "need")
        .order_by("pk")
    )
    notified = 0
    for saved in saved_searches:
        if asset_access(asset=asset, user=saved.owner) not in (Access.TEASER, Access.FULL):
            continue
        if not _matches(saved, asset_id):
            continue
        with transaction.atomic():
            _match, created = SavedSearchMatch.objects.get_or_create(saved_search=saved, asset=asset)
            if not created:
                continue
            notification_send(
                recipient=saved.owner,
                kind=NOTIFICATION_KIND,
                title=_("New match for your saved search “%(name)s”: %(title)s")
                % {"name": saved.name, "title": asset.title},
                url=reverse("registry:asset_detail", kwargs={"asset_id": asset.pk}),
                email=saved.email,
            )
        notified += 1
    return notified
