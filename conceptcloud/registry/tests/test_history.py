"""The log as each viewer may read it (API), receipts by the same rule, and an asset's timeline."""

import pytest
from django.db import transaction

from conceptcloud.accounts.services import user_set_active
from conceptcloud.history.canonical import leaf_hash
from conceptcloud.history.models import Entry
from conceptcloud.history.receipts import verify_receipt
from conceptcloud.history.services import entry_append
from conceptcloud.registry import history
from conceptcloud.registry.selectors import asset_get_for_user
from conceptcloud.registry.services import AssetData, access_grant, asset_set_status, asset_update

REDACTED_KEYS = {"seq", "time", "leaf_hash", "redacted"}


def _entries(client, **params) -> list[dict]:
    """Every page of /api/v1/log/entries, in order."""
    items = []
    response = client.get("/api/v1/log/entries", {"page_size": 100, **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        if body["next"] is None:
            return items
        response = client.get(body["next"])


def _shown(item: dict) -> dict:
    return {key: value for key, value in item.items() if value is not None and key != "redacted"}


def _seqs_of(asset) -> list[int]:
    return list(Entry.objects.filter(subject=f"asset:{asset.pk}").order_by("seq").values_list("seq", flat=True))


def test_a_drafts_entries_are_redacted_for_others_and_whole_for_its_owner(cast, make_asset, client_of):
    draft = make_asset(cast.owner, org=cast.org, publish=False, title="Unannounced gearbox")
    seqs = _seqs_of(draft)
    for viewer in (None, cast.outsider):
        items = _entries(client_of(viewer))
        assert [item["seq"] for item in items] == list(range(Entry.objects.count()))  # gap-free
        for item in items:
            if item["seq"] in seqs:
                assert item["redacted"] is True and set(_shown(item)) == {"seq", "time", "leaf_hash"}
        assert "Unannounced gearbox" not in str(items)
    for viewer in (cast.owner, cast.member):
        by_seq = {item["seq"]: item for item in _entries(client_of(viewer))}
        item = by_seq[seqs[0]]
        assert item["redacted"] is False and item["type"] == "asset.registered"
        assert item["subject"] == f"asset:{draft.pk}" and item["actor"] == "owner"
        assert item["payload"]["title"] == "Unannounced gearbox"
        assert leaf_hash(item["entry"].encode()).hex() == item["leaf_hash"]


def test_a_redacted_entry_keeps_the_leaf_hash_anyone_can_check_inclusion_with(cast, make_asset, client_of):
    draft = make_asset(cast.owner, publish=False)
    entry = Entry.objects.get(seq=_seqs_of(draft)[0])
    item = next(i for i in _entries(client_of(None)) if i["seq"] == entry.seq)
    assert item["leaf_hash"] == bytes(entry.leaf_hash).hex()
    assert item["time"].startswith(entry.created_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_withdrawn_assets_entries_are_redacted_for_everyone_but_its_managers(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, title="Recalled valve")
    anonymous = client_of(None)
    assert not any(item["redacted"] for item in _entries(anonymous, subject=f"asset:{asset.pk}"))
    asset_set_status(actor=cast.owner, asset=asset, status="withdrawn", reason="Safety recall")
    assert _entries(anonymous, subject=f"asset:{asset.pk}") == []
    assert "Recalled valve" not in str(_entries(anonymous))
    assert len(_entries(client_of(cast.member), subject=f"asset:{asset.pk}")) == len(_seqs_of(asset)) == 2


def test_a_hidden_subject_filters_like_one_without_entries(cast, make_asset, client_of):
    draft = make_asset(cast.owner, publish=False)
    assert _entries(client_of(cast.outsider), subject=f"asset:{draft.pk}") == []
    assert _entries(client_of(cast.outsider), subject="asset:999999") == []
    assert [item["seq"] for item in _entries(client_of(cast.owner), subject=f"asset:{draft.pk}")] == _seqs_of(draft)


@pytest.mark.parametrize("visibility", ["confidential", "members"])
def test_entries_of_a_restricted_asset_show_its_teaser_and_only_a_commitment_to_the_rest(
    cast, make_asset, client_of, visibility
):
    asset = make_asset(cast.owner, org=cast.org, visibility=visibility, details="Sinter at 1234 C for 7 minutes.")
    access_grant(actor=cast.owner, asset=asset, user=cast.granted)
    view = asset_get_for_user(asset_id=asset.pk, user=cast.owner)
    asset_update(
        actor=cast.owner, asset=view.asset, note="tighter",
        data=AssetData(kind="technology", title=asset.title, summary=asset.summary, visibility=visibility,
                       owner_org=cast.org.slug, details="Sinter at 1250 C for 6 minutes."),
    )
    for viewer in (None, cast.outsider, cast.granted, cast.owner):
        items = _entries(client_of(viewer), subject=f"asset:{asset.pk}")
        assert [item["type"] for item in items] == ["asset.registered", "asset.access_granted", "asset.updated"]
        assert "Sinter" not in str(items)
        for item in (items[0], items[2]):
            assert item["payload"]["title"] == asset.title and "details" not in item["payload"]
            assert item["payload"]["commitment"]["alg"] == "sha256-salted-jcs"


def test_people_and_organisation_entries_follow_the_directory(cast, client_of, make_user):
    operator = make_user("operator")
    operator.is_staff = True
    operator.save()
    subject = f"user:{cast.outsider.username}"
    assert _entries(client_of(None), subject=subject)
    assert _entries(client_of(None), subject=f"org:{cast.org.slug}")
    user_set_active(actor=operator, user=cast.outsider, active=False, reason="spam")
    assert _entries(client_of(None), subject=subject) == []
    assert _entries(client_of(cast.owner), subject=subject) == []


def test_entries_about_a_kind_of_subject_the_registry_does_not_know_are_redacted(db, client_of, make_user):
    writer = make_user("writer")
    with transaction.atomic():
        entry = entry_append(actor=writer, type="later.thing", subject="later:1", payload={"secret": "x"})
    items = _entries(client_of(writer))
    assert set(_shown(items[entry.seq])) == {"seq", "time", "leaf_hash"}
    assert client_of(writer).get(f"/api/v1/log/entries/{entry.seq}/receipt").status_code == 404


def test_entries_come_in_pages_of_the_projects_pagination(cast, make_asset, client_of):
    for n in range(3):
        make_asset(cast.owner, title=f"Asset {n}")
    total = Entry.objects.count()
    client = client_of(None)
    first = client.get("/api/v1/log/entries?page_size=4").json()
    assert first["count"] == total and first["page"] == 1 and [i["seq"] for i in first["items"]] == [0, 1, 2, 3]
    second = client.get(first["next"]).json()
    assert [i["seq"] for i in second["items"]] == [4, 5, 6, 7][: total - 4] and second["previous"]
    past = client.get(f"/api/v1/log/entries?page_size=4&page={total}").json()
    assert past["items"] == [] and past["count"] == total
    assert client.get("/api/v1/log/entries?page_size=101").status_code == 422


def test_a_receipt_of_an_entry_the_viewer_may_not_see_is_404_like_an_absent_one(cast, make_asset, client_of):
    draft = make_asset(cast.owner, org=cast.org, publish=False)
    seq = _seqs_of(draft)[0]
    for viewer in (None, cast.outsider, cast.granted):
        response = client_of(viewer).get(f"/api/v1/log/entries/{seq}/receipt")
        absent = client_of(viewer).get(f"/api/v1/log/entries/{Entry.objects.count() + 5}/receipt")
        assert response.status_code == absent.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["title"] == absent.json()["title"]
    receipt = client_of(cast.member).get(f"/api/v1/log/entries/{seq}/receipt").json()
    assert verify_receipt(receipt) == [] and receipt["leaf_index"] == seq


def test_the_timeline_tells_who_did_what_oldest_first(cast, make_asset):
    asset = make_asset(cast.owner, org=cast.org, visibility="confidential")
    access_grant(actor=cast.owner, asset=asset, user=cast.granted)
    asset_set_status(actor=cast.member, asset=asset, status="draft")
    asset_set_status(actor=cast.member, asset=asset, status="published")
    timeline = history.asset_timeline_for_user(view=asset_get_for_user(asset_id=asset.pk, user=None))
    assert [(item.label, item.actor.username) for item in timeline] == [
        ("Registered", "owner"), ("Access granted", "owner"), ("Returned to draft", "member"), ("Published", "member"),
    ]
    assert [item.seq for item in timeline] == _seqs_of(asset)
    assert all(item.actor_listed for item in timeline)


def test_every_entry_type_has_a_label_and_an_unknown_one_reads_as_its_words():
    assert history.entry_label(type="asset.access_revoked") == "Access revoked"
    assert history.entry_label(type="licensing.offer_made") == "Offer made"
    assert all(str(label) for label in history.ENTRY_LABELS.values())
