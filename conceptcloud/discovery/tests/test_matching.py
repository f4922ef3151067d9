"""Matching (selectors/matching.py) on the database in use, with the real embedding
model: need → technologies, asset → needs, asset → partners, person → mentors;
their reasons; and that nothing hidden from the viewer reaches them.
"""

import pytest

from conceptcloud.accounts.models import Membership
from conceptcloud.accounts.services import ProfileData, profile_update, user_set_active, user_set_operator
from conceptcloud.discovery.selectors.matching import (
    REASON_KINDS,
    mentors_for_person,
    needs_for_asset,
    partners_for_asset,
    technologies_for_need,
)
from conceptcloud.discovery.services.indexing import index_rebuild
from conceptcloud.registry.models import AccessGrant
from conceptcloud.registry.selectors import asset_get_for_user
from conceptcloud.registry.services import NeedData, need_create, need_set_status

pytestmark = pytest.mark.django_db

# A word only the confidential asset's details and the need hold.
SECRET = "zeolite"


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Lakeside University TLO", kind="tlo")
    maker = make_user("maker")
    pumps = make_org(maker, "Osaka Pumps", kind="company", country="JP")
    seeker = make_user("seeker")
    ngo = make_org(seeker, "Clean Water Kenya", kind="ngo", country="KE")
    grid = make_user("grid")
    energy = make_org(grid, "Grid Energy Co", kind="company", country="DE")
    outsider = make_user("outsider")
    make_org(outsider, "Outside Robotics", kind="company")
    assets = {
        "filter": make_asset(
            owner,
            tlo,
            title="Ceramic membrane filter for drinking water",
            summary="A low-cost ceramic membrane removes bacteria and turbidity from river water for rural villages.",
            keywords=["water filtration", "membrane"],
            sdgs=[6],
            countries_deployed=["KE"],
            cpc_codes=["B01D"],
        ),
        "battery": make_asset(
            owner,
            tlo,
            title="Solid-state battery for grid storage",
            summary="A sulfide electrolyte lets lithium batteries store renewable energy safely.",
            sdgs=[7],
        ),
        "secret": make_asset(
            owner,
            tlo,
            visibility="confidential",
            title="Household water purifier cartridge",
            summary="A compact cartridge that makes well water safe to drink.",
            details=f"The cartridge is packed with {SECRET} granules that bind arsenic and fluoride.",
            sdgs=[6],
        ),
        "draft": make_asset(
            owner,
            tlo,
            publish=False,
            title="Drinking water filtration membrane (draft)",
            summary="A membrane that filters drinking water for villages.",
            sdgs=[6],
        ),
        "pump": make_asset(
            maker,
            pumps,
            title="Solar water pump for village wells",
            summary="A solar powered pump lifts drinking water from deep wells in rural villages and filters out bacteria.",
            keywords=["water supply", "pump"],
            sdgs=[6, 7],
            cpc_codes=["F04D"],
        ),
        "desal": make_asset(
            maker,
            pumps,
            title="Graphene oxide membrane for water desalination",
            summary="A graphene oxide membrane filters salt and bacteria from water with little energy.",
            keywords=["membrane", "desalination"],
            sdgs=[6],
            cpc_codes=["B01D"],
        ),
        "turbine": make_asset(
            grid,
            energy,
            title="Wind turbine blade inspection with drones",
            summary="Drones photograph wind turbine blades and find cracks automatically.",
            sdgs=[7, 9],
        ),
    }
    need = need_create(
        actor=seeker,
        data=NeedData(
            title="Safe drinking water for rural villages",
            description=(
                "Our villages drink untreated river water. We look for a low-cost filter or membrane that removes "
                f"bacteria, and for {SECRET} or other media against arsenic in well water."
            ),
            seeker_org=ngo.slug,
            sdgs=[6],
            countries=["KE"],
        ),
    )
    energy_need = need_create(
        actor=grid,
        data=NeedData(
            title="Storage for surplus wind power",
            description="We need batteries or other storage that keep surplus wind energy for the evening peak.",
            seeker_org=energy.slug,
            sdgs=[7],
        ),
    )
    index_rebuild()
    return {
        "owner": owner,
        "maker": maker,
        "seeker": seeker,
        "grid": grid,
        "outsider": outsider,
        "tlo": tlo,
        "pumps": pumps,
        "ngo": ngo,
        "energy": energy,
        "need": need,
        "energy_need": energy_need,
        **assets,
    }


def texts(match) -> str:
    return " ".join(reason.text for reason in match.reasons)


# Need → technologies --------------------------------------------------------


def test_the_obviously_fitting_technology_comes_first_for_a_need(world):
    matches = technologies_for_need(user=world["outsider"], need=world["need"])
    assert matches[0].asset == world["filter"]
    titles = [match.asset.title for match in matches]
    assert "Wind turbine blade inspection with drones" not in titles


def test_a_technology_match_names_shared_terms_sdgs_country_and_similarity(world):
    first = technologies_for_need(user=None, need=world["need"])[0]
    kinds = [reason.kind for reason in first.reasons]
    assert {"terms", "sdgs", "country", "similarity"} <= set(kinds) and set(kinds) <= set(REASON_KINDS)
    text = texts(first)
    assert "Shares the terms" in text and "membrane" in text and "filter" in text
    assert "Both address SDG 6 (Clean water and sanitation)" in text
    assert "Already deployed in Kenya" in text
    assert f"Similarity {round(first.similarity * 100)}%" in text


def test_confidential_details_never_reach_an_outsiders_technology_matches(world):
    matches = technologies_for_need(user=world["outsider"], need=world["need"])
    secret = [match for match in matches if match.asset == world["secret"]]
    for match in matches:
        assert SECRET not in texts(match)
    # Its teaser may match; never through its details.
    assert all(SECRET not in texts(match) for match in secret)


def test_the_owner_sees_shared_terms_from_the_details_they_may_read(world):
    matches = technologies_for_need(user=world["owner"], need=world["need"])
    secret = next(match for match in matches if match.asset == world["secret"])
    assert SECRET in texts(secret)


def test_a_person_granted_access_sees_the_detail_terms_too(world):
    AccessGrant.objects.create(asset=world["secret"], user=world["outsider"], granted_by=world["owner"])
    matches = technologies_for_need(user=world["outsider"], need=world["need"])
    secret = next(match for match in matches if match.asset == world["secret"])
    assert SECRET in texts(secret)


def test_an_outsiders_scores_do_not_depend_on_hidden_details(world, make_asset):
    before = {m.asset.pk: m.score for m in technologies_for_need(user=world["outsider"], need=world["need"])}
    from conceptcloud.registry.services import AssetData, asset_update

    secret = world["secret"]
    asset_update(
        actor=world["owner"],
        asset=secret,
        data=AssetData(
            kind=secret.kind,
            title=secret.title,
            summary=secret.summary,
            visibility="confidential",
            owner_org=world["tlo"].slug,
            sdgs=secret.sdgs,
            details="Nothing about the need here at all.",
        ),
    )
    index_rebuild()
    after = {m.asset.pk: m.score for m in technologies_for_need(user=world["outsider"], need=world["need"])}
    assert after == before


def test_drafts_are_never_matched_not_even_for_their_owner(world):
    for user in (None, world["outsider"], world["owner"]):
        assert world["draft"] not in [m.asset for m in technologies_for_need(user=user, need=world["need"], limit=100)]


# Asset → needs --------------------------------------------------------------


def test_the_fitting_need_comes_first_for_an_asset(world):
    view = asset_get_for_user(asset_id=world["filter"].pk, user=None)
    matches = needs_for_asset(user=None, asset_view=view)
    assert matches[0].need == world["need"]
    assert world["energy_need"] not in [m.need for m in matches]
    text = texts(matches[0])
    assert "Shares the terms" in text and "SDG 6" in text and "Kenya" in text


def test_battery_storage_fits_the_storage_need(world):
    view = asset_get_for_user(asset_id=world["battery"].pk, user=None)
    assert needs_for_asset(user=None, asset_view=view)[0].need == world["energy_need"]


def test_closed_needs_are_not_matched(world):
    need_set_status(actor=world["seeker"], need=world["need"], status="closed")
    view = asset_get_for_user(asset_id=world["filter"].pk, user=None)
    assert world["need"] not in [m.need for m in needs_for_asset(user=None, asset_view=view)]


def test_need_reasons_for_a_confidential_asset_use_only_its_teaser_for_an_outsider(world):
    outsider_view = asset_get_for_user(asset_id=world["secret"].pk, user=world["outsider"])
    for match in needs_for_asset(user=world["outsider"], asset_view=outsider_view):
        assert SECRET not in texts(match)
    owner_view = asset_get_for_user(asset_id=world["secret"].pk, user=world["owner"])
    owner_matches = needs_for_asset(user=world["owner"], asset_view=owner_view)
    assert any(SECRET in texts(match) for match in owner_matches)


# Asset → partners -----------------------------------------------------------


def test_partners_exclude_the_owner_and_rank_the_fitting_portfolio_and_seeker(world):
    view = asset_get_for_user(asset_id=world["filter"].pk, user=world["outsider"])
    partners = partners_for_asset(user=world["outsider"], asset_view=view)
    organisations = [p.organisation for p in partners]
    assert world["tlo"] not in organisations
    assert set(organisations[:2]) == {world["pumps"], world["ngo"]}
    pumps = next(p for p in partners if p.organisation == world["pumps"])
    text = texts(pumps)
    assert "of its 2 listings are close" in text and "Graphene oxide membrane for water desalination" in text
    assert "Same CPC group B01D" in text and "SDG 6" in text
    ngo = next(p for p in partners if p.organisation == world["ngo"])
    assert ngo.need == world["need"] and "Its need “Safe drinking water for rural villages” matches" in texts(ngo)


def test_partner_counts_and_listings_leave_out_what_the_viewer_cannot_see(world, make_asset):
    make_asset(
        world["maker"],
        world["pumps"],
        publish=False,
        title="Ceramic drinking water filter (draft)",
        summary="A ceramic membrane filter for drinking water in villages.",
        sdgs=[6],
    )
    index_rebuild()
    view = asset_get_for_user(asset_id=world["filter"].pk, user=world["outsider"])
    pumps = next(
        p for p in partners_for_asset(user=world["outsider"], asset_view=view) if p.organisation == world["pumps"]
    )
    assert pumps.listing_count == 2
    assert "(draft)" not in texts(pumps) and "of its 2 listings" in texts(pumps)


def test_a_confidential_assets_partners_for_an_outsider_never_show_its_details(world):
    view = asset_get_for_user(asset_id=world["secret"].pk, user=world["outsider"])
    for partner in partners_for_asset(user=world["outsider"], asset_view=view):
        assert SECRET not in texts(partner) and partner.organisation != world["tlo"]


# Person → mentors -----------------------------------------------------------


@pytest.fixture
def people(world, make_user):
    def profile(user, skills, bio=""):
        return profile_update(actor=user, data=ProfileData(display_name=user.display_name, skills=skills, bio=bio))

    hanako = profile(make_user("hanako"), ["water treatment", "community health"], "I run water projects in Kenya.")
    profile(world["owner"], ["membrane filtration", "water treatment", "technology transfer"])
    profile(world["maker"], ["pump design", "water supply"])
    profile(world["grid"], ["wind energy", "power electronics"])
    gone = profile(make_user("gone"), ["water treatment", "membrane filtration"])
    operator = make_user("operator")
    user_set_operator(actor=None, user=operator, operator=True)
    user_set_active(actor=operator, user=gone, active=False)
    index_rebuild()
    return {"hanako": hanako, "gone": gone}


def test_the_mentor_with_shared_skills_and_a_record_comes_first(world, people):
    mentors = mentors_for_person(user=None, person=people["hanako"])
    assert mentors[0].person == world["owner"]
    text = texts(mentors[0])
    assert "Shares the skills: water treatment" in text
    assert "Registered 3 published listings" in text


def test_mentors_exclude_the_person_and_suspended_people(world, people):
    mentors = [m.person for m in mentors_for_person(user=None, person=people["hanako"], limit=100)]
    assert people["hanako"] not in mentors and people["gone"] not in mentors


def test_a_mentors_record_counts_only_listings_the_viewer_may_see(world, people):
    owner = next(m for m in mentors_for_person(user=None, person=people["hanako"]) if m.person == world["owner"])
    # Filter, battery and the confidential teaser are visible; the draft is not.
    assert owner.listing_count == 3
    own = next(
        m for m in mentors_for_person(user=world["owner"], person=people["hanako"]) if m.person == world["owner"]
    )
    assert own.listing_count == 3


def test_members_of_the_owner_organisation_are_not_partners_of_its_asset(world, make_user):
    member = make_user("member")
    Membership.objects.create(user=member, organisation=world["tlo"], role=Membership.Role.MEMBER)
    view = asset_get_for_user(asset_id=world["desal"].pk, user=member)
    organisations = [p.organisation for p in partners_for_asset(user=member, asset_view=view)]
    assert world["pumps"] not in organisations and world["tlo"] in organisations


# Japanese -------------------------------------------------------------------


def test_a_japanese_need_finds_the_japanese_technology_by_words_inside_compounds(world, make_asset):
    hydro = make_asset(
        world["maker"],
        world["pumps"],
        title="小水力発電機の開発",
        language="ja",
        summary="山間部の水路で使える小型の発電装置。",
        sdgs=[7],
    )
    make_asset(
        world["maker"],
        world["pumps"],
        title="竹を使った建築材料",
        language="ja",
        summary="竹の繊維で強い建材を作る。",
        sdgs=[9],
    )
    need = need_create(
        actor=world["seeker"],
        data=NeedData(
            title="集落に発電設備を導入したい",
            description="山あいの集落で、水路を使った発電の設備を探しています。",
            seeker_org=world["ngo"].slug,
            sdgs=[7],
        ),
    )
    index_rebuild()
    matches = technologies_for_need(user=None, need=need)
    assert matches[0].asset == hydro
    text = texts(matches[0])
    assert "発電" in text and "水路" in text and "SDG 7" in text
    assert "竹を使った建築材料" not in [m.asset.title for m in matches]


def test_contributions_to_listings_of_others_count_in_a_mentors_record(world, people):
    from conceptcloud.lineage.services import ContributionData, contributions_propose

    contributions_propose(
        actor=world["owner"],
        asset=world["filter"],
        contributions=[
            ContributionData(username="owner", role="originator", share_bp=8000),
            ContributionData(username="maker", role="improver", share_bp=2000),
        ],
    )
    maker = next(m for m in mentors_for_person(user=None, person=people["hanako"]) if m.person == world["maker"])
    assert maker.contribution_count == 1 and "Contributed to 1 listing of others" in texts(maker)


def test_members_only_details_count_for_signed_in_people_but_not_for_anonymous_visitors(world, make_asset):
    members = make_asset(
        world["owner"],
        world["tlo"],
        visibility="members",
        title="Village water kiosk",
        summary="A kiosk that sells clean water by the litre.",
        sdgs=[6],
        details=f"Its filter bed holds {SECRET} and sand.",
    )
    index_rebuild()
    anonymous = next(m for m in technologies_for_need(user=None, need=world["need"]) if m.asset == members)
    assert SECRET not in texts(anonymous)
    signed_in = next(m for m in technologies_for_need(user=world["outsider"], need=world["need"]) if m.asset == members)
    assert SECRET in texts(signed_in)


def test_withdrawn_listings_are_neither_matched_nor_counted(world):
    from conceptcloud.registry.services import asset_set_status

    asset_set_status(actor=world["maker"], asset=world["pump"], status="withdrawn")
    index_rebuild()
    assert world["pump"] not in [m.asset for m in technologies_for_need(user=world["outsider"], need=world["need"])]
    view = asset_get_for_user(asset_id=world["filter"].pk, user=world["outsider"])
    pumps = next(
        p for p in partners_for_asset(user=world["outsider"], asset_view=view) if p.organisation == world["pumps"]
    )
    assert pumps.listing_count == 1 and "Solar water pump" not in texts(pumps)


def test_japanese_profiles_are_matched_by_shared_skills_not_by_similarity_alone(world, make_user):
    def profile(username, skills, bio):
        user = make_user(username)
        return profile_update(actor=user, data=ProfileData(display_name=user.display_name, skills=skills, bio=bio))

    yuki = profile("yuki", ["水処理", "膜分離"], "地方の浄水場で働いています。")
    expert = profile("expert", ["膜分離技術", "海水淡水化"], "膜を使った水処理の研究者です。")
    crafts = profile("crafts", ["竹細工"], "伝統工芸の職人です。")
    index_rebuild()
    mentors = mentors_for_person(user=None, person=yuki)
    assert [m.person for m in mentors][:1] == [expert]
    assert crafts not in [m.person for m in mentors]
    assert "膜分離技術" in texts(mentors[0])
