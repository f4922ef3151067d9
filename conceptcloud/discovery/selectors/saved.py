"""Reads of a person's saved searches.

    saved_searches_for_user(user=)                  theirs, newest first
    saved_search_get_for_user(user=, saved_search_id=)
                                                    one of theirs; anyone else's is
                                                    NotFound, like an absent one
    saved_search_rerun_query(saved_search)          the search page's query string
                                                    that runs a saved query again
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from conceptcloud.core.errors import NotFound
from conceptcloud.discovery.models import SavedSearch


def saved_searches_for_user(*, user) -> QuerySet[SavedSearch]:
    """The person's saved searches, newest first, each with how many listings it has reported."""
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(owner=user).select_related("need").annotate(match_count=Count("matches"))


def saved_search_get_for_user(*, user, saved_search_id: int) -> SavedSearch:
    if user is None or not user.is_authenticated:
        raise NotFound(_("No such saved search."))
    try:
        return SavedSearch.objects.select_related("need").get(pk=saved_search_id, owner=user)
    except (SavedSearch.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such saved search.")) from None


def saved_search_rerun_query(saved_search: SavedSearch) -> str:
    """`q=…&sdg=…` for the search page: the saved text and its non-empty filters."""
    query = QueryDict(mutable=True)
    if saved_search.query:
        query["q"] = saved_search.query
    for name, value in sorted((saved_search.filters or {}).items()):
        if value not in ("", None):
            query[name] = str(value)
    return query.urlencode()
