"""The matching endpoints: need → technologies, asset → needs and partners, person →
mentors; reasons in every result, 404 problem+json for what the caller may not see,
and no hidden text in the raw response bytes."""

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.discovery.tests import test_matching
from conceptcloud.discovery.tests.test_matching import SECRET

pytestmark = pytest.mark.django_db

# The cast and listings of the selector tests.
world = test_matching.world
people = test_matching.people


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def assert_problem(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_technologies_for_a_need_come_with_scores_and_reasons(world):
    response = Client().get(f"/api/v1/needs/{world['need'].pk}/technologies")
    assert response.status_code == 200
    results = response.json()
    first = results[0]
    assert first["asset"]["title"] == "Ceramic membrane filter for drinking water"
    assert first["asset"]["url"].endswith(f"/api/v1/assets/{world['filter'].pk}")
    assert first["score"] > 0 and 0 < first["similarity"] <= 1
    kinds = {reason["kind"] for reason in first["reasons"]}
    assert {"terms", "sdgs", "country", "similarity"} <= kinds
    assert "details" not in first["asset"]
    assert [r["asset"]["id"] for r in results] == sorted(
        [r["asset"]["id"] for r in results], key=lambda pk: -next(x["score"] for x in results if x["asset"]["id"] == pk)
    )


def test_an_outsider_never_receives_confidential_details_through_matching(world, people):
    client = bearer(world["outsider"])
    for path in (
        f"/api/v1/needs/{world['need'].pk}/technologies?limit=100",
        f"/api/v1/assets/{world['secret'].pk}/needs",
        f"/api/v1/assets/{world['secret'].pk}/partners",
        f"/api/v1/assets/{world['filter'].pk}/partners",
        f"/api/v1/people/{people['hanako'].username}/mentors",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        # Words only the details hold never appear; a word the public need shares
        # with the details is never given as a reason.
        assert b"granules" not in response.content and b"fluoride" not in response.content, path
        for result in response.json():
            assert all(SECRET not in reason["text"] for reason in result["reasons"]), path


def test_the_owner_receives_reasons_from_their_own_details(world):
    response = bearer(world["owner"]).get(f"/api/v1/needs/{world['need'].pk}/technologies")
    secret = next(r for r in response.json() if r["asset"]["id"] == world["secret"].pk)
    assert any(SECRET in reason["text"] for reason in secret["reasons"])


def test_needs_for_an_asset(world):
    results = Client().get(f"/api/v1/assets/{world['filter'].pk}/needs").json()
    assert results[0]["need"]["id"] == world["need"].pk
    assert results[0]["need"]["seeker_org"] == world["ngo"].slug
    assert any(reason["kind"] == "terms" for reason in results[0]["reasons"])


def test_partners_exclude_the_owner_and_explain_themselves(world):
    results = Client().get(f"/api/v1/assets/{world['filter'].pk}/partners").json()
    slugs = [r["organisation"]["slug"] for r in results]
    assert world["tlo"].slug not in slugs
    pumps = next(r for r in results if r["organisation"]["slug"] == world["pumps"].slug)
    assert pumps["listing_count"] == 2 and pumps["listings"][0]["title"]
    assert {"listings", "organisation"} <= {reason["kind"] for reason in pumps["reasons"]}
    ngo = next(r for r in results if r["organisation"]["slug"] == world["ngo"].slug)
    assert ngo["need"]["id"] == world["need"].pk


def test_mentors_for_a_person(world, people):
    results = Client().get(f"/api/v1/people/{people['hanako'].username}/mentors").json()
    usernames = [r["person"]["username"] for r in results]
    assert usernames[0] == world["owner"].username
    assert "hanako" not in usernames and "gone" not in usernames
    assert "water treatment" in results[0]["shared_skills"]
    assert {"skills", "record"} <= {reason["kind"] for reason in results[0]["reasons"]}


def test_what_the_caller_may_not_see_is_404_problem_json(world, people):
    client = bearer(world["outsider"])
    assert_problem(client.get(f"/api/v1/assets/{world['draft'].pk}/needs"), 404)
    assert_problem(client.get(f"/api/v1/assets/{world['draft'].pk}/partners"), 404)
    assert_problem(client.get("/api/v1/needs/999999/technologies"), 404)
    assert_problem(client.get("/api/v1/assets/999999/needs"), 404)
    assert_problem(client.get(f"/api/v1/people/{people['gone'].username}/mentors"), 404)
    assert_problem(client.get("/api/v1/people/nobody-here/mentors"), 404)


def test_the_owner_may_match_their_own_draft_asset(world):
    response = bearer(world["owner"]).get(f"/api/v1/assets/{world['draft'].pk}/needs")
    assert response.status_code == 200


def test_a_limit_out_of_range_is_422_problem_json(world):
    assert_problem(Client().get(f"/api/v1/needs/{world['need'].pk}/technologies?limit=0"), 422)
    assert_problem(Client().get(f"/api/v1/assets/{world['filter'].pk}/partners?limit=51"), 422)
    assert len(Client().get(f"/api/v1/needs/{world['need'].pk}/technologies?limit=1").json()) == 1
