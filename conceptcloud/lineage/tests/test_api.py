"""The lineage API: every endpoint's happy path, problem+json for refusals (which
change nothing), authentication for writes, and visibility on the raw bytes."""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.history.models import Entry
from conceptcloud.lineage.models import Contribution, Derivation, LineageTerms, ShareProposal
from conceptcloud.lineage.services import terms_set
from conceptcloud.registry.models import Asset

PROBLEM = "application/problem+json"


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def state() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Asset, Entry, LineageTerms, Contribution, ShareProposal, Derivation)}


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def clients(people):
    return {name: bearer(user) for name, user in people.items()}


@pytest.fixture
def idea(people, make_asset):
    return make_asset(people["alice"], title="Gear bearing drive")


NEW_ASSET = {"kind": "technology", "title": "Gear drive, improved", "summary": "Quieter."}


# Terms and contributors ------------------------------------------------------------


def test_terms_are_read_by_anyone_and_set_by_the_owners(clients, idea):
    url = f"/api/v1/assets/{idea.pk}/terms"
    assert Client().get(url).json() == {
        "derivative_royalty_bp": 0, "derivatives_need_approval": False, "share_changes_need": "owner"}
    body = {"derivative_royalty_bp": 1250, "derivatives_need_approval": True, "share_changes_need": "contributors"}
    response = send(clients["alice"], "put", url, body)
    assert response.status_code == 200 and response.json() == body
    assert Client().get(url).json() == body


def test_setting_terms_needs_an_owner(clients, idea):
    url = f"/api/v1/assets/{idea.pk}/terms"
    body = {"derivative_royalty_bp": 1, "derivatives_need_approval": False, "share_changes_need": "owner"}
    before = state()
    assert send(Client(), "put", url, body).status_code == 401
    response = send(clients["bob"], "put", url, body)
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    too_much = send(clients["alice"], "put", url, {**body, "derivative_royalty_bp": 10001})
    assert too_much.status_code == 422 and "derivative_royalty_bp" in too_much.json()["errors"]
    assert state() == before


def test_contributors_and_a_share_proposal_applied_by_the_owner(clients, idea):
    url = f"/api/v1/assets/{idea.pk}/contributors"
    assert Client().get(url).json() == [
        {"username": "alice", "display_name": "Alice", "role": "originator", "share_bp": 10000, "implicit": True}]
    body = {"contributions": [{"username": "alice", "role": "originator", "share_bp": 7000},
                              {"username": "bob", "role": "implementer", "share_bp": 3000}]}
    response = send(clients["alice"], "post", f"{url}/proposals", body)
    assert response.status_code == 201
    proposal = response.json()
    assert (proposal["status"], proposal["needed"], proposal["asset"]["title"]) == ("applied", [], "Gear bearing drive")
    assert [(c["username"], c["share_bp"], c["implicit"]) for c in Client().get(url).json()] == [
        ("alice", 7000, False), ("bob", 3000, False)]


def test_shares_off_by_a_hundredth_are_a_problem_and_change_nothing(clients, idea):
    before = state()
    body = {"contributions": [{"username": "alice", "role": "originator", "share_bp": 7000},
                              {"username": "bob", "role": "implementer", "share_bp": 2999}]}
    response = send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals", body)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"] == {
        "contributions": ["The shares add up to 99.99%; they must add up to exactly 100%."]}
    unknown_role = send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals",
                        {"contributions": [{"username": "alice", "role": "inventor", "share_bp": 10000}]})
    assert unknown_role.status_code == 422 and "contributions.0.role" in unknown_role.json()["errors"]
    assert state() == before


def test_a_proposal_waits_for_each_contributors_agreement(clients, people, idea):
    send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals", {"contributions": [
        {"username": "alice", "role": "originator", "share_bp": 5000},
        {"username": "bob", "role": "improver", "share_bp": 5000}]})
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    created = send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals", {"contributions": [
        {"username": "alice", "role": "originator", "share_bp": 4000},
        {"username": "bob", "role": "improver", "share_bp": 6000}]}).json()
    assert (created["status"], created["waiting_for"]) == ("pending", ["bob"])
    assert [p["id"] for p in clients["bob"].get("/api/v1/share-proposals/").json()] == [created["id"]]
    assert clients["alice"].get("/api/v1/share-proposals/").json() == []
    assert [p["id"] for p in clients["alice"].get(f"/api/v1/assets/{idea.pk}/contributors/proposals").json()] == [
        created["id"]]
    assert clients["carol"].get(f"/api/v1/share-proposals/{created['id']}").status_code == 404
    assert send(clients["carol"], "post", f"/api/v1/share-proposals/{created['id']}/agree").status_code == 404
    assert send(clients["alice"], "post", f"/api/v1/share-proposals/{created['id']}/agree").status_code == 409
    agreed = send(clients["bob"], "post", f"/api/v1/share-proposals/{created['id']}/agree")
    assert agreed.status_code == 200 and agreed.json()["status"] == "applied"
    again = send(clients["bob"], "post", f"/api/v1/share-proposals/{created['id']}/decline")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert send(clients["bob"], "post", f"/api/v1/share-proposals/{created['id']}/maybe").status_code == 422


def test_a_contributor_declines_a_proposal(clients, people, idea):
    send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals", {"contributions": [
        {"username": "alice", "role": "originator", "share_bp": 5000},
        {"username": "bob", "role": "improver", "share_bp": 5000}]})
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    created = send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/contributors/proposals", {"contributions": [
        {"username": "alice", "role": "originator", "share_bp": 10000}]}).json()
    declined = send(clients["bob"], "post", f"/api/v1/share-proposals/{created['id']}/decline")
    assert declined.json()["status"] == "declined"
    assert Contribution.objects.filter(asset=idea).count() == 2


# Building on assets and links ---------------------------------------------------


def test_building_on_an_asset_registers_the_new_asset_with_its_links(clients, people, idea, make_asset):
    other = make_asset(people["carol"], title="Bearing")
    terms_set(actor=people["carol"], asset=other, derivative_royalty_bp=800, derivatives_need_approval=True,
              share_changes_need="owner")
    response = send(clients["bob"], "post", f"/api/v1/assets/{idea.pk}/derivatives",
                    {**NEW_ASSET, "combine_with": [other.pk]})
    assert response.status_code == 201
    body = response.json()
    child = Asset.objects.get(pk=body["asset"]["id"])
    assert (child.title, child.owner_user) == ("Gear drive, improved", people["bob"])
    assert [(x["parent"]["id"], x["relation"], x["royalty_bp"], x["status"]) for x in body["links"]] == [
        (idea.pk, "combines", 0, "approved"), (other.pk, "combines", 800, "pending")]
    assert body["asset"]["url"].endswith(f"/api/v1/assets/{child.pk}")

    requests = clients["carol"].get("/api/v1/derivation-requests/").json()
    assert [r["child"]["id"] for r in requests] == [child.pk]
    decided = send(clients["carol"], "post", f"/api/v1/derivations/{requests[0]['id']}/approve")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == "carol"
    assert send(clients["carol"], "post", f"/api/v1/derivations/{requests[0]['id']}/decline").status_code == 409
    assert clients["carol"].get("/api/v1/derivation-requests/").json() == []


def test_building_on_refusals_are_problems_by_field_and_change_nothing(clients, people, idea, make_asset):
    draft = make_asset(people["carol"], publish=False)
    before = state()
    hidden = send(clients["bob"], "post", f"/api/v1/assets/{idea.pk}/derivatives", {**NEW_ASSET, "combine_with": [draft.pk]})
    assert hidden.status_code == 422 and hidden.json()["errors"] == {"parents": [f"No such asset: {draft.pk}."]}
    assert send(clients["bob"], "post", f"/api/v1/assets/{draft.pk}/derivatives", NEW_ASSET).status_code == 404
    assert send(Client(), "post", f"/api/v1/assets/{idea.pk}/derivatives", NEW_ASSET).status_code == 401
    too_many = send(clients["bob"], "post", f"/api/v1/assets/{idea.pk}/derivatives",
                    {**NEW_ASSET, "combine_with": list(range(1000, 1016))})
    assert too_many.status_code == 422 and too_many["Content-Type"] == PROBLEM
    bad_asset = send(clients["bob"], "post", f"/api/v1/assets/{idea.pk}/derivatives", {**NEW_ASSET, "sdgs": [18]})
    assert bad_asset.status_code == 422 and "sdgs" in bad_asset.json()["errors"]
    assert state() == before


def test_declaring_a_parent_and_refusing_a_cycle(clients, people, idea, make_asset):
    mine = make_asset(people["bob"], title="Bob's gear")
    response = send(clients["bob"], "post", f"/api/v1/assets/{mine.pk}/parents", {"parent_id": idea.pk})
    assert response.status_code == 201
    assert (response.json()["relation"], response.json()["child"]["id"]) == ("improves", mine.pk)
    link_id = response.json()["id"]
    assert clients["alice"].get(f"/api/v1/derivations/{link_id}").json()["id"] == link_id
    assert clients["carol"].get(f"/api/v1/derivations/{link_id}").status_code == 404
    assert send(clients["bob"], "post", f"/api/v1/derivations/{link_id}/approve").status_code == 403
    before = state()
    cycle = send(clients["alice"], "post", f"/api/v1/assets/{idea.pk}/parents", {"parent_id": mine.pk})
    assert cycle.status_code == 422 and cycle["Content-Type"] == PROBLEM
    assert cycle.json()["errors"] == {"parent_id": ["That asset builds on this one: the link would close a cycle."]}
    assert send(clients["carol"], "post", f"/api/v1/assets/{mine.pk}/parents", {"parent_id": idea.pk}).status_code == 403
    assert state() == before


# The graph ---------------------------------------------------------------------


def test_the_lineage_graph_shows_hidden_parents_as_placeholders(clients, people, make_asset):
    hidden = make_asset(people["alice"], title="Hidden draft title", publish=False)
    child = make_asset(people["alice"], title="Public child")
    send(clients["alice"], "post", f"/api/v1/assets/{child.pk}/parents", {"parent_id": hidden.pk})
    response = Client().get(f"/api/v1/assets/{child.pk}/lineage")
    assert response.status_code == 200 and b"Hidden draft title" not in response.content
    graph = response.json()
    assert (graph["focus"], graph["first_idea"]) == (child.pk, hidden.pk)
    assert graph["nodes"] == [
        {"id": hidden.pk, "title": None, "kind": None, "url": None, "visible": False, "depth": -1,
         "first_idea": True, "focus": False},
        {"id": child.pk, "title": "Public child", "kind": "technology",
         "url": f"http://testserver/api/v1/assets/{child.pk}", "visible": True, "depth": 0,
         "first_idea": False, "focus": True},
    ]
    assert graph["edges"] == [{"parent_id": hidden.pk, "child_id": child.pk, "relation": "improves",
                               "royalty_bp": 0, "status": "approved"}]
    assert b"Hidden draft title" in clients["alice"].get(f"/api/v1/assets/{child.pk}/lineage").content
    assert Client().get(f"/api/v1/assets/{hidden.pk}/lineage").status_code == 404


def test_the_prov_export_answers_in_both_media_types(clients, idea):
    as_json = Client().get(f"/api/v1/assets/{idea.pk}/prov")
    assert as_json.status_code == 200 and as_json["Content-Type"].startswith("application/json")
    assert "entity" in as_json.json()
    as_ld = Client().get(f"/api/v1/assets/{idea.pk}/prov?format=prov-o")
    assert as_ld.status_code == 200 and as_ld["Content-Type"].startswith("application/ld+json")
    assert isinstance(json.loads(as_ld.content), list)
    assert Client().get(f"/api/v1/assets/{idea.pk}/prov?format=turtle").status_code == 422


def test_personal_lists_need_a_signed_in_caller():
    for url in ("/api/v1/share-proposals/", "/api/v1/derivation-requests/"):
        response = Client().get(url)
        assert response.status_code == 401 and response["Content-Type"] == PROBLEM


def test_the_lineage_endpoints_are_documented_under_their_tag():
    schema = Client().get("/api/openapi.json").json()
    lineage = {path for path, item in schema["paths"].items()
               for operation in item.values() if "Lineage" in operation.get("tags", [])}
    assert {"/api/v1/assets/{asset_id}/lineage", "/api/v1/assets/{asset_id}/prov",
            "/api/v1/derivation-requests/", "/api/v1/share-proposals/"} <= lineage
