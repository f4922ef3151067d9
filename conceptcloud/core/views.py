"""What every app's pages share.

    found_or_404(fetch, **kwargs)   call a selector; its NotFound becomes the 404 page
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404

from conceptcloud.core.errors import NotFound

T = TypeVar("T")


def found_or_404(fetch: Callable[..., T], **kwargs) -> T:
    """Call a selector (or a service that fetches what it changes). Absent and
    invisible are the same NotFound, so both show the same 404 page."""
    try:
        return fetch(**kwargs)
    except NotFound:
        raise Http404 from None
