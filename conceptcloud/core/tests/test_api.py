"""The API's shell: authentication (token, session + CSRF, anonymous reads),
errors as problem+json everywhere (also outside endpoints), and the OpenAPI
document.
"""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create, token_revoke
from conceptcloud.history.models import Entry
from conceptcloud.registry.models import Asset

CSRF = "k" * 32  # an unmasked CSRF secret: the cookie and the header must agree
ASSET = {"kind": "idea", "title": "Folding kite", "summary": "A kite that folds into a pocket."}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status
    assert body["type"].startswith("/docs/problems/")
    return body


def post_json(client: Client, url: str, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def counts() -> tuple[int, int]:
    return Asset.objects.count(), Entry.objects.count()


# Authentication ---------------------------------------------------------------


def test_public_reads_need_no_credentials(make_user, make_asset):
    make_asset(make_user("alice"), title="Open gear")
    response = Client().get("/api/v1/assets/")
    assert response.status_code == 200 and response.json()["items"][0]["title"] == "Open gear"


def test_a_bearer_token_identifies_its_owner(make_user):
    alice = make_user("alice")
    _token, secret = token_create(actor=alice, name="script")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = post_json(client, "/api/v1/assets/", ASSET)
    assert response.status_code == 201 and response.json()["owner_user"] == "alice"


@pytest.mark.parametrize(
    "header", ["Bearer cc_not-a-real-token", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "cc_token-without-scheme"]
)
def test_an_invalid_authorization_header_is_401_even_for_public_reads(header, make_user, make_asset):
    make_asset(make_user("alice"))
    body = assert_problem(Client(headers={"Authorization": header}).get("/api/v1/assets/"), 401)
    assert body["title"] == "Authentication required"


def test_a_bad_token_is_401_even_beside_a_valid_session(make_user):
    alice = make_user("alice")
    client = Client(headers={"Authorization": "Bearer cc_wrong"})
    client.force_login(alice)
    before = counts()
    assert_problem(post_json(client, "/api/v1/assets/", ASSET), 401)
    assert counts() == before


def test_a_revoked_token_is_401(make_user):
    alice = make_user("alice")
    token, secret = token_create(actor=alice, name="old")
    token_revoke(actor=alice, token_id=token.pk)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert_problem(client.get("/api/v1/assets/"), 401)
    assert_problem(post_json(client, "/api/v1/assets/", ASSET), 401)


def test_a_suspended_persons_token_is_401(make_user):
    from conceptcloud.accounts.models import User
    from conceptcloud.accounts.services import user_set_active

    alice = make_user("alice")
    _token, secret = token_create(actor=alice, name="script")
    operator = User.objects.create_superuser(username="operator", email="op@example.org", password="correct horse 42")
    user_set_active(actor=operator, user=alice, active=False)
    assert_problem(Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/people/me"), 401)


def test_a_write_without_credentials_is_a_401_problem_and_saves_nothing(db):
    before = counts()
    body = assert_problem(post_json(Client(enforce_csrf_checks=True), "/api/v1/assets/", ASSET), 401)
    assert body["instance"] == "/api/v1/assets/"
    assert counts() == before


def test_a_session_write_without_the_csrf_token_is_refused_and_saves_nothing(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    client.cookies["csrftoken"] = CSRF
    before = counts()
    body = assert_problem(post_json(client, "/api/v1/assets/", ASSET), 403)
    assert "CSRF" in body["detail"]
    assert_problem(post_json(client, "/api/v1/assets/", ASSET, headers={"X-CSRFToken": "w" * 32}), 403)
    assert counts() == before


def test_a_session_write_with_the_csrf_token_succeeds(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    client.cookies["csrftoken"] = CSRF
    response = post_json(client, "/api/v1/assets/", ASSET, headers={"X-CSRFToken": CSRF})
    assert response.status_code == 201, response.content
    assert response.json()["owner_user"] == "alice"


def test_session_reads_need_no_csrf_token(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    response = client.get("/api/v1/people/me")
    assert response.status_code == 200 and response.json()["username"] == "alice"


# Problems outside endpoints -----------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v2/assets/", "/api/v1/assets/not-a-number"])
def test_unknown_api_addresses_are_404_problems(path, db):
    body = assert_problem(Client().get(path), 404)
    assert body["instance"] == path


def test_a_collection_without_its_slash_is_a_404_problem_that_says_so(db):
    body = assert_problem(Client().get("/api/v1/assets"), 404)
    assert "/api/v1/assets/" in body["detail"]
    assert "slash" not in assert_problem(Client().get("/api/v1/widgets"), 404)["detail"]


def test_csrf_failures_are_problems_too_never_django_html_pages(make_user):
    """The API checks CSRF itself; its wrapped views stay exempt from the HTML failure page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    assert_problem(client.put("/api/v1/assets/"), 405)


def test_an_unsupported_method_is_a_405_problem_naming_the_allowed_ones(make_user):
    _token, secret = token_create(actor=make_user("alice"), name="t")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    before = counts()
    response = client.put("/api/v1/assets/", data=json.dumps(ASSET), content_type="application/json")
    assert_problem(response, 405)
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert_problem(client.delete("/api/v1/people/alice"), 405)
    assert counts() == before


def test_malformed_json_is_a_400_problem(make_user):
    _token, secret = token_create(actor=make_user("alice"), name="t")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    before = counts()
    body = assert_problem(client.post("/api/v1/assets/", data="{'kind': idea", content_type="application/json"), 400)
    assert body["title"] == "Bad request"
    assert counts() == before


def test_schema_errors_are_422_problems_with_dotted_field_paths(make_user):
    _token, secret = token_create(actor=make_user("alice"), name="t")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    body = assert_problem(
        post_json(client, "/api/v1/assets/", {**ASSET, "sdgs": [7, "x"], "ip_records": [{"office": "MARS"}]}), 422
    )
    assert set(body["errors"]) >= {"sdgs.1", "ip_records.0.office", "ip_records.0.number"}
    query = assert_problem(client.get("/api/v1/assets/", {"sdg": "seven", "page": 0}), 422)
    assert set(query["errors"]) == {"sdg", "page"}


def test_a_json_body_over_the_request_limit_is_a_413_problem(make_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _token, secret = token_create(actor=make_user("alice"), name="t")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    before = counts()
    assert_problem(post_json(client, "/api/v1/assets/", {**ASSET, "details": "x" * 5000}), 413)
    assert counts() == before


# The OpenAPI document ------------------------------------------------------------


@pytest.fixture
def openapi(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_document_describes_every_resource(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "Concept Cloud API" and "problem" in openapi["info"]["description"]
    for path in (
        "/api/v1/assets/", "/api/v1/assets/{asset_id}", "/api/v1/assets/{asset_id}/status",
        "/api/v1/assets/{asset_id}/versions", "/api/v1/assets/{asset_id}/versions/{number}",
        "/api/v1/assets/{asset_id}/attachments", "/api/v1/assets/{asset_id}/attachments/{attachment_id}",
        "/api/v1/assets/{asset_id}/grants", "/api/v1/assets/{asset_id}/grants/{username}",
        "/api/v1/needs/", "/api/v1/needs/{need_id}", "/api/v1/needs/{need_id}/status",
        "/api/v1/organisations/", "/api/v1/organisations/{slug}", "/api/v1/organisations/{slug}/members",
        "/api/v1/organisations/{slug}/invitations", "/api/v1/people/", "/api/v1/people/me",
        "/api/v1/people/{username}", "/api/v1/tokens/", "/api/v1/tokens/{token_id}",
        "/api/v1/log/checkpoint", "/api/v1/log/key", "/api/v1/log/proofs/inclusion",
        "/api/v1/log/proofs/consistency", "/api/v1/log/entries/{seq}/receipt",
        "/api/v1/assets/{asset_id}/terms", "/api/v1/assets/{asset_id}/contributors",
        "/api/v1/assets/{asset_id}/derivatives", "/api/v1/assets/{asset_id}/lineage", "/api/v1/assets/{asset_id}/prov",
        "/api/v1/share-proposals/", "/api/v1/derivation-requests/",
    ):
        assert path in openapi["paths"], path
    assert {tag["name"] for tag in openapi["tags"]} == {"Assets", "Needs", "Organisations", "People", "Tokens", "History",
                                                         "Lineage"}


def test_every_operation_has_a_summary_a_tag_and_problem_json_errors(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            assert operation["summary"] and operation["tags"], (method, path)
            errors = {status: r for status, r in operation["responses"].items() if int(status) >= 400}
            assert errors, (method, path)
            for response in errors.values():
                assert list(response["content"]) == ["application/problem+json"]
                assert response["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    problem = openapi["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])


def test_the_document_tells_which_reads_need_no_credentials(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["CsrfSessionAuth"]["in"] == "cookie"
    assert {} in openapi["paths"]["/api/v1/assets/"]["get"]["security"]
    assert {} not in openapi["paths"]["/api/v1/assets/"]["post"]["security"]


def test_an_asset_answer_is_documented_as_teaser_or_full_by_its_access(openapi):
    schema = openapi["paths"]["/api/v1/assets/{asset_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "access"
    teaser = openapi["components"]["schemas"]["AssetTeaserView"]["properties"]
    full = openapi["components"]["schemas"]["AssetFullView"]["properties"]
    assert not {"details", "ip_records", "attachments"} & set(teaser)
    assert {"details", "ip_records", "attachments"} <= set(full)


def test_the_docs_page_loads(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content


def test_problem_details_speak_the_readers_language(db):
    english = assert_problem(Client().get("/api/v1/nothing-here/"), 404)["detail"]
    japanese = assert_problem(Client(headers={"Accept-Language": "ja"}).get("/api/v1/nothing-here/"), 404)["detail"]
    assert japanese != english and not japanese.isascii()
