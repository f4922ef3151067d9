"""Page-number pagination: the one list shape of the API."""

import pytest
from django.test import RequestFactory

from conceptcloud.core.pagination import MAX_PAGE_SIZE, Page, PageParams, paginate


def page(number: int, size: int, rows=range(1, 8), query: str = ""):
    request = RequestFactory().get(f"/api/v1/things/?{query}page={number}&page_size={size}")
    return paginate(request, list(rows), PageParams(page=number, page_size=size), shape=lambda n: n * 10)


def test_the_first_page_links_only_forward():
    first = page(1, 3, query="kind=idea&")
    assert first["items"] == [10, 20, 30] and first["count"] == 7
    assert (first["page"], first["page_size"], first["previous"]) == (1, 3, None)
    assert first["next"] == "http://testserver/api/v1/things/?kind=idea&page=2&page_size=3"


def test_a_middle_page_links_both_ways_and_the_last_only_back():
    middle, last = page(2, 3), page(3, 3)
    assert middle["items"] == [40, 50, 60] and "page=1" in middle["previous"] and "page=3" in middle["next"]
    assert last["items"] == [70] and last["next"] is None and "page=2" in last["previous"]


def test_a_page_past_the_end_is_empty_and_links_back_to_the_last_page():
    beyond = page(9, 3)
    assert beyond["items"] == [] and beyond["count"] == 7 and beyond["next"] is None
    assert "page=3" in beyond["previous"]


def test_an_empty_list_is_one_empty_page():
    assert page(1, 20, rows=[]) | {"previous": None} == {
        "items": [], "count": 0, "page": 1, "page_size": 20, "next": None, "previous": None
    }


@pytest.mark.parametrize("values", [{"page": 0}, {"page_size": 0}, {"page_size": MAX_PAGE_SIZE + 1}])
def test_page_numbers_and_sizes_out_of_range_are_refused(values):
    with pytest.raises(ValueError):
        PageParams(**values)


@pytest.mark.django_db
def test_a_queryset_is_counted_and_sliced_in_the_database(make_user, django_assert_num_queries):
    from conceptcloud.accounts.models import User

    for name in ("ann", "ben", "cai"):
        make_user(name)
    request = RequestFactory().get("/api/v1/people/")
    with django_assert_num_queries(2):
        result = paginate(request, User.objects.order_by("username"), PageParams(page=2, page_size=2), shape=lambda u: u.username)
    assert result["items"] == ["cai"] and result["count"] == 3


def test_the_page_schema_validates_its_items():
    assert Page[int](items=[1], count=1, page=1, page_size=20, next=None, previous=None).items == [1]
