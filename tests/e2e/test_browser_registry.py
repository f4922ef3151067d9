"""The registry in a real browser, driven the way a person uses it.

    the issue's journey       sign up → organisation → a confidential technology (bad input
                              first, then with a file) → lists → signed out → in Japanese
    browsing                  the home page's search box and browse-by links, with counts
    versions                  an edit makes version 2; the history shows what changed
    needs                     a company member posts, edits and moves a need
    dashboard and access      my assets, organisations and needs; granting and revoking
    withdrawing               a withdrawn asset leaves the lists for everyone else
    directory pages           organisation and person pages show teasers only

Preconditions that are not what a test is about come from the services (the root
conftest's make_user / make_org / make_asset); everything under test is done by
clicking, typing and reading in Chromium. A second person gets a second browser
context, so their session is theirs alone.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conceptcloud.registry.models import Asset, Attachment, Need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
PDF_BYTES = b"%PDF-1.4\n% a drawing of the joint\n"


# ---------------------------------------------------------------- helpers


def field(scope, label: str):
    """The form control labelled exactly `label` (a required field's label ends in a hidden "*")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page, base_url: str, username: str) -> None:
    """Sign in through the header link and the sign-in form; lands on the dashboard."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Username or e-mail address").fill(username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def nav(page, name: str) -> None:
    """Follow a link of the site's main navigation."""
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def open_asset(page, base_url: str, title: str) -> None:
    """From the home page, through the asset list, to one asset's page."""
    page.goto(base_url + "/")
    nav(page, "Assets")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def card(scope, title: str):
    """The list item (a card) in `scope` (a page or a part of it) whose heading is `title`."""
    page = getattr(scope, "page", scope)  # `has` is matched inside each item, so it starts from the page
    return scope.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))


def results(page):
    return page.get_by_role("region", name="Results")


def assets_shown(n: int) -> str:
    return "1 asset" if n == 1 else f"{n} assets"


def assert_not_shown(page, text: str) -> None:
    """Neither visible nor anywhere in the page's HTML."""
    expect(page.locator("body")).not_to_contain_text(text)
    assert text not in page.content()


def message(page):
    """The flash messages at the top of the page."""
    return page.locator("main > ul.messages")


# ---------------------------------------------------------------- 1. the journey

JOURNEY_TITLE = "Harmonic drive for robot joints"
JOURNEY_SUMMARY = "A compact zero-backlash gear for collaborative robot arms."
JOURNEY_DETAILS = "Flexspline wall 0.31 mm; tooth profile S-curve K7; tested 2.1 million cycles."


def test_a_new_member_registers_a_confidential_technology_that_strangers_see_only_as_a_teaser(live_server, page):
    base = live_server.url

    # Sign up.
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up", exact=True).click()
    field(page, "Username").fill("hanako")
    page.get_by_label("E-mail address").fill("hanako@example.org")
    page.get_by_label("Display name").fill("Hanako Yamada")
    field(page, "Password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(message(page)).to_contain_text("Welcome to Concept Cloud!")
    expect(page.get_by_role("heading", name="Your profile", level=1)).to_be_visible()

    # Create an organisation.
    page.get_by_role("link", name="Create an organisation").click()
    field(page, "Name").fill("Kansai Robotics TLO")
    page.get_by_label("Type").select_option(label="Technology licensing office (TLO)")
    page.get_by_label("Country").select_option(label="Japan")
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_role("heading", name="Kansai Robotics TLO", level=1)).to_be_visible()
    expect(message(page)).to_contain_text("is created and you are its admin")

    # Register a confidential technology, first with mistakes.
    nav(page, "Dashboard")
    page.get_by_role("link", name="Register an asset").click()
    expect(page.get_by_role("heading", name="Register an asset", level=1)).to_be_visible()
    # The asset's own Kind comes first; the IP record rows below have a Kind each too.
    field(page, "Kind").first.select_option(label="Technology")
    field(page, "Title").fill(JOURNEY_TITLE)
    page.get_by_label("Summary (teaser)").fill(JOURNEY_SUMMARY)
    field(page, "Details").fill(JOURNEY_DETAILS)
    field(page, "Confidential").check()
    expect(page.get_by_label("Owner")).to_have_value(re.compile("kansai-robotics"))
    trl = page.get_by_label("Technology readiness level (TRL)")
    # TRL is chosen, not typed: nothing beyond 9 can be entered.
    expect(trl.locator("option")).to_have_count(10)
    trl.select_option(label="TRL 4 — technology validated in the lab")
    page.get_by_label("9. Industry, innovation and infrastructure").check()
    page.get_by_label("CPC codes").fill("F16H 1/00, Z99Z 1/00")
    # The CPC titles appear while typing (htmx), before anything is sent.
    expect(page.locator("#cpc-check")).to_contain_text("Z99Z 1/00 is not a CPC code.")
    expect(page.locator("#cpc-check")).to_contain_text("Toothed gearings")
    long_keyword = "a keyword far too long to be of any use in a search"
    page.get_by_label("Keywords").fill(f"harmonic drive, {long_keyword}")
    page.get_by_label("Licence").check()
    field(page, "File").set_input_files(
        files=[{"name": "drawing.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    # Without a title the browser itself refuses to send the form.
    field(page, "Title").fill("")
    page.get_by_role("button", name="Register and publish").click()
    assert field(page, "Title").evaluate("input => input.validity.valueMissing")
    expect(page.get_by_role("alert")).to_have_count(0)
    field(page, "Title").fill(JOURNEY_TITLE)
    page.get_by_role("button", name="Register and publish").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved. Please correct the errors below.")
    expect(page.get_by_label("CPC codes")).to_have_accessible_description(re.compile(r"Unknown CPC code: Z99Z 1/00\."))
    expect(page.get_by_label("Keywords")).to_have_accessible_description(
        re.compile("At most 30 keywords of 40 characters each.")
    )
    # The form still holds what was typed …
    expect(field(page, "Title")).to_have_value(JOURNEY_TITLE)
    expect(page.get_by_label("Summary (teaser)")).to_have_value(JOURNEY_SUMMARY)
    expect(field(page, "Details")).to_have_value(JOURNEY_DETAILS)
    expect(page.get_by_label("CPC codes")).to_have_value("F16H 1/00, Z99Z 1/00")
    expect(field(page, "Confidential")).to_be_checked()
    expect(page.get_by_label("9. Industry, innovation and infrastructure")).to_be_checked()
    # … and nothing was saved.
    assert not Asset.objects.filter(title=JOURNEY_TITLE).exists()
    assert not Attachment.objects.exists()

    # Now correctly, with the file again (a browser never keeps a chosen file across pages).
    page.get_by_label("CPC codes").fill("F16H 1/00")
    page.get_by_label("Keywords").fill("harmonic drive, robot joint")
    field(page, "File").set_input_files(
        files=[{"name": "drawing.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Register and publish").click()

    expect(message(page)).to_contain_text("Registered and published.")
    expect(page.get_by_role("heading", name=JOURNEY_TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(JOURNEY_SUMMARY)).to_be_visible()
    expect(page.get_by_text(JOURNEY_DETAILS)).to_be_visible()
    expect(page.get_by_text("Confidential", exact=True)).to_be_visible()
    expect(page.get_by_text("TRL 4 of 9")).to_be_visible()
    expect(page.get_by_text(re.compile(r"F16H ?1/00 — Toothed gearings"))).to_be_visible()
    download_link = page.get_by_role("link", name="drawing.pdf")
    with page.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes() == PDF_BYTES
    download_url = base + download_link.get_attribute("href")

    # Listed with its teaser, never its details.
    nav(page, "Assets")
    listed = card(results(page), JOURNEY_TITLE)
    expect(listed).to_contain_text(JOURNEY_SUMMARY)
    expect(listed).to_contain_text("Confidential")
    assert_not_shown(page, JOURNEY_DETAILS)

    # Signed out, a stranger sees the teaser and a note, not the details or the file.
    sign_out(page)
    expect(message(page)).to_contain_text("You are signed out.")
    open_asset(page, base, JOURNEY_TITLE)
    expect(page.get_by_text(JOURNEY_SUMMARY)).to_be_visible()
    expect(page.get_by_text("The details, IP records and files of this asset are confidential.")).to_be_visible()
    assert_not_shown(page, JOURNEY_DETAILS)
    expect(page.get_by_role("link", name="drawing.pdf")).to_have_count(0)
    assert page.request.get(download_url).status == 404

    # Switch the interface to Japanese from the header.
    field(page, "Language").select_option("ja")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name=JOURNEY_TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="概要", exact=True)).to_be_visible()
    expect(page.get_by_text("この資産の詳細、知的財産権、ファイルは機密です。")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="サインイン", exact=True)).to_be_visible()
    assert_not_shown(page, JOURNEY_DETAILS)

    page.get_by_role("link", name="Concept Cloud", exact=True).click()
    expect(page.get_by_role("heading", name="種類から探す")).to_be_visible()
    expect(page.get_by_role("heading", name="新着の資産")).to_be_visible()
    expect(page.get_by_role("region", name="種類から探す").get_by_role("listitem").filter(has_text="技術")).to_contain_text(
        "(1)"
    )

    nav(page, "資産")
    expect(page.get_by_role("heading", name="資産", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="検索結果").get_by_role("status")).to_have_text("1 件の資産")
    expect(card(page, JOURNEY_TITLE)).to_contain_text(JOURNEY_SUMMARY)
    assert_not_shown(page, JOURNEY_DETAILS)

    # The choice is remembered: a new tab opens in Japanese although the browser asks for English.
    second_tab = page.context.new_page()
    second_tab.goto(base + "/")
    expect(second_tab.locator("html")).to_have_attribute("lang", "ja")
    expect(second_tab.get_by_role("heading", name="新着の資産")).to_be_visible()
    second_tab.close()


# ---------------------------------------------------------------- 2. searching and browsing


@pytest.fixture
def catalogue(make_user, make_org, make_asset):
    """Five assets of Osaka TLO: four published (one confidential), one draft."""
    owner = make_user("osaka")
    org = make_org(owner, "Osaka TLO", kind="tlo")
    make_asset(
        owner, org=org, title="Perovskite solar roof tile", summary="Roof tiles that make electricity.",
        sdgs=[7, 13], countries_developed=["JP"], availability=["licence"],
    )
    make_asset(
        owner, org=org, title="Wind turbine blade coating", summary="Keeps ice off the blades.",
        sdgs=[7], countries_developed=["DE"], availability=["collaboration"],
    )
    make_asset(
        owner, org=org, kind="dataset", title="Rice paddy methane dataset", summary="Ten years of flux readings.",
        sdgs=[2, 13], countries_developed=["JP"], availability=["licence", "open"],
    )
    make_asset(
        owner, org=org, visibility="confidential", title="Solid-state battery electrolyte",
        summary="A non-flammable electrolyte.", details="Recipe LiPSCl-73 at 550 °C.",
        sdgs=[7], countries_developed=["JP"], availability=["licence"],
    )
    make_asset(
        owner, org=org, publish=False, title="Unfinished tidal generator", summary="Not ready.",
        sdgs=[13, 14], countries_developed=["JP"], availability=["licence"],
    )


def follow_browse_link(page, base_url: str, section: str, label: str, expected: int) -> None:
    """On the home page, the link `label` under `section` promises `expected` assets; the list shows them."""
    page.goto(base_url + "/")
    item = page.get_by_role("region", name=section).get_by_role("listitem").filter(
        has=page.get_by_role("link", name=label, exact=True)
    )
    expect(item).to_contain_text(f"({expected})")
    count = int(re.search(r"\((\d+)\)", item.inner_text()).group(1))
    item.get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("list", name="Active filters")).to_contain_text(label)
    expect(results(page).get_by_role("status")).to_have_text(assets_shown(count))
    expect(results(page).get_by_role("heading", level=3)).to_have_count(count)


def test_the_home_page_searches_and_browses_into_the_asset_list_with_counts_that_match(live_server, page, catalogue):
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_role("link", name="See all 4 published assets")).to_be_visible()
    assert_not_shown(page, "Unfinished tidal generator")  # a draft
    nav(page, "Assets")
    expect(results(page).get_by_role("status")).to_have_text("4 assets")
    expect(results(page).get_by_role("heading", level=3)).to_have_count(4)
    assert_not_shown(page, "Unfinished tidal generator")

    page.get_by_role("link", name="Concept Cloud", exact=True).click()
    page.get_by_label("Search assets").fill("solar")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Assets", level=1)).to_be_visible()
    expect(page.get_by_label("Search assets")).to_have_value("solar")
    expect(results(page).get_by_role("status")).to_have_text("1 asset")
    expect(card(results(page), "Perovskite solar roof tile")).to_contain_text("Roof tiles that make electricity.")

    # Words from confidential details find nothing for a stranger.
    page.get_by_label("Search assets").fill("LiPSCl-73")
    page.get_by_role("button", name="Search").click()
    expect(results(page).get_by_role("status")).to_have_text("0 assets")
    expect(page.get_by_text("No assets match — try fewer filters or other words.")).to_be_visible()

    follow_browse_link(page, base, "Browse by kind", "Technology", 3)
    follow_browse_link(page, base, "Browse by kind", "Dataset", 1)
    follow_browse_link(page, base, "Browse by Sustainable Development Goal", "13. Climate action", 2)
    follow_browse_link(page, base, "Browse by Sustainable Development Goal", "7. Affordable and clean energy", 3)
    follow_browse_link(page, base, "Browse by country", "Japan", 3)
    follow_browse_link(page, base, "Browse by country", "Germany", 1)
    follow_browse_link(page, base, "Browse by availability", "Licence", 3)
    follow_browse_link(page, base, "Browse by availability", "Free / open", 1)

    # The list's own facets narrow further, and their counts hold too.
    follow_browse_link(page, base, "Browse by kind", "Technology", 3)
    filters = page.get_by_role("complementary", name="Filters")
    climate = filters.get_by_role("listitem").filter(has=page.get_by_role("link", name="13. Climate action"))
    expect(climate).to_contain_text("(1)")
    climate.get_by_role("link").click()
    expect(results(page).get_by_role("status")).to_have_text("1 asset")
    expect(results(page).get_by_role("heading", level=3)).to_have_text(["Perovskite solar roof tile"])
    assert_not_shown(page, "Recipe LiPSCl-73")


# ---------------------------------------------------------------- 3. versions


def test_an_edit_makes_version_two_and_the_history_shows_what_changed(live_server, page, make_user, make_org, make_asset):
    owner = make_user("owner")
    org = make_org(owner, "Tokyo TLO", kind="tlo")
    make_asset(owner, org=org)  # "Gear bearing drive", details "Confidential tolerances: 0.002 mm."
    base = live_server.url

    sign_in(page, base, "owner")
    page.get_by_role("region", name="My assets").get_by_role("link", name="Gear bearing drive", exact=True).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit asset")).to_be_visible()
    expect(page.get_by_text("Saving a change makes version 2")).to_be_visible()
    page.get_by_label("Summary (teaser)").fill("A gear and a bearing in one sealed unit.")
    field(page, "Details").fill("Confidential tolerances: 0.001 mm.")
    page.get_by_label("What changed?").fill("Tighter tolerance")
    page.get_by_role("button", name="Save changes").click()
    expect(message(page)).to_contain_text("Saved as version 2.")
    expect(page.get_by_text("Confidential tolerances: 0.001 mm.")).to_be_visible()

    page.get_by_role("link", name="Version history").click()
    expect(page.get_by_role("heading", name="Version history", level=1)).to_be_visible()
    versions = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=re.compile(r"^Version \d")))
    expect(versions).to_have_count(2)
    latest, first = versions.nth(0), versions.nth(1)
    expect(latest.get_by_role("heading")).to_have_text(re.compile(r"Version 2\s+current"))
    expect(latest).to_contain_text("Tighter tolerance")
    expect(latest.get_by_role("deletion")).to_contain_text(["0.002"])
    expect(first).to_contain_text("This is the first version")

    latest.get_by_role("link", name="Version 2").click()
    expect(page.get_by_role("heading", name="Version 2 of “Gear bearing drive”", level=1)).to_be_visible()
    changes = page.locator("#changes-2")
    expect(changes.get_by_role("deletion").filter(has_text="0.002")).to_have_count(1)
    expect(changes.get_by_role("insertion").filter(has_text="0.001")).to_have_count(1)
    expect(changes.get_by_role("insertion").filter(has_text="sealed")).to_have_count(1)
    page.get_by_role("link", name="Previous version").click()
    expect(page.get_by_role("heading", name="Version 1 of “Gear bearing drive”", level=1)).to_be_visible()
    expect(page.get_by_text("This is the first version: the asset as it was registered.")).to_be_visible()


# ---------------------------------------------------------------- 4. needs


@pytest.fixture
def company_member(make_user, make_org):
    """An engineer who joined Acme Motors (a company) by accepting its admin's invitation."""
    from conceptcloud.accounts.services import invitation_accept, invitation_create

    admin = make_user("acmeadmin")
    org = make_org(admin, "Acme Motors", kind="company")
    engineer = make_user("engineer")
    invitation, _secret = invitation_create(
        actor=admin, organisation=org, email=engineer.email, role="member",
        accept_url_base="http://testserver/invitations/",
    )
    invitation_accept(actor=engineer, invitation=invitation)
    return engineer


def test_a_company_member_posts_edits_and_moves_a_need(live_server, page, company_member):
    base = live_server.url
    sign_in(page, base, "engineer")

    nav(page, "Needs")
    page.get_by_role("link", name="Post a need").click()
    field(page, "Title").fill("Sensors for rust in car bodies")
    page.get_by_label("Description").fill("We look for a way to see corrosion under paint on the line.")
    expect(page.get_by_label("Posted by")).to_have_value("acme-motors")
    page.get_by_label("12. Responsible consumption and production").check()
    page.get_by_label("Licence").check()
    page.get_by_label("Budget from").fill("5000000")
    page.get_by_label("Budget to").fill("1000000")
    page.get_by_label("Currency").select_option("JPY")
    page.get_by_role("button", name="Post the need").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(page.get_by_label("Budget from")).to_have_accessible_description(
        re.compile("The lower end of the budget is above the upper end.")
    )
    expect(field(page, "Title")).to_have_value("Sensors for rust in car bodies")
    expect(page.get_by_label("Budget to")).to_have_value("1000000")
    assert not Need.objects.exists()

    page.get_by_label("Budget to").fill("20000000")
    page.get_by_role("button", name="Post the need").click()
    expect(message(page)).to_contain_text("Your need is posted.")
    expect(page.get_by_role("heading", name="Sensors for rust in car bodies", level=1)).to_be_visible()
    expect(page.get_by_text("5,000,000 – 20,000,000 JPY")).to_be_visible()

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit need")).to_be_visible()
    field(page, "Title").fill("Sensors for hidden rust in car bodies")
    page.get_by_label("Sector").fill("automotive")
    page.get_by_role("button", name="Save changes").click()
    expect(message(page)).to_contain_text("The need is updated.")
    expect(page.get_by_role("heading", name="Sensors for hidden rust in car bodies", level=1)).to_be_visible()
    expect(page.get_by_text("automotive")).to_be_visible()

    field(page, "Status").select_option(label="In discussion")
    page.get_by_role("button", name="Change status").click()
    expect(message(page)).to_contain_text("Status changed to “In discussion”.")

    nav(page, "Needs")
    listed = card(page, "Sensors for hidden rust in car bodies")
    expect(listed).to_contain_text("Acme Motors")
    expect(listed).to_contain_text("In discussion")
    expect(page.get_by_role("status")).to_have_text("1 need")

    nav(page, "Dashboard")
    mine = page.get_by_role("region", name="My needs")
    expect(card(mine, "Sensors for hidden rust in car bodies")).to_contain_text("In discussion")


# ---------------------------------------------------------------- 5. dashboard and access


SECRET = "Confidential tolerances: 0.002 mm."


@pytest.fixture
def tlo_portfolio(make_user, make_org, make_asset):
    """Tokyo TLO with a confidential published asset, a draft and a need; and a reader outside it."""
    from conceptcloud.registry.services import NeedData, need_create

    owner = make_user("owner")
    org = make_org(owner, "Tokyo TLO", kind="tlo")
    make_asset(owner, org=org, visibility="confidential")  # "Gear bearing drive"
    make_asset(owner, org=org, publish=False, title="Half-built harvester", summary="A rice harvester, half built.")
    need_create(
        actor=owner,
        data=NeedData(title="Test rigs for gearboxes", description="Somebody to run endurance tests.", seeker_org=org.slug),
    )
    make_user("reader")


def test_the_dashboard_lists_my_assets_organisations_and_needs(live_server, page, tlo_portfolio):
    sign_in(page, live_server.url, "owner")

    mine = page.get_by_role("region", name="My assets")
    expect(mine).to_contain_text("1 published · 1 drafts · 0 withdrawn")
    expect(card(mine, "Gear bearing drive")).to_contain_text("Confidential")
    expect(card(mine, "Half-built harvester")).to_contain_text("Draft")
    expect(page.get_by_role("region", name="My organisations").get_by_role("link", name="Tokyo TLO")).to_be_visible()
    expect(card(page.get_by_role("region", name="My needs"), "Test rigs for gearboxes")).to_contain_text("Open")
    expect(page.get_by_role("region", name="Shared with me")).to_have_count(0)

    # The draft is the owner's alone: it is in no public list.
    nav(page, "Assets")
    expect(results(page).get_by_role("heading", level=3)).to_have_text(["Gear bearing drive"])


def test_the_owner_grants_a_person_access_to_the_details_and_revokes_it(live_server, page, new_context, tlo_portfolio):
    base = live_server.url
    reader = new_context().new_page()
    sign_in(reader, base, "reader")
    open_asset(reader, base, "Gear bearing drive")
    expect(reader.get_by_text("To request access, contact the owner:")).to_be_visible()
    assert_not_shown(reader, SECRET)

    sign_in(page, base, "owner")
    page.get_by_role("region", name="My assets").get_by_role("link", name="Gear bearing drive", exact=True).click()
    expect(page.get_by_text("Nobody outside your organisation has access.")).to_be_visible()
    field(page, "Username").fill("nobody-by-this-name")
    page.get_by_role("button", name="Grant access").click()
    expect(field(page, "Username")).to_have_accessible_description(
        re.compile("No active person has this username.")
    )
    field(page, "Username").fill("reader")
    field(page, "Reason").fill("NDA 2025-17")
    page.get_by_role("button", name="Grant access").click()
    expect(message(page)).to_contain_text("Reader can now read the details.")
    expect(page.get_by_role("listitem").filter(has_text="@reader")).to_contain_text("NDA 2025-17")

    reader.reload()
    expect(reader.get_by_text(SECRET)).to_be_visible()
    nav(reader, "Dashboard")
    expect(card(reader.get_by_role("region", name="Shared with me"), "Gear bearing drive")).to_be_visible()

    page.get_by_role("button", name="Revoke Reader").click()
    expect(message(page)).to_contain_text("Access for Reader was revoked.")
    expect(page.get_by_text("Nobody outside your organisation has access.")).to_be_visible()

    open_asset(reader, base, "Gear bearing drive")
    assert_not_shown(reader, SECRET)
    nav(reader, "Dashboard")
    expect(reader.get_by_role("region", name="Shared with me")).to_have_count(0)


# ---------------------------------------------------------------- 6. withdrawing


def test_a_withdrawn_asset_disappears_from_the_lists_of_everyone_else(
    live_server, page, new_context, make_user, make_org, make_asset
):
    owner = make_user("owner")
    org = make_org(owner, "Tokyo TLO", kind="tlo")
    asset = make_asset(owner, org=org)
    make_user("visitor")
    base = live_server.url

    visitor = new_context().new_page()
    sign_in(visitor, base, "visitor")
    nav(visitor, "Assets")
    expect(card(results(visitor), "Gear bearing drive")).to_be_visible()

    sign_in(page, base, "owner")
    page.get_by_role("region", name="My assets").get_by_role("link", name="Gear bearing drive", exact=True).click()
    page.get_by_text("Withdraw this asset").click()
    page.get_by_label("Reason (optional)").fill("Licensed exclusively")
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(message(page)).to_contain_text("Withdrawn. It no longer appears in lists or search.")
    expect(page.get_by_text("This asset is withdrawn: it is hidden from everyone outside your organisation.")).to_be_visible()

    visitor.reload()
    expect(results(visitor).get_by_role("status")).to_have_text("0 assets")
    assert_not_shown(visitor, "Gear bearing drive")
    visitor.get_by_role("link", name="Concept Cloud", exact=True).click()
    expect(visitor.get_by_text("No assets are published yet.")).to_be_visible()
    assert_not_shown(visitor, "Gear bearing drive")
    # Not reachable by its address either.
    assert visitor.goto(f"{base}/assets/{asset.pk}/").status == 404

    nav(page, "Dashboard")
    mine = page.get_by_role("region", name="My assets")
    expect(mine).to_contain_text("0 published · 0 drafts · 1 withdrawn")
    expect(card(mine, "Gear bearing drive")).to_contain_text("Withdrawn")


# ---------------------------------------------------------------- 7. organisation and person pages


def test_organisation_and_person_pages_show_teasers_of_published_assets_only(
    live_server, page, make_user, make_org, make_asset
):
    inventor = make_user("inventor")
    org = make_org(inventor, "Kyoto Materials Lab", kind="university")
    make_asset(
        inventor, org=org, visibility="confidential", title="Self-healing concrete",
        summary="Concrete that closes its own cracks.", details="Bacteria strain KU-42 in capsules.",
    )
    make_asset(
        inventor, org=org, title="Rice husk insulation panel",
        summary="Insulation from farm waste.", details="Panel density 120 kg per cubic metre.",
    )
    make_asset(
        inventor, title="Folding bicycle hinge", summary="A hinge that locks without tools.",
        details="Hinge pin of 8 mm hardened steel.",
    )
    make_asset(inventor, org=org, publish=False, title="Unannounced strain sensor", summary="Not yet.")
    details = ["Bacteria strain KU-42", "Panel density 120 kg", "Hinge pin of 8 mm"]
    base = live_server.url

    page.goto(base + "/")
    nav(page, "Organisations")
    page.get_by_role("link", name="Kyoto Materials Lab").click()
    expect(page.get_by_role("heading", name="Kyoto Materials Lab", level=1)).to_be_visible()
    expect(card(page, "Self-healing concrete")).to_contain_text("Concrete that closes its own cracks.")
    expect(card(page, "Self-healing concrete")).to_contain_text("Confidential")
    expect(card(page, "Rice husk insulation panel")).to_contain_text("Insulation from farm waste.")
    assert_not_shown(page, "Folding bicycle hinge")  # owned by the person, not the organisation
    assert_not_shown(page, "Unannounced strain sensor")
    for text in details:
        assert_not_shown(page, text)

    page.get_by_role("link", name="Inventor", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Inventor"), level=1)).to_be_visible()
    expect(card(page, "Folding bicycle hinge")).to_contain_text("A hinge that locks without tools.")
    expect(card(page, "Self-healing concrete")).to_contain_text("Concrete that closes its own cracks.")
    expect(card(page, "Rice husk insulation panel")).to_be_visible()
    assert_not_shown(page, "Unannounced strain sensor")
    for text in details:
        assert_not_shown(page, text)
