"""Help while registering (selectors/similar.py): similar assets and near-duplicates of a
draft, on the database in use, with the real embedding model; the visibility rule
checked with an outsider, a grantee and the owner."""

import pytest

from conceptcloud.core.errors import InvalidInput
from conceptcloud.discovery.duplicates import signature
from conceptcloud.discovery.selectors.similar import (
    MAX_SUMMARY,
    assets_similar_to_text,
    draft_check,
    near_duplicates_of_text,
    registration_help,
    sdg_suggestions,
    signature_index_cache,
)
from conceptcloud.discovery.services.indexing import asset_index, index_rebuild
from conceptcloud.discovery.text import analyse
from conceptcloud.registry.services import access_grant, asset_set_status

pytestmark = pytest.mark.django_db

PUMP_TITLE = "Solar powered water pump for smallholder irrigation"
PUMP_SUMMARY = (
    "A brushless motor driven directly by photovoltaic panels lifts water from wells up to forty metres "
    "deep without batteries, so farms far from the grid can irrigate vegetables through the dry season "
    "at a fraction of the cost of diesel. The controller tracks the maximum power point of the panels, "
    "starts the motor softly at dawn and stops it when the well runs low."
)
PUMP_DETAILS = (
    "Field trials in three districts ran for two seasons. The pump delivered twelve cubic metres a day "
    "from a depth of thirty metres with a panel array of nine hundred watts. " * 4
)
# A secret that only the confidential asset's details hold.
SECRET_DETAILS = (
    "Zirconium oxalate slurry is sprayed onto the turbine blade at four hundred degrees, then sintered "
    "in argon for six hours, which leaves a porous ceramic layer that survives thermal cycling to "
    "twelve hundred degrees without cracking or spalling in long endurance tests."
)
# Its teaser says nothing of them.
SECRET_TITLE = "Licensable production know-how"
SECRET_SUMMARY = (
    "An improvement to an industrial production process, offered to licensees under a non-disclosure "
    "agreement, with training by the inventors and support during the first year of use."
)
DRAFT_TEASER = (
    "A handheld sensor that reads soil moisture and nitrogen in the field and tells farmers by phone "
    "how much water and fertiliser each plot needs this week, built from low cost parts."
)


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    other = make_user("other")
    assets = {
        "pump": make_asset(owner, tlo, title=PUMP_TITLE, summary=PUMP_SUMMARY, details=PUMP_DETAILS, sdgs=[6, 7]),
        "filter": make_asset(
            owner, tlo, title="Ceramic membrane filter for drinking water",
            summary="Porous clay discs coated with silver remove bacteria from river water in households without power.",
            details="", sdgs=[6],
        ),
        "secret": make_asset(
            owner, tlo, visibility="confidential", title=SECRET_TITLE, summary=SECRET_SUMMARY, details=SECRET_DETAILS,
        ),
        "draft": make_asset(other, None, publish=False, title="Soil sensor for farmers", summary=DRAFT_TEASER),
    }
    index_rebuild()
    return {"owner": owner, "other": other, "outsider": make_user("outsider"), "grantee": make_user("grantee"), **assets}


def edited(text: str) -> str:
    return text.replace("forty", "fifty").replace("vegetables", "crops")


def ids(items) -> list[int]:
    return [item.asset.pk for item in items]


def test_a_lightly_edited_copy_of_a_public_asset_is_a_near_duplicate(world):
    near = near_duplicates_of_text(user=world["outsider"], title=PUMP_TITLE, summary=edited(PUMP_SUMMARY))
    assert ids(near) == [world["pump"].pk]
    assert 0.7 <= near[0].similarity < 1


def test_a_copy_with_its_details_is_found_through_the_stored_signatures(world):
    near = near_duplicates_of_text(
        user=world["outsider"], title=PUMP_TITLE, summary=edited(PUMP_SUMMARY), details=PUMP_DETAILS
    )
    assert ids(near) == [world["pump"].pk]
    cache = signature_index_cache()
    draft = draft_check(title=PUMP_TITLE, summary=edited(PUMP_SUMMARY), details=PUMP_DETAILS)
    assert [hit.id for hit in cache.near(signature(analyse(draft.text(with_details=True))))] == [world["pump"].pk]


def test_an_unrelated_text_has_no_near_duplicate_and_finds_related_assets_only(world):
    text = "A wind turbine gearbox made of composite gears that needs no lubrication for twenty years of service offshore."
    assert near_duplicates_of_text(user=world["outsider"], title="Lubrication-free gearbox", summary=text) == []


def test_similar_assets_put_the_closest_listing_first_with_its_similarity(world):
    similar = assets_similar_to_text(
        user=world["outsider"],
        title="Photovoltaic irrigation pump",
        summary="A pump for farm irrigation powered by solar panels, with no batteries.",
    )
    assert similar[0].asset.pk == world["pump"].pk
    assert similar[0].similarity is not None and similar[0].similarity > 0.5
    assert len(similar) <= 5


def test_a_short_title_alone_is_never_called_a_near_duplicate(world):
    assert near_duplicates_of_text(user=world["outsider"], title=PUMP_TITLE, summary="") == []


def test_an_outsider_never_gets_a_confidential_asset_through_its_details(world):
    for user in (world["outsider"], None):
        found = registration_help(
            user=user, draft=draft_check(title="Turbine blade coating", summary=SECRET_DETAILS, details=SECRET_DETAILS)
        )
        assert world["secret"].pk not in ids(found.similar)
        assert world["secret"].pk not in ids(found.near_duplicates)


def test_near_duplicates_never_come_from_hidden_details_even_for_readers_of_them(world):
    access_grant(actor=world["owner"], asset=world["secret"], user=world["grantee"])
    for user in (world["grantee"], world["owner"]):
        found = registration_help(user=user, draft=draft_check(title="Coating", summary=SECRET_DETAILS))
        assert world["secret"].pk not in ids(found.near_duplicates)
    # A reader of the details does find the asset similar through them (the lexical side).
    found = registration_help(user=world["grantee"], draft=draft_check(title="Coating", summary=SECRET_DETAILS))
    assert world["secret"].pk in ids(found.similar)


def test_a_copy_of_a_confidential_assets_teaser_is_flagged_since_everyone_may_read_it(world):
    near = near_duplicates_of_text(
        user=world["outsider"], title=SECRET_TITLE, summary=SECRET_SUMMARY.replace("first year", "first months")
    )
    assert ids(near) == [world["secret"].pk]


def test_drafts_of_others_are_never_shown_but_their_owner_sees_their_own(world):
    draft = world["draft"]
    for user in (world["outsider"], world["owner"], None):
        found = registration_help(user=user, draft=draft_check(title=draft.title, summary=DRAFT_TEASER))
        assert draft.pk not in ids(found.similar) + ids(found.near_duplicates)
    found = registration_help(user=world["other"], draft=draft_check(title=draft.title, summary=DRAFT_TEASER))
    assert draft.pk in ids(found.near_duplicates)
    assert draft.pk in ids(found.similar)


def test_a_withdrawn_asset_is_not_shown_to_others(world):
    asset_set_status(actor=world["owner"], asset=world["pump"], status="withdrawn")
    asset_index(asset_id=world["pump"].pk)
    found = registration_help(user=world["outsider"], draft=draft_check(title=PUMP_TITLE, summary=PUMP_SUMMARY))
    assert world["pump"].pk not in ids(found.similar) + ids(found.near_duplicates)


def test_the_asset_being_edited_is_left_out(world):
    pump = world["pump"]
    found = registration_help(
        user=world["owner"], draft=draft_check(title=PUMP_TITLE, summary=PUMP_SUMMARY), exclude_asset_id=pump.pk
    )
    assert pump.pk not in ids(found.similar) + ids(found.near_duplicates)


def test_a_newly_indexed_asset_is_found_by_the_next_check(world, make_asset):
    summary = (
        "Bamboo fibre bicycle frames glued with plant resin, light and stiff, made in small workshops "
        "from local bamboo with simple jigs and sold at half the price of aluminium frames."
    )
    draft = draft_check(title="Bamboo bicycle frame", summary=summary)
    assert registration_help(user=world["outsider"], draft=draft).near_duplicates == []
    bike = make_asset(world["owner"], title="Bamboo bicycle frame", summary=summary, details="")
    asset_index(asset_id=bike.pk)
    assert ids(registration_help(user=world["outsider"], draft=draft).near_duplicates) == [bike.pk]


def test_bad_drafts_are_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as empty:
        draft_check(title="  ", summary="")
    assert "title" in empty.value.errors
    with pytest.raises(InvalidInput) as long:
        draft_check(title="Pump", summary="x" * (MAX_SUMMARY + 1))
    assert "summary" in long.value.errors


def test_sdg_suggestions_refuse_empty_and_over_long_text():
    with pytest.raises(InvalidInput) as empty:
        sdg_suggestions(text=" ")
    assert "text" in empty.value.errors
    with pytest.raises(InvalidInput):
        sdg_suggestions(text="water " * 5000)
    assert sdg_suggestions(text="A membrane filter that purifies drinking water.")[0].goal == 6


def test_a_japanese_near_copy_is_flagged_by_its_words(world, make_asset):
    summary = (
        "山間部の農業用水路に設置できる小型の水力発電機。落差二メートルの水路でも発電し、集落の街灯や農機の"
        "充電に使える電力を一年中安定して供給する。保守は年に一度の点検だけで済む。"
    )
    hydro = make_asset(world["owner"], title="小水力発電機", summary=summary, language="ja", details="")
    asset_index(asset_id=hydro.pk)
    found = registration_help(
        user=world["outsider"], draft=draft_check(title="小水力発電機", summary=summary.replace("一年中", "年間を通じて"))
    )
    assert ids(found.near_duplicates) == [hydro.pk]
    assert hydro.pk in ids(found.similar)
