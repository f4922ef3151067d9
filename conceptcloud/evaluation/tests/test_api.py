"""The evaluation API: praise and its undo, reviews with the six indices and their
versions, replies, reputation and challenge records; problem+json for every refusal,
which changes nothing; nothing about an asset a caller may not see."""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import ProfileData, profile_update, token_create
from conceptcloud.evaluation import services
from conceptcloud.evaluation.models import Praise, Review, ReviewReply, ReviewVersion
from conceptcloud.evaluation.tests.conftest import review_data, scores
from conceptcloud.history.models import Entry

PROBLEM = "application/problem+json"


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def state() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Entry, Praise, Review, ReviewVersion, ReviewReply)}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


def test_praise_undo_and_the_list_of_who_praised(public_asset, reviewer, make_user):
    client = bearer(reviewer)
    url = f"/api/v1/assets/{public_asset.pk}/praise"
    response = client.post(url)
    assert response.status_code == 201
    assert response.json() == {
        "count": 1,
        "praised_by_you": True,
        "praised_by": [{"username": "yamada", "name": "Yamada"}],
        "unnamed": 0,
    }
    before = state()
    assert problem(client.post(url), 409)["detail"] == "You have already praised this asset."
    assert state() == before
    assert Client().get(url).json()["praised_by_you"] is False
    assert client.delete(url).status_code == 204
    assert problem(client.delete(url), 404)
    assert Client().get(url).json()["count"] == 0


def test_a_person_who_hides_their_praise_is_counted_but_not_named(public_asset, reviewer):
    profile_update(actor=reviewer, data=ProfileData(display_name="Yamada", show_praise=False))
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    seen = Client().get(f"/api/v1/assets/{public_asset.pk}/praise").json()
    assert seen == {"count": 1, "praised_by_you": False, "praised_by": [], "unnamed": 1}
    own = bearer(reviewer).get(f"/api/v1/assets/{public_asset.pk}/praise").json()
    assert own["praised_by"] == [{"username": "yamada", "name": "Yamada"}] and own["unnamed"] == 0


def test_writes_need_a_signed_in_caller(public_asset):
    before = state()
    problem(Client().post(f"/api/v1/assets/{public_asset.pk}/praise"), 401)
    problem(send(Client(), "put", f"/api/v1/assets/{public_asset.pk}/reviews/mine", {**scores(), "text": "Hi"}), 401)
    assert state() == before


def test_a_review_is_written_edited_and_its_versions_listed(public_asset, reviewer):
    client = bearer(reviewer)
    url = f"/api/v1/assets/{public_asset.pk}/reviews/mine"
    first = send(client, "put", url, {**scores(3), "text": "First look."})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1 and first.json()["scores"]["novelty"] == 3 and first.json()["mean"] == 3.0
    second = send(client, "put", url, {**scores(5, quality=4), "text": "After the pilot."}).json()
    assert second["version"] == 2 and second["scores"]["quality"] == 4
    listing = Client().get(f"/api/v1/assets/{public_asset.pk}/reviews").json()
    assert listing["averages"]["count"] == 1 and listing["averages"]["means"]["quality"] == 4.0
    assert [item["reviewer"] for item in listing["items"]] == ["yamada"]
    versions = Client().get(f"/api/v1/assets/{public_asset.pk}/reviews/yamada/versions").json()
    assert [(v["number"], v["text"]) for v in versions] == [(1, "First look."), (2, "After the pilot.")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**scores(), "novelty": None, "text": "x"}, "novelty"),
        ({**scores(), "quality": 6, "text": "x"}, "quality"),
        ({**scores(), "challenge": 0, "text": "x"}, "challenge"),
        ({**scores(), "text": ""}, "text"),
    ],
)
def test_bad_scores_and_texts_are_422_by_field_and_change_nothing(public_asset, reviewer, body, field):
    client = bearer(reviewer)
    before = state()
    found = problem(send(client, "put", f"/api/v1/assets/{public_asset.pk}/reviews/mine", body), 422)
    assert field in found["errors"]
    assert state() == before


@pytest.mark.parametrize("value", ["4", 4.5, True])
def test_scores_that_are_not_whole_numbers_are_refused_by_the_schema(public_asset, reviewer, value):
    client = bearer(reviewer)
    before = state()
    body = {**scores(), "inventive_step": value, "text": "x"}
    problem(send(client, "put", f"/api/v1/assets/{public_asset.pk}/reviews/mine", body), 422)
    assert state() == before


def test_reviews_of_a_confidential_asset_reach_only_readers_of_its_details(confidential_asset, reviewer, lab, make_user):
    from conceptcloud.registry.services import access_grant

    client = bearer(reviewer)
    before = state()
    problem(send(client, "put", f"/api/v1/assets/{confidential_asset.pk}/reviews/mine",
                 {**scores(), "text": "x"}), 403)
    assert state() == before
    access_grant(actor=lab["admin"], asset=confidential_asset, user=reviewer)
    services.review_write(actor=reviewer, asset_id=confidential_asset.pk, data=review_data(text="The electrolyte."))
    outsider = bearer(make_user("kato"))
    listing = outsider.get(f"/api/v1/assets/{confidential_asset.pk}/reviews").json()
    assert listing["items"] == [] and listing["averages"]["count"] == 1  # numbers only
    assert "electrolyte" not in outsider.get(f"/api/v1/assets/{confidential_asset.pk}/reviews").content.decode()
    problem(outsider.get(f"/api/v1/assets/{confidential_asset.pk}/reviews/yamada"), 404)
    assert client.get(f"/api/v1/assets/{confidential_asset.pk}/reviews/yamada").json()["text"] == "The electrolyte."


def test_nothing_at_all_about_an_asset_the_caller_cannot_see(make_asset, lab, reviewer):
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Unpublished")
    client = bearer(reviewer)
    for path in ("praise", "reviews", "reputation", "reviews/tanaka", "reviews/tanaka/versions"):
        problem(client.get(f"/api/v1/assets/{draft.pk}/{path}"), 404)
    before = state()
    problem(client.post(f"/api/v1/assets/{draft.pk}/praise"), 404)
    problem(send(client, "put", f"/api/v1/assets/{draft.pk}/reviews/mine", {**scores(), "text": "x"}), 404)
    assert state() == before


def test_the_owners_reply_and_others_are_refused(public_asset, reviewer, lab):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    url = f"/api/v1/assets/{public_asset.pk}/reviews/yamada/reply"
    as_reviewer, as_admin, as_member = bearer(reviewer), bearer(lab["admin"]), bearer(lab["member"])
    before = state()
    problem(send(as_reviewer, "put", url, {"text": "Self reply"}), 403)
    problem(send(as_admin, "put", url, {"text": "   "}), 422)
    problem(send(as_admin, "put", f"/api/v1/assets/{public_asset.pk}/reviews/nobody/reply", {"text": "Hi"}), 404)
    assert state() == before
    reply = send(as_member, "put", url, {"text": "Thank you; fixed."})
    assert reply.status_code == 200 and reply.json()["author"] == "sato"
    assert Client().get(f"/api/v1/assets/{public_asset.pk}/reviews/yamada").json()["reply"]["text"] == "Thank you; fixed."


def test_reputation_and_challenge_records(public_asset, reviewer, lab):
    assert Client().get("/api/v1/people/tanaka/reputation").json() == {
        "score": None, "percentile": None, "reasons": [], "praise_weight": None, "discounted": {}
    }
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(5))
    services.reputation_recompute()
    person = Client().get("/api/v1/people/tanaka/reputation").json()
    assert person["score"] > 0 and 0 <= person["percentile"] <= 100
    assert any(reason["asset"] == public_asset.pk for reason in person["reasons"])
    asset = Client().get(f"/api/v1/assets/{public_asset.pk}/reputation").json()
    assert asset["praise_weight"] == pytest.approx(2.0)  # the praise and a review of all 5s
    record = Client().get("/api/v1/people/tanaka/challenges").json()
    assert record == [
        {"asset": public_asset.pk, "title": "Solar dryer", "kind": "lesson", "role": "owner", "praise": 1,
         "reviews": 1, "means": dict.fromkeys(scores(), 5.0)}
    ]
    problem(Client().get("/api/v1/people/nobody/reputation"), 404)


def test_lists_sort_and_filter_by_praise_and_reputation(make_asset, make_user, reviewer, lab):
    quiet = make_asset(lab["admin"], org=lab["org"], title="Quiet asset")
    loved = make_asset(lab["admin"], org=lab["org"], title="Loved asset")
    for person in (reviewer, make_user("kato"), make_user("inoue")):
        services.praise_give(actor=person, asset_id=loved.pk)
    services.reputation_recompute()
    titles = [row["title"] for row in Client().get("/api/v1/assets/?sort=praise").json()["items"]]
    assert titles == ["Loved asset", "Quiet asset"]
    praised = Client().get("/api/v1/assets/?standing=praised").json()["items"]
    assert [row["title"] for row in praised] == ["Loved asset"]
    searched = Client().get("/api/v1/search?sort=reputation").json()["results"]
    assert [(row["title"], row["praise"]) for row in searched][0] == ("Loved asset", 3)
    assert [row["title"] for row in Client().get("/api/v1/search?standing=praised").json()["results"]] == ["Loved asset"]
    problem(Client().get("/api/v1/assets/?sort=random"), 422)
    problem(Client().get("/api/v1/assets/?standing=famous"), 422)
    problem(Client().get("/api/v1/search?standing=famous"), 422)
    problem(Client().get("/api/v1/people/?sort=fame"), 422)
    people = [row["username"] for row in Client().get("/api/v1/people/?sort=reputation").json()["items"]]
    assert people[0] == "tanaka"  # the owner of the praised asset
    assert quiet.pk != loved.pk
