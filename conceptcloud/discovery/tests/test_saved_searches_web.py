"""Saved searches on the pages (save from the search and need pages, the list, delete)
and in the API (/api/v1/saved-searches/): sign-in, messages by the field, and one
person never seeing or deleting another's."""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.discovery.models import SavedSearch
from conceptcloud.discovery.services.saved_searches import saved_search_create
from conceptcloud.registry.services import NeedData, need_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def need(make_user, make_org):
    seeker = make_user("seeker")
    org = make_org(seeker, "Osaka Water Works", kind="company")
    return need_create(
        actor=seeker,
        data=NeedData(title="Cheap water electrolysis", description="Hydrogen from water for our plants.", seeker_org=org.slug),
    )


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, url: str, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def assert_problem(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    for field in fields:
        assert body["errors"][field], body
    return body


# --- The API ------------------------------------------------------------------


def test_the_api_saves_lists_and_deletes_your_saved_searches(alice):
    api = bearer(alice)
    response = post(api, "/api/v1/saved-searches/", {"name": "", "query": "hydrogen", "filters": {"sdg": 7, "kind": "technology"}})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "hydrogen" and created["filters"] == {"kind": "technology", "sdg": "7"}
    assert created["email"] is True and created["need"] is None
    assert created["search_url"] == "http://testserver/search/?q=hydrogen&kind=technology&sdg=7"
    listed = api.get("/api/v1/saved-searches/").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == created["id"]
    assert api.get(f"/api/v1/saved-searches/{created['id']}").json()["query"] == "hydrogen"
    assert api.delete(f"/api/v1/saved-searches/{created['id']}").status_code == 204
    assert_problem(api.delete(f"/api/v1/saved-searches/{created['id']}"), 404)


def test_the_api_saves_a_need(alice, need):
    response = post(bearer(alice), "/api/v1/saved-searches/", {"need": need.pk, "email": False})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["need"] == need.pk and body["name"] == need.title and body["email"] is False
    assert body["search_url"] == f"http://testserver/needs/{need.pk}/"


def test_the_api_refuses_bad_input_by_the_field_and_changes_nothing(alice):
    api = bearer(alice)
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": ""}), 422, "query")
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": "gear", "filters": {"sdg": 18}}), 422, "filters.sdg")
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": "gear", "filters": {"colour": "red"}}), 422, "filters")
    assert_problem(post(api, "/api/v1/saved-searches/", {"need": 999999}), 422, "need")
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": "gear", "name": "x" * 201}), 422, "name")
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": "gear", "surprise": 1}), 422)
    assert not SavedSearch.objects.exists()
    assert post(api, "/api/v1/saved-searches/", {"query": "gear"}).status_code == 201
    assert_problem(post(api, "/api/v1/saved-searches/", {"query": "gear"}), 409)


def test_the_api_never_shows_or_deletes_anothers_saved_search(alice, bob):
    saved = saved_search_create(actor=alice, name="Private", query="secret topic", filters={})
    api = bearer(bob)
    assert api.get("/api/v1/saved-searches/").json()["count"] == 0
    assert_problem(api.get(f"/api/v1/saved-searches/{saved.pk}"), 404)
    assert_problem(api.delete(f"/api/v1/saved-searches/{saved.pk}"), 404)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_the_api_asks_for_authentication(alice):
    anonymous = Client()
    assert_problem(anonymous.get("/api/v1/saved-searches/"), 401)
    assert_problem(post(anonymous, "/api/v1/saved-searches/", {"query": "gear"}), 401)
    assert not SavedSearch.objects.exists()


# --- The pages ----------------------------------------------------------------


def test_the_search_page_offers_to_save_the_search_with_its_name_prefilled(alice, client):
    page = client.get("/search/?q=hydrogen+fuel&kind=technology").content.decode()
    assert "Save this search" in page and "/account/login/?next=" in page
    client.force_login(alice)
    page = client.get("/search/?q=hydrogen+fuel&kind=technology").content.decode()
    assert 'name="name" maxlength="200" value="hydrogen fuel"' in page
    assert '<input type="hidden" name="kind" value="technology">' in page
    assert "Save this search" not in client.get("/search/").content.decode()


def test_saving_from_the_search_page_with_htmx_answers_the_form(alice, client):
    client.force_login(alice)
    form = {"name": "Fuel", "q": "hydrogen fuel", "kind": "technology", "email": "on", "next": "/search/?q=hydrogen+fuel"}
    response = client.post("/saved-searches/new/", form, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Saved as “Fuel”" in response.content.decode()
    saved = SavedSearch.objects.get(owner=alice)
    assert (saved.query, saved.filters, saved.email) == ("hydrogen fuel", {"kind": "technology"}, True)

    response = client.post("/saved-searches/new/", {**form, "name": "x" * 201, "sdg": "18"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="save-search-name-error"' in page and "SDG must be a number from 1 to 17." in page
    assert SavedSearch.objects.count() == 1


def test_saving_without_htmx_redirects_and_anonymous_people_are_asked_to_sign_in(alice, client):
    response = client.post("/saved-searches/new/", {"q": "gear", "next": "/search/?q=gear"})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    client.force_login(alice)
    response = client.post("/saved-searches/new/", {"q": "gear", "next": "/search/?q=gear"})
    assert response.status_code == 302 and response["Location"] == "/search/?q=gear"
    assert SavedSearch.objects.get(owner=alice).email is False  # the box was not ticked
    response = client.post("/saved-searches/new/", {"q": "", "next": "https://evil.example/"})
    assert response.status_code == 422 and "Enter words to search for" in response.content.decode()


def test_a_need_page_offers_to_notify_of_matching_technologies(alice, client, need):
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "Notify me of matching technologies" in page and "to be told of new technologies" in page
    client.force_login(alice)
    assert f'name="need" value="{need.pk}"' in client.get(f"/needs/{need.pk}/").content.decode()
    response = client.post("/saved-searches/new/", {"need": need.pk, "email": "on"}, headers={"HX-Request": "true"})
    assert "You will be told of new technologies" in response.content.decode()
    assert SavedSearch.objects.get(owner=alice).need == need
    assert client.post("/saved-searches/new/", {"need": "999999"}).status_code == 404


def test_the_saved_searches_page_lists_reruns_and_deletes_only_your_own(alice, bob, client, need):
    mine = saved_search_create(actor=alice, name="Fuel", query="hydrogen fuel", filters={"sdg": 7})
    saved_search_create(actor=alice, name="", query="", filters={}, need=need)
    theirs = saved_search_create(actor=bob, name="Bob's secret", query="secret", filters={})
    assert client.get("/saved-searches/").status_code == 302
    client.force_login(alice)
    page = client.get("/saved-searches/").content.decode()
    assert 'href="/search/?q=hydrogen+fuel&amp;sdg=7"' in page and f'href="/needs/{need.pk}/"' in page
    assert "Bob&#x27;s secret" not in page
    assert client.post(f"/saved-searches/{theirs.pk}/delete/").status_code == 404
    response = client.post(f"/saved-searches/{mine.pk}/delete/")
    assert response.status_code == 302
    assert list(SavedSearch.objects.values_list("owner__username", flat=True).order_by("owner__username")) == ["alice", "bob"]
