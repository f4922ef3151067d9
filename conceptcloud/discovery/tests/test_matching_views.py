"""The matching pages and the fragments the need, asset and person pages load with htmx."""

import pytest
from django.test import Client

from conceptcloud.discovery.tests import test_matching
from conceptcloud.discovery.tests.test_matching import SECRET

pytestmark = pytest.mark.django_db

# The cast and listings of the selector tests.
world = test_matching.world
people = test_matching.people

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_need_page_loads_its_matching_technologies(world):
    page = Client().get(f"/needs/{world['need'].pk}/").content.decode()
    assert "Matching technologies" in page and f"/needs/{world['need'].pk}/technologies/" in page


def test_the_technologies_page_ranks_and_explains(world):
    page = Client().get(f"/needs/{world['need'].pk}/technologies/").content.decode()
    assert "<html" in page
    assert page.index("Ceramic membrane filter for drinking water") < page.index("Solar water pump for village wells")
    assert "Shares the terms" in page and "Both address SDG 6" in page and "Already deployed in Kenya" in page


def test_the_technologies_fragment_is_a_fragment(world):
    fragment = Client().get(f"/needs/{world['need'].pk}/technologies/", **HTMX).content.decode()
    assert "<html" not in fragment and "Ceramic membrane filter for drinking water" in fragment


def test_an_outsider_never_sees_confidential_details_on_matching_pages(world, people):
    client = signed_in(world["outsider"])
    for path in (
        f"/needs/{world['need'].pk}/technologies/",
        f"/assets/{world['secret'].pk}/matches/",
        f"/assets/{world['secret'].pk}/matches/needs/",
        f"/assets/{world['filter'].pk}/matches/partners/",
        f"/people/{people['hanako'].username}/mentors/",
    ):
        for headers in ({}, HTMX):
            response = client.get(path, **headers)
            assert response.status_code == 200, path
            page = response.content.decode()
            assert "granules" not in page and "fluoride" not in page, path
            reasons = "".join(part.split("</ul>", 1)[0] for part in page.split('class="match-reasons"')[1:])
            assert SECRET not in reasons, path


def test_the_asset_page_loads_needs_and_partners_and_the_matches_page_shows_both(world):
    page = Client().get(f"/assets/{world['filter'].pk}/").content.decode()
    assert f"/assets/{world['filter'].pk}/matches/needs/" in page
    assert f"/assets/{world['filter'].pk}/matches/partners/" in page
    matches = Client().get(f"/assets/{world['filter'].pk}/matches/").content.decode()
    assert "Safe drinking water for rural villages" in matches
    assert "Osaka Pumps" in matches and "Clean Water Kenya" in matches
    assert "Lakeside University TLO" not in matches.split("Possible partners", 1)[1]


def test_the_needs_fragment_and_the_partners_fragment(world):
    needs = Client().get(f"/assets/{world['filter'].pk}/matches/needs/", **HTMX).content.decode()
    assert "<html" not in needs and "Safe drinking water for rural villages" in needs
    partners = Client().get(f"/assets/{world['filter'].pk}/matches/partners/", **HTMX).content.decode()
    assert "<html" not in partners and "Osaka Pumps" in partners


def test_matches_of_an_asset_one_may_not_see_are_404(world):
    client = signed_in(world["outsider"])
    for path in ("matches/", "matches/needs/", "matches/partners/"):
        assert client.get(f"/assets/{world['draft'].pk}/{path}", **HTMX).status_code == 404
    assert Client().get("/needs/999999/technologies/").status_code == 404


def test_the_person_page_loads_mentors_and_the_mentors_page_explains(world, people):
    page = Client().get(f"/people/{people['hanako'].username}/").content.decode()
    assert f"/people/{people['hanako'].username}/mentors/" in page
    mentors = Client().get(f"/people/{people['hanako'].username}/mentors/").content.decode()
    assert "Mentors and experts for Hanako" in mentors and "Shares the skills: water treatment" in mentors
    assert Client().get(f"/people/{people['gone'].username}/mentors/").status_code == 404
