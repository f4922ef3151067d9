"""Reads of the discovery app: lexical search over the assets a viewer may see.

    search_scope(user=, within=)      Scope: what a viewer's searches may return
    assets_lexical_search(user=, query=, limit=, within=, scope=)
                                      [(asset_id, score)], best first

Query semantics: the query is analysed like the listings (text.analyse_query);
each word must occur as a phrase of its parts. Assets holding every word come
first (the backend's AND match, ranked by its score); when those are fewer than
`limit` and the query has several words, assets holding only some of the words
follow (the OR match, ranked by its score; at most SOME_WORDS_LIMIT of them). Scores are comparable only within each
of the two parts. Only assets the viewer may see are searched (registry's
assets_visible_to), and details only where the viewer has FULL access
(assets_full_access_q) — the same rule as the asset list's text filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from conceptcloud.discovery.backends import lexical_backend
from conceptcloud.discovery.backends.base import AccessCheck
from conceptcloud.discovery.text import analyse_query
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import assets_full_access_q, assets_visible_to

# Words of a query beyond this many are ignored (bounds the match expression).
MAX_QUERY_WORDS = 64
# At most this many assets holding only some of the words follow those holding all:
# deeper down, a partial match says little, and ranking thousands of them is costly.
SOME_WORDS_LIMIT = 200


@dataclass(frozen=True)
class Scope:
    """What one viewer's searches may return: `visible` (the assets they may see, of
    `within` when given), `full` (those whose details they may read), and `access`,
    both as one compiled statement over a list of candidate ids — built once and
    shared by the searches of one request (lexical and dense)."""

    visible: QuerySet[Asset]
    full: QuerySet[Asset]
    access: AccessCheck


def search_scope(*, user, within: QuerySet[Asset] | None = None) -> Scope:
    visible = assets_visible_to(user=user)
    if within is not None:
        # One WHERE of both, tested on each candidate's own row: as a subquery
        # (pk IN within) the database would list every asset of `within` per check.
        visible = visible & within.order_by()
    full = visible.filter(assets_full_access_q(user=user))
    return Scope(visible=visible, full=full, access=lexical_backend().access_check(visible, full))


def assets_lexical_search(
    *, user, query: str, limit: int = 50, within: QuerySet[Asset] | None = None, scope: Scope | None = None
) -> list[tuple[int, float]]:
    """The visible assets matching `query`, best first, at most `limit` (see module);
    with `within`, only those of its assets the viewer may see. `scope`: the
    viewer's search_scope, when the caller has it already (then `within` is its)."""
    words = analyse_query(query)[:MAX_QUERY_WORDS]
    if not words or limit <= 0:
        return []
    backend = lexical_backend()
    scope = scope or search_scope(user=user, within=within)
    visible, full, access = scope.visible, scope.full, scope.access
    results = backend.search(words, visible=visible, full=full, limit=limit, require_all=True, access=access)
    if len(results) < limit and len(words) > 1:
        found = {asset_id for asset_id, _ in results}
        fill = min(limit - len(results), SOME_WORDS_LIMIT)
        some = backend.search(
            words, visible=visible, full=full, limit=len(found) + fill, require_all=False, access=access
        )
        results += [hit for hit in some if hit[0] not in found][:fill]
    return results
