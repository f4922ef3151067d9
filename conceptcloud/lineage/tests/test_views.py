"""The lineage pages and the lineage parts of the asset page and the dashboard,
driven through the test client against a real database.

    the asset page      the graph (links, first idea, focus, pending, placeholders),
                        its text alternative, contributors and terms, the buttons
    build on            permissions, improve and combine, search, bad input by the field
    contributors        managers only, shares in percent, the sum, proposals and agreement
    terms and links     terms by the field, a declared parent (cycle, 17th parent)
    decisions           dashboard requests, approve/decline, who may decide, POST and CSRF
"""

import html
import re

import pytest
from django.test import Client

from conceptcloud.history.models import Entry
from conceptcloud.lineage.models import Contribution, Derivation, LineageTerms, ShareProposal
from conceptcloud.lineage.services import (
    ContributionData,
    asset_build_on,
    contributions_propose,
    terms_set,
)
from conceptcloud.registry.models import Asset
from conceptcloud.registry.services import AssetData, asset_set_status

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers


def signed_in(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def text(page: str) -> str:
    """What a reader sees: the tags dropped (each as a space), entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def state() -> tuple:
    """Everything a lineage page may change, to check that bad input changes nothing."""
    return (
        Entry.objects.count(),
        list(Asset.objects.values_list("id", "status").order_by("id")),
        list(LineageTerms.objects.values_list("asset_id", "derivative_royalty_bp", "derivatives_need_approval",
                                              "share_changes_need").order_by("id")),
        list(Contribution.objects.values_list("asset_id", "user_id", "role", "share_bp").order_by("id")),
        list(ShareProposal.objects.values_list("id", "status", "agreed").order_by("id")),
        list(Derivation.objects.values_list("child_id", "parent_id", "status").order_by("id")),
    )


def field_errors(html: str, name: str) -> list[str]:
    """The error messages shown by one field: the block with id `<field id>_error` or `<name>-error`."""
    match = re.search(rf'<div id="(?:id_{re.escape(name)}_error|{re.escape(name)}-error)"[^>]*>(.*?)</div>', html, re.S)
    return re.findall(r'<p class="error">(.*?)</p>', match.group(1), re.S) if match else []


def data(title: str) -> AssetData:
    return AssetData(kind="idea", title=title, summary=f"{title}, in one line.")


def build(user, parents, title: str, **kwargs) -> Asset:
    return asset_build_on(actor=user, parent_ids=[p.pk for p in parents], data=data(title), **kwargs)


def new_asset_form(**overrides) -> dict:
    """The build-on form as a browser posts it, for a new public idea."""
    values = {
        "kind": "idea",
        "title": "Folding solar kettle",
        "summary": "A kettle that folds flat and boils water with sunlight.",
        "details": "",
        "language": "en",
        "visibility": "public",
        "owner_org": "",
        "trl": "",
        "cpc_codes": "",
        "keywords": "",
        "rights_statement": "",
        "reference": "",
        "parent_numbers": "",
        "q": "",
        "action": "publish",
    }
    values.update(overrides)
    return values


def set_terms(user, asset, *, royalty_bp=0, approval=False, agreement="owner") -> None:
    terms_set(actor=user, asset=asset, derivative_royalty_bp=royalty_bp, derivatives_need_approval=approval,
              share_changes_need=agreement)


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("ana", "ben", "cai", "dee")}


@pytest.fixture
def family(people, make_asset):
    """ana's first idea ← ben improves it ← cai combines ben's with dee's other asset."""
    idea = make_asset(people["ana"], title="Origami ratchet")
    set_terms(people["ana"], idea, royalty_bp=1000)
    improved = build(people["ben"], [idea], "Paper ratchet with a spring")
    set_terms(people["ben"], improved, royalty_bp=500)
    other = make_asset(people["dee"], title="Bamboo hinge")
    combined = build(people["cai"], [improved, other], "Folding ratchet hinge")
    return {"idea": idea, "improved": improved, "other": other, "combined": combined}


# ---------------------------------------------------------------- the asset page


def test_the_asset_page_draws_every_ancestor_as_a_link_with_the_first_idea_labelled(people, family):
    page = body(signed_in(people["cai"]).get(f"/assets/{family['combined'].pk}/"))
    svg = page[page.index("<svg class=\"lineage-svg\""):page.index("</svg>")]
    for key in ("idea", "improved", "other", "combined"):
        assert f'href="/assets/{family[key].pk}/"' in svg
    assert 'aria-label="Origami ratchet (first idea)"' in svg
    assert "★ First idea" in svg  # a visible label, not colour alone
    assert 'aria-label="Folding ratchet hinge (this asset)" aria-current="page"' in svg
    assert svg.count("<path class=\"lineage-edge\"") == 3
    assert 'viewBox="0 0 360 ' in svg


def test_the_graph_is_also_a_list_with_relations_and_royalties(people, family):
    page = body(signed_in(people["cai"]).get(f"/assets/{family['combined'].pk}/"))
    seen = text(page)
    assert "Origami ratchet First idea · 2 generations back improved by Paper ratchet with a spring · royalty 10%" in seen
    assert "Paper ratchet with a spring · 1 generation back combined into this asset · royalty 5%" in seen
    assert "Bamboo hinge · 1 generation back combined into this asset · royalty 0%" in seen


def test_the_first_ideas_page_lists_what_was_built_on_it(people, family):
    page = body(signed_in().get(f"/assets/{family['idea'].pk}/"))
    seen = text(page)
    assert "Built on this" in seen
    assert "Paper ratchet with a spring · 1 generation on improves this asset · royalty 10%" in seen
    assert "Folding ratchet hinge · 2 generations on combines Paper ratchet with a spring with others · royalty 5%" in seen
    assert "This asset is the first idea of its line." in seen


def test_an_asset_nobody_built_on_says_so_and_draws_nothing(people, make_asset):
    asset = make_asset(people["ana"], title="Lonely idea")
    page = body(signed_in().get(f"/assets/{asset.pk}/"))
    assert "This asset builds on no other, and nobody has built on it yet." in page
    assert "lineage-svg" not in page


def test_a_withdrawn_ancestor_is_an_unlabelled_placeholder_without_a_link(people, family):
    asset_set_status(actor=people["ana"], asset=family["idea"], status="withdrawn")
    page = body(signed_in(people["cai"]).get(f"/assets/{family['combined'].pk}/"))
    svg = page[page.index("<svg class=\"lineage-svg\""):page.index("</svg>")]
    assert "Origami ratchet" not in page
    assert f"/assets/{family['idea'].pk}/" not in page
    assert 'class="lineage-hidden"' in svg
    assert "An asset you cannot see" in page
    # Its owner still sees it, labelled.
    own = body(signed_in(people["ana"]).get(f"/assets/{family['combined'].pk}/"))
    assert f'href="/assets/{family["idea"].pk}/"' in own


def test_a_pending_link_is_dashed_and_the_legend_says_why(people, make_asset):
    parent = make_asset(people["ana"], title="Strict parent")
    set_terms(people["ana"], parent, royalty_bp=2000, approval=True)
    child = build(people["ben"], [parent], "Hopeful child")
    page = body(signed_in(people["ben"]).get(f"/assets/{child.pk}/"))
    assert '<path class="lineage-edge pending"' in page
    assert 'stroke-dasharray="6 5"' in page
    assert "Dashed: waiting for the owner's approval" in text(page)
    assert "waiting for approval" in page


def test_contributors_and_terms_show_on_the_asset_page(people, family, make_asset):
    page = body(signed_in().get(f"/assets/{family['idea'].pk}/"))
    seen = text(page)
    assert "Ana Originator 100%" in seen
    assert "No shares are recorded yet" in seen
    assert "Royalty asked of derivatives 10%" in seen
    combined = body(signed_in().get(f"/assets/{family['combined'].pk}/"))
    assert "Cai Combiner 100%" in text(combined)


def test_contributors_of_a_confidential_asset_reach_only_readers_of_its_details(people, make_asset):
    secret = make_asset(people["ana"], visibility="confidential", title="Quiet idea")
    teaser = body(signed_in(people["ben"]).get(f"/assets/{secret.pk}/"))
    assert "The contributors are shown to the readers of the details." in teaser
    section = teaser.split('id="lineage-heading"')[1].split("</section>")[0]
    assert "/people/ana/" not in section and "Originator" not in section
    owner = body(signed_in(people["ana"]).get(f"/assets/{secret.pk}/"))
    assert "Originator" in owner


def test_build_on_is_offered_to_signed_in_people_and_contributors_to_managers(people, family):
    url = f"/assets/{family['idea'].pk}/"
    anonymous = body(signed_in().get(url))
    reader = body(signed_in(people["ben"]).get(url))
    owner = body(signed_in(people["ana"]).get(url))
    assert "Build on this" not in anonymous
    assert f'href="/assets/{family["idea"].pk}/build-on/"' in reader
    assert "/contributors/" not in reader
    assert f'href="/assets/{family["idea"].pk}/contributors/"' in owner


# ---------------------------------------------------------------- build on


def test_building_on_one_asset_registers_an_improvement_and_opens_its_page(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    set_terms(people["ana"], parent, royalty_bp=1250)
    response = signed_in(people["ben"]).post(f"/assets/{parent.pk}/build-on/", new_asset_form())
    child = Asset.objects.get(title="Folding solar kettle")
    assert response.status_code == 302 and response.url == f"/assets/{child.pk}/"
    link = Derivation.objects.get(child=child)
    assert (link.parent_id, link.relation, link.royalty_bp, link.status) == (parent.pk, "improves", 1250, "approved")
    assert Contribution.objects.get(asset=child).role == "improver"


def test_the_build_on_form_starts_from_the_parent_and_shows_its_royalty(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet", kind="design", sdgs=[9])
    set_terms(people["ana"], parent, royalty_bp=333, approval=True)
    page = body(signed_in(people["ben"]).get(f"/assets/{parent.pk}/build-on/"))
    assert '<option value="design" selected>' in page
    assert 'value="9"' in page and 'id="id_sdgs_8" checked' in page
    assert "royalty 3.33%" in page and "its owner approves the link first" in page
    assert 'name="file"' not in page


def test_combining_by_ticked_and_typed_numbers_links_every_parent(people, make_asset):
    first = make_asset(people["ana"], title="Paper ratchet")
    second = make_asset(people["dee"], title="Bamboo hinge")
    third = make_asset(people["dee"], title="Cork latch")
    form = new_asset_form(parents=[str(second.pk)], parent_numbers=f"http://testserver/assets/{third.pk}/")
    response = signed_in(people["cai"]).post(f"/assets/{first.pk}/build-on/", form)
    assert response.status_code == 302
    child = Asset.objects.get(title="Folding solar kettle")
    links = Derivation.objects.filter(child=child).order_by("parent_id")
    assert [(link.parent_id, link.relation) for link in links] == [
        (first.pk, "combines"), (second.pk, "combines"), (third.pk, "combines")
    ]


def test_search_lists_visible_assets_with_their_royalty_and_keeps_what_was_typed(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    hinge = make_asset(people["dee"], title="Bamboo hinge")
    set_terms(people["dee"], hinge, royalty_bp=750)
    make_asset(people["dee"], title="Bamboo draft hinge", publish=False)
    before = state()
    response = signed_in(people["ben"]).post(
        f"/assets/{parent.pk}/build-on/", new_asset_form(title="", q="hinge", action="search")
    )
    page = body(response)
    assert response.status_code == 200 and state() == before
    assert f'name="parents" value="{hinge.pk}"' in page and "royalty 7.5%" in page
    assert "Bamboo draft hinge" not in page
    assert "This field is required." not in page
    assert 'value="A kettle that folds flat' in page or "A kettle that folds flat and boils water" in page


def test_search_turns_the_ticked_and_typed_parents_into_rows_with_a_total(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    set_terms(people["ana"], parent, royalty_bp=1000)
    hinge = make_asset(people["dee"], title="Bamboo hinge")
    set_terms(people["dee"], hinge, royalty_bp=2550)
    page = body(signed_in(people["ben"]).post(
        f"/assets/{parent.pk}/build-on/", new_asset_form(parent_numbers=str(hinge.pk), action="search")
    ))
    assert f'name="parents" value="{hinge.pk}" id="parent-{hinge.pk}" checked' in page
    assert "2 assets chosen; royalties together: 35.5% of the new asset's revenue." in text(page)


def test_a_seventeenth_parent_is_refused_by_the_parents_field_and_nothing_is_saved(people, make_asset):
    parents = [make_asset(people["dee"], title=f"Part {n}") for n in range(17)]
    before = state()
    form = new_asset_form(parents=[str(p.pk) for p in parents[1:]])
    response = signed_in(people["cai"]).post(f"/assets/{parents[0].pk}/build-on/", form)
    assert response.status_code == 200 and state() == before
    assert field_errors(body(response), "parents") == ["An asset builds on at most 16 others."]
    assert "17 assets chosen" in body(response)


def test_royalties_over_100_percent_are_refused_by_the_parents_field(people, make_asset):
    first = make_asset(people["ana"], title="Greedy one")
    second = make_asset(people["dee"], title="Greedy two")
    set_terms(people["ana"], first, royalty_bp=6000)
    set_terms(people["dee"], second, royalty_bp=4001)
    before = state()
    response = signed_in(people["cai"]).post(f"/assets/{first.pk}/build-on/", new_asset_form(parent_numbers=str(second.pk)))
    assert state() == before
    page = body(response)
    assert field_errors(page, "parents") == [
        "These assets ask royalties of 100.01% together; at most 100% is possible."
    ]
    # The typed number is now a ticked row with its royalty, to untick; the total says why.
    assert f'name="parents" value="{second.pk}" id="parent-{second.pk}" checked' in page
    assert re.search(r'<input type="text" name="parent_numbers" maxlength="400" aria-describedby="[^"]*" id="id_parent_numbers">', page)
    assert "2 assets chosen; royalties together: 100.01%" in text(page)


def test_an_invisible_parent_gets_the_same_answer_as_an_absent_one(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    draft = make_asset(people["dee"], title="Secret draft", publish=False)
    before = state()
    client = signed_in(people["cai"])
    hidden = body(client.post(f"/assets/{parent.pk}/build-on/", new_asset_form(parent_numbers=str(draft.pk))))
    absent = body(client.post(f"/assets/{parent.pk}/build-on/", new_asset_form(parent_numbers="999999")))
    assert state() == before
    assert field_errors(hidden, "parents") == [f"No such asset: {draft.pk}."]
    assert field_errors(absent, "parents") == ["No such asset: 999999."]
    assert "Secret draft" not in hidden


def test_a_number_that_is_not_an_asset_number_is_refused_by_its_field(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    response = signed_in(people["cai"]).post(f"/assets/{parent.pk}/build-on/", new_asset_form(parent_numbers="12, twelve"))
    assert state() == before
    assert field_errors(body(response), "parent_numbers") == ["“twelve” is not an asset number."]


def test_the_new_assets_own_fields_are_checked_by_the_field(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    response = signed_in(people["cai"]).post(f"/assets/{parent.pk}/build-on/", new_asset_form(title=""))
    assert state() == before
    assert field_errors(body(response), "title") == ["This field is required."]


def test_build_on_needs_a_signed_in_person_who_may_see_the_asset(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    draft = make_asset(people["ana"], title="Not yet", publish=False)
    anonymous = signed_in().get(f"/assets/{parent.pk}/build-on/")
    assert anonymous.status_code == 302 and "/account/login/" in anonymous.url
    assert signed_in(people["ben"]).get(f"/assets/{draft.pk}/build-on/").status_code == 404
    assert signed_in(people["ben"]).get("/assets/999999/build-on/").status_code == 404
    assert signed_in(people["ben"]).post(f"/assets/{draft.pk}/build-on/", new_asset_form()).status_code == 404


def test_a_teaser_reader_may_build_on_a_confidential_asset(people, make_asset):
    secret = make_asset(people["ana"], visibility="confidential", title="Quiet idea")
    response = signed_in(people["ben"]).post(f"/assets/{secret.pk}/build-on/", new_asset_form())
    assert response.status_code == 302
    assert Derivation.objects.get(parent=secret).child.title == "Folding solar kettle"


# ---------------------------------------------------------------- contributors


def contributors_form(rows, initial: int = 1) -> dict:
    values = {"c-TOTAL_FORMS": str(len(rows)), "c-INITIAL_FORMS": str(initial), "c-MIN_NUM_FORMS": "0",
              "c-MAX_NUM_FORMS": "50"}
    for n, (username, role, share) in enumerate(rows):
        values.update({f"c-{n}-username": username, f"c-{n}-role": role, f"c-{n}-share": share})
    return values


def test_only_managers_reach_the_contributors_page(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    url = f"/assets/{asset.pk}/contributors/"
    assert signed_in(people["ana"]).get(url).status_code == 200
    assert signed_in(people["ben"]).get(url).status_code == 404
    assert signed_in(people["ben"]).post(url, contributors_form([("ben", "originator", "100")])).status_code == 404
    assert signed_in().get(url).status_code == 302
    assert signed_in(people["ana"]).get("/assets/999999/contributors/").status_code == 404


def test_the_contributors_page_shows_the_current_shares_as_percentages(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    contributions_propose(actor=people["ana"], asset=asset, contributions=[
        ContributionData("ana", "originator", 6667), ContributionData("ben", "improver", 3333)])
    page = body(signed_in(people["ana"]).get(f"/assets/{asset.pk}/contributors/"))
    assert 'name="c-0-share" value="66.67"' in page and 'name="c-1-share" value="33.33"' in page
    assert 'name="c-1-username" value="ben"' in page


def test_shares_with_two_decimals_are_saved_at_once_when_the_owner_decides(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    rows = [("ana", "originator", "33.34"), ("@ben", "improver", "33.33 %"), ("cai", "funder", "33.33"), ("", "", "")]
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/contributors/", contributors_form(rows))
    assert response.status_code == 302
    saved = sorted(Contribution.objects.filter(asset=asset).values_list("user__username", "role", "share_bp"))
    assert saved == [("ana", "originator", 3334), ("ben", "improver", 3333), ("cai", "funder", 3333)]


def test_a_share_with_three_decimals_is_refused_by_its_field(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    rows = [("ana", "originator", "66.667"), ("ben", "improver", "33.333")]
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/contributors/", contributors_form(rows))
    assert state() == before
    assert field_errors(body(response), "c-1-share") == ["Enter at most two decimals, for example 33.33%."]


def test_shares_that_do_not_add_up_to_100_percent_are_refused_above_the_rows(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    rows = [("ana", "originator", "60"), ("ben", "improver", "30")]
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/contributors/", contributors_form(rows))
    assert state() == before
    assert field_errors(body(response), "contributions") == [
        "The shares add up to 90.00%; they must add up to exactly 100%."
    ]


def test_an_unknown_person_or_a_missing_role_is_refused(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    client = signed_in(people["ana"])
    unknown = body(client.post(f"/assets/{asset.pk}/contributors/",
                               contributors_form([("ana", "originator", "50"), ("nobody", "improver", "50")])))
    no_role = body(client.post(f"/assets/{asset.pk}/contributors/",
                               contributors_form([("ana", "", "100")])))
    assert state() == before
    assert field_errors(unknown, "contributions") == ["Contributor 2: no such person nobody."]
    assert field_errors(no_role, "c-0-role") == ["This field is required."]


def test_shares_needing_every_contributor_wait_for_agreement_given_on_the_dashboard(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    contributions_propose(actor=people["ana"], asset=asset, contributions=[
        ContributionData("ana", "originator", 5000), ContributionData("ben", "improver", 5000)])
    set_terms(people["ana"], asset, agreement="contributors")
    rows = [("ana", "originator", "40"), ("ben", "improver", "60")]
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/contributors/", contributors_form(rows, initial=2))
    assert response.status_code == 302
    proposal = ShareProposal.objects.get(status="pending")
    owner_page = body(signed_in(people["ana"]).get(f"/assets/{asset.pk}/contributors/"))
    assert "Waiting for: @ben" in owner_page and f"/share-proposals/{proposal.pk}/decline/" in owner_page

    ben = signed_in(people["ben"])
    dashboard = body(ben.get("/dashboard/"))
    assert "New contributor shares waiting for your agreement" in dashboard
    assert "@ana · Originator · 40%" in dashboard
    response = ben.post(f"/share-proposals/{proposal.pk}/agree/", {"next": "/dashboard/"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    proposal.refresh_from_db()
    assert proposal.status == "applied"
    assert sorted(Contribution.objects.filter(asset=asset).values_list("user__username", "share_bp")) == [
        ("ana", 4000), ("ben", 6000)]
    again = ben.post(f"/share-proposals/{proposal.pk}/agree/", follow=True)
    assert "This proposal is no longer waiting for agreement." in body(again)


def test_a_contributor_may_decline_and_strangers_get_a_404(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    contributions_propose(actor=people["ana"], asset=asset, contributions=[
        ContributionData("ana", "originator", 5000), ContributionData("ben", "improver", 5000)])
    set_terms(people["ana"], asset, agreement="contributors")
    proposal = contributions_propose(actor=people["ana"], asset=asset, contributions=[
        ContributionData("ana", "originator", 9000), ContributionData("ben", "improver", 1000)])
    assert signed_in(people["cai"]).post(f"/share-proposals/{proposal.pk}/decline/").status_code == 404
    assert signed_in(people["ben"]).get(f"/share-proposals/{proposal.pk}/decline/").status_code == 405
    response = signed_in(people["ben"]).post(f"/share-proposals/{proposal.pk}/decline/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    proposal.refresh_from_db()
    assert proposal.status == "declined"


# ---------------------------------------------------------------- terms and declared parents


def test_terms_are_saved_in_basis_points(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/terms/", {
        "derivative_royalty": "12.5", "derivatives_need_approval": "on", "share_changes_need": "contributors"})
    assert response.status_code == 302
    terms = LineageTerms.objects.get(asset=asset)
    assert (terms.derivative_royalty_bp, terms.derivatives_need_approval, terms.share_changes_need) == (
        1250, True, "contributors")


@pytest.mark.parametrize(
    ("royalty", "message"),
    [
        ("150", "Enter at most 100%."),
        ("-1", "Enter at least 0%."),
        ("12.345", "Enter at most two decimals, for example 33.33%."),
        ("lots", "Enter a percentage, for example 12.5."),
    ],
)
def test_bad_terms_are_refused_by_the_field(people, make_asset, royalty, message):
    asset = make_asset(people["ana"], title="Paper ratchet")
    before = state()
    response = signed_in(people["ana"]).post(f"/assets/{asset.pk}/terms/", {
        "derivative_royalty": royalty, "share_changes_need": "owner"})
    assert response.status_code == 200 and state() == before
    assert field_errors(body(response), "derivative_royalty") == [message]


def test_only_managers_set_terms(people, make_asset):
    asset = make_asset(people["ana"], title="Paper ratchet")
    form = {"derivative_royalty": "5", "share_changes_need": "owner"}
    assert signed_in(people["ben"]).post(f"/assets/{asset.pk}/terms/", form).status_code == 404
    assert signed_in(people["ana"]).get(f"/assets/{asset.pk}/terms/").status_code == 405
    assert not LineageTerms.objects.exists()


def test_declaring_a_parent_links_the_asset(people, make_asset):
    parent = make_asset(people["ana"], title="Paper ratchet")
    child = make_asset(people["ben"], title="Ratchet wrench")
    response = signed_in(people["ben"]).post(f"/assets/{child.pk}/parents/", {"parent": f"#{parent.pk}"})
    assert response.status_code == 302 and response.url == f"/assets/{child.pk}/"
    assert Derivation.objects.get(child=child).parent_id == parent.pk


def test_a_parent_that_would_close_a_cycle_is_refused_by_the_field(people, family):
    before = state()
    idea = family["idea"]
    response = signed_in(people["ana"]).post(f"/assets/{idea.pk}/parents/", {"parent": str(family["combined"].pk)})
    assert state() == before
    assert field_errors(body(response), "parent") == ["That asset builds on this one: the link would close a cycle."]


def test_a_seventeenth_declared_parent_is_refused_by_the_field(people, make_asset):
    parents = [make_asset(people["dee"], title=f"Part {n}") for n in range(17)]
    child = build(people["cai"], parents[:16], "Sixteen in one")
    before = state()
    response = signed_in(people["cai"]).post(f"/assets/{child.pk}/parents/", {"parent": str(parents[16].pk)})
    assert state() == before
    assert field_errors(body(response), "parent") == ["An asset builds on at most 16 others."]


# ---------------------------------------------------------------- decisions


def test_the_parents_owner_approves_a_request_from_the_dashboard(people, make_asset):
    parent = make_asset(people["ana"], title="Strict parent")
    set_terms(people["ana"], parent, royalty_bp=2000, approval=True)
    child = build(people["ben"], [parent], "Hopeful child")
    link = Derivation.objects.get(child=child)
    ana = signed_in(people["ana"])
    dashboard = body(ana.get("/dashboard/"))
    seen = text(dashboard)
    assert "Hopeful child improves Strict parent" in seen and "royalty 20%" in seen
    assert f'action="/derivations/{link.pk}/decide/"' in dashboard
    response = ana.post(f"/derivations/{link.pk}/decide/", {"decision": "approve", "next": "/dashboard/"}, follow=True)
    assert "Approved: the link now counts." in body(response)
    link.refresh_from_db()
    assert (link.status, link.decided_by) == ("approved", people["ana"])
    assert "Hopeful child" not in body(ana.get("/dashboard/"))


def test_a_declined_link_leaves_the_graph(people, make_asset):
    parent = make_asset(people["ana"], title="Strict parent")
    set_terms(people["ana"], parent, approval=True)
    child = build(people["ben"], [parent], "Hopeful child")
    link = Derivation.objects.get(child=child)
    signed_in(people["ana"]).post(f"/derivations/{link.pk}/decide/", {"decision": "decline"})
    link.refresh_from_db()
    assert link.status == "declined"
    assert "lineage-svg" not in body(signed_in(people["ben"]).get(f"/assets/{child.pk}/"))


def test_only_the_parents_managers_decide_and_nonsense_changes_nothing(people, make_asset):
    parent = make_asset(people["ana"], title="Strict parent")
    set_terms(people["ana"], parent, approval=True)
    child = build(people["ben"], [parent], "Hopeful child")
    link = Derivation.objects.get(child=child)
    before = state()
    assert signed_in(people["cai"]).post(f"/derivations/{link.pk}/decide/", {"decision": "approve"}).status_code == 404
    by_child = signed_in(people["ben"]).post(f"/derivations/{link.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "Only the owners of the asset built on can decide." in body(by_child)
    odd = signed_in(people["ana"]).post(f"/derivations/{link.pk}/decide/", {"decision": "maybe"}, follow=True)
    assert "Choose whether to approve or decline the link." in body(odd)
    assert signed_in(people["ana"]).get(f"/derivations/{link.pk}/decide/").status_code == 405
    assert state() == before


def test_every_lineage_post_needs_the_csrf_token(people, make_asset):
    parent = make_asset(people["ana"], title="Strict parent")
    set_terms(people["ana"], parent, approval=True)
    child = build(people["ben"], [parent], "Hopeful child")
    link = Derivation.objects.get(child=child)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["ana"])
    before = state()
    for url, form in [
        (f"/derivations/{link.pk}/decide/", {"decision": "approve"}),
        (f"/assets/{parent.pk}/terms/", {"derivative_royalty": "5", "share_changes_need": "owner"}),
        (f"/assets/{parent.pk}/contributors/", contributors_form([("ana", "originator", "100")])),
        (f"/assets/{parent.pk}/build-on/", new_asset_form()),
        (f"/assets/{parent.pk}/parents/", {"parent": str(child.pk)}),
    ]:
        assert client.post(url, form).status_code == 403
    assert state() == before


# ---------------------------------------------------------------- PROV downloads


@pytest.mark.parametrize("format, media_type, ending, parse", [
    ("prov-json", "application/json", "prov.json", {"format": "json"}),
    ("prov-o", "application/ld+json", "prov.jsonld", {"format": "rdf", "rdf_format": "json-ld"}),
])
def test_the_asset_page_offers_its_history_as_prov_files_that_parse(people, family, format, media_type, ending, parse):
    import warnings

    from prov.model import ProvDocument, ProvWarning

    child = family["combined"]
    page = body(signed_in().get(f"/assets/{child.pk}/"))
    assert f'href="/assets/{child.pk}/prov/{format}/"' in page
    response = signed_in().get(f"/assets/{child.pk}/prov/{format}/")
    assert response.status_code == 200 and response["Content-Type"].startswith(media_type)
    assert response["Content-Disposition"] == f'attachment; filename="asset-{child.pk}.{ending}"'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvWarning)
        document = ProvDocument.deserialize(content=response.content.decode(), **parse)
    derivations = [record for record in document.get_records() if record.get_type().localpart == "Derivation"]
    assert len(derivations) == 3  # idea ← improved ← combined → other


def test_prov_files_of_hidden_assets_and_unknown_formats_are_not_found(people, make_asset):
    draft = make_asset(people["ana"], publish=False)
    assert signed_in(people["ben"]).get(f"/assets/{draft.pk}/prov/prov-json/").status_code == 404
    assert signed_in(people["ana"]).get(f"/assets/{draft.pk}/prov/prov-json/").status_code == 200
    assert signed_in(people["ana"]).get(f"/assets/{draft.pk}/prov/turtle/").status_code == 404
