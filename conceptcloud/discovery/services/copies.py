"""This process's in-memory copies of the search indexes, built ahead of use.

    search_copies_warm()   build (or bring up to date) every copy now → rows each holds

A copy (index.StoredCopy) is otherwise built by the first search that needs it,
which at 100,000 listings waits tens of seconds (the postings copy about 16 s, the
vector index's HNSW graph about 25 s). A web worker calls this as it starts
(cli.py), in a thread of its own; a search arriving meanwhile waits for the copy
being built rather than building another.
"""

from __future__ import annotations

from django.conf import settings

from conceptcloud.discovery.backends.base import postings_copy
from conceptcloud.discovery.index import asset_index_cache, need_index_cache, person_index_cache
from conceptcloud.discovery.selectors.similar import signature_index_cache


def search_copies_warm() -> dict[str, int]:
    """Build this process's copies — the postings copy where it is on
    (settings.CC_SEARCH_POSTINGS_COPY), the vector indexes of assets, needs and
    people, the near-duplicate signatures — and return how many rows each holds."""
    copies = {
        "assets": asset_index_cache(),
        "needs": need_index_cache(),
        "people": person_index_cache(),
        "signatures": signature_index_cache(),
    }
    if settings.CC_SEARCH_POSTINGS_COPY:
        copies = {"postings": postings_copy(), **copies}
    return {name: len(copy) for name, copy in copies.items()}
