"""Searching in a real browser: English and Japanese, facets, highlights, bad input, a phone.

    a visitor types an English word in the header's search box → the search page
    lists the listing with the word marked in its title and snippet → clicks an SDG
    facet (the count shown equals the results) and back → a Japanese visitor finds
    a Japanese listing by a word inside a compound, marked → a bad page number is
    named at the top while the results still show → on a 360 px phone the page
    does not scroll sideways.

The listings come from the services; everything under test is done by typing,
clicking and reading in Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from conceptcloud.discovery.services.indexing import index_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listings(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    make_asset(
        owner, tlo, title="Solid-state batteries for grid storage",
        summary="A sulfide electrolyte lets lithium batteries store renewable energy safely.", sdgs=[7], trl=6,
    )
    make_asset(
        owner, tlo, title="Battery recycling by solvent extraction",
        summary="Recovers cobalt from spent battery cells with a water-based solvent.", sdgs=[12], trl=5,
    )
    make_asset(
        owner, tlo, title="全固体電池の量産技術",
        summary="硫化物系の全固体電池を低温で量産する製造方法。長い説明" + "。試験結果を含む" * 40,
        language="ja", sdgs=[7], trl=5,
    )
    make_asset(
        owner, tlo, title="Membrane filter for drinking water",
        summary="A ceramic membrane removes bacteria from river water without power.", sdgs=[6], trl=7,
    )
    index_rebuild()


def results(page):
    return page.locator("li.search-hit")


def test_searching_in_english_and_japanese_with_facets_highlights_and_bad_input(live_server, page, new_context,
                                                                                listings):
    base = live_server.url

    # The header's search box leads to the search page with the word marked.
    page.goto(base + "/")
    header_box = page.locator("header").get_by_role("searchbox", name="Search everything")
    header_box.fill("battery")
    header_box.press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"2 results for “battery”"))
    expect(results(page)).to_have_count(2)
    storage = results(page).filter(has_text="grid storage")
    expect(storage.locator("h3 mark")).to_have_text(["batteries"])
    expect(storage.locator("p.snippet mark")).to_have_text(["batteries"])
    expect(page.locator("li.search-hit", has_text="Battery recycling").locator("h3 mark")).to_have_text(["Battery"])

    # An SDG facet: its count is the number of results it leaves; clicking again undoes it.
    facet = page.get_by_role("link", name=re.compile(r"^7\. Affordable"))
    expect(facet.locator("xpath=..")).to_contain_text("(1)")
    facet.click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"1 result for “battery”"))
    expect(results(page)).to_have_count(1)
    expect(results(page).first.locator("h3")).to_have_text("Solid-state batteries for grid storage")
    page.get_by_role("link", name=re.compile(r"✓ 7\. Affordable")).click()
    expect(results(page)).to_have_count(2)

    # A Japanese visitor finds the Japanese listing by a word inside 全固体電池.
    ja = new_context().new_page()
    ja.goto(base + "/search/")
    ja.locator("#language-select").select_option("ja")
    ja.locator("form.language-switch button").click()
    expect(ja.locator("html")).to_have_attribute("lang", "ja")
    ja.locator("#search-q").fill("電池")
    ja.locator("#search-q").press("Enter")
    expect(results(ja)).to_have_count(1)
    expect(results(ja).first.locator("h3")).to_have_text("全固体電池の量産技術")
    expect(results(ja).first.locator("h3 mark")).to_have_text(["電池"])
    expect(results(ja).first.locator("p.snippet mark").first).to_have_text("電池")

    # A bad page number is named at the top; the results still show.
    page.goto(base + "/search/?q=battery&page=abc")
    expect(page.get_by_role("alert")).to_contain_text("Page must be a number from 1 to 1000.")
    expect(results(page)).to_have_count(2)

    # On a 360 px phone nothing scrolls sideways, with or without results and errors.
    page.set_viewport_size({"width": 360, "height": 780})
    for path in ("/search/?q=battery&page=abc&sdg=99", "/search/", "/search/?q=電池"):
        page.goto(base + path)
        expect(page.get_by_role("heading", name=re.compile("Search|検索"), level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
