"""Page-number pagination for every API list: one query shape, one answer shape.

    ?page=2&page_size=50   →   {items, count, page, page_size, next, previous}

`next`/`previous` are absolute URLs of the neighbouring pages (same filters) or
null. A page past the end is empty, not an error (its `previous` is the last
page); page_size is 1 to 100.
"""

from __future__ import annotations

import math

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}."
    )


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="How many items all pages hold together.")
    page: int = Field(description="This page's number.")
    page_size: int = Field(description="Items per page.")
    next: str | None = Field(description="URL of the next page, or null on the last one.")
    previous: str | None = Field(description="URL of the previous page, or null on the first one.")


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    rows: QuerySet | Sequence,
    params: PageParams,
    *,
    shape: Callable[[Any], Any] = lambda row: row,
) -> dict[str, Any]:
    """One page of `rows` (a queryset is counted and sliced in the database), each item `shape`d."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (params.page - 1) * params.page_size
    # A page past the end is not fetched: databases refuse offsets beyond 64 bits.
    items = [shape(row) for row in rows[start : start + params.page_size]] if start < count else []
    last = max(1, math.ceil(count / params.page_size))
    return {
        "items": items,
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "next": _page_url(request, params.page + 1) if params.page < last else None,
        "previous": _page_url(request, min(params.page - 1, last)) if params.page > 1 else None,
    }
