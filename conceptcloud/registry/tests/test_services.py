import pytest

from conceptcloud.core.errors import InvalidInput
from conceptcloud.history.models import Entry
from conceptcloud.registry.models import Asset, AssetVersion
from conceptcloud.registry.services import AssetData, asset_register, asset_update


def test_registering_an_asset_stores_version_one_and_a_history_entry(make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    asset = asset_register(
        actor=alice,
        data=AssetData(
            kind="technology", title="Gear bearing", summary="Gear + bearing", owner_org=org.slug,
            sdgs=[9, 7], cpc_codes=["F16H 1/00"], countries_developed=["JP"], availability=["licence"],
        ),
    )
    assert asset.version == 1 and asset.cpc_codes == ["F16H1/00"] and asset.sdgs == [7, 9]
    assert AssetVersion.objects.filter(asset=asset, number=1).exists()
    entry = Entry.objects.get(subject=f"asset:{asset.pk}")
    assert entry.type == "asset.registered" and entry.payload["title"] == "Gear bearing"


def test_bad_input_reports_every_field_and_saves_nothing(make_user):
    alice = make_user("alice")
    before = (Asset.objects.count(), Entry.objects.count())
    with pytest.raises(InvalidInput) as caught:
        asset_register(
            actor=alice,
            data=AssetData(kind="spaceship", title="", summary="x", sdgs=[18], cpc_codes=["Z99Z 1/00"], trl=12),
        )
    assert set(caught.value.errors) == {"kind", "title", "sdgs", "cpc_codes", "trl"}
    assert (Asset.objects.count(), Entry.objects.count()) == before


def test_confidential_details_enter_the_history_only_as_a_commitment(make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice, visibility="confidential", details="Secret alloy: Ti-6Al-4V at 950 C")
    entry = Entry.objects.get(subject=f"asset:{asset.pk}")
    assert b"Secret alloy" not in bytes(entry.canonical)
    assert "commitment" in entry.payload and entry.salt.salt


def test_an_edit_creates_a_new_version_and_an_unchanged_edit_creates_none(make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice)
    data = AssetData(kind="technology", title="Gear bearing drive v2", summary=asset.summary, details=asset.details)
    asset = asset_update(actor=alice, asset=asset, data=data, note="new title")
    assert asset.version == 2
    asset = asset_update(actor=alice, asset=asset, data=data)
    assert asset.version == 2 and asset.versions.count() == 2


def test_members_only_details_enter_the_public_history_only_as_a_commitment(make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice, visibility="members", details="Members-only process window 412 K")
    entry = Entry.objects.get(subject=f"asset:{asset.pk}")
    assert b"process window" not in bytes(entry.canonical)
    assert "commitment" in entry.payload and "details" not in entry.payload


def test_public_details_are_recorded_in_the_clear(make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice, visibility="public", details="Open process window 300 K")
    entry = Entry.objects.get(subject=f"asset:{asset.pk}")
    assert entry.payload["details"] == "Open process window 300 K" and "commitment" not in entry.payload
