"""Seeds meet needs in a real browser: the issue's journey.

    kei (Osaka Pumps, a company) posts a need → the need's page ranks the listed
    technologies with the reasons they fit, the water filter first → kei asks to be
    notified of matching technologies → tomo (Kyoto University TLO) registers a new
    water technology → kei sees the notification in the header and on the
    notifications page, follows it to the asset, and has it by e-mail too; an
    unrelated technology registered meanwhile notifies nobody.

The people, the two organisations and the technologies already listed come from
the services; the need, the saving, the registration and the reading are done in
Chromium, each person in a browser context of their own. The test database
commits (transaction=True), so indexing and notification run as in production:
inline, right after each commit, with the real embedding model.
"""

import re

import pytest
from playwright.sync_api import expect

from conceptcloud.registry.services import AssetData, asset_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
NEED_TITLE = "Safe drinking water for rural clinics"
NEED_TEXT = (
    "Clinics in mountain villages draw water from rivers and wells. We need a low-cost way to "
    "filter bacteria and viruses out of drinking water without mains power."
)
NEW_TITLE = "Gravity-fed hollow-fibre water purifier"
NEW_SUMMARY = (
    "Hollow-fibre membranes remove bacteria and viruses from river and well water, driven by "
    "gravity alone: safe drinking water without electricity for villages and clinics."
)


def field(scope, label: str):
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Username or e-mail address").fill(username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


@pytest.fixture
def market(make_user, make_org):
    kei = make_user("kei", email="kei@osaka-pumps.example")
    company = make_org(kei, "Osaka Pumps", kind="company")
    tomo = make_user("tomo", email="tomo@kyoto-tlo.example")
    tlo = make_org(tomo, "Kyoto University TLO", kind="tlo")
    listed = [
        ("Ceramic membrane filter for village drinking water",
         "A ceramic membrane filter removes bacteria from river water for drinking, with no power needed.", [6]),
        ("Perovskite solar cell with a printed electrode",
         "Thin-film photovoltaic cells printed on glass for cheap rooftop solar power.", [7]),
        ("Violin varnish from tree resin", "A traditional varnish recipe for string instruments.", []),
    ]
    for title, summary, sdgs in listed:
        asset_register(
            actor=tomo,
            data=AssetData(kind="technology", title=title, summary=summary, owner_org=tlo.slug, visibility="public", sdgs=sdgs),
            publish=True,
        )
    return {"kei": kei, "company": company, "tomo": tomo, "tlo": tlo}


def test_a_company_posts_a_need_sees_ranked_technologies_saves_it_and_is_told_of_a_new_one(
    live_server, browser, market, mailoutbox
):
    company = browser.new_context(locale="en-GB")
    kei = company.new_page()
    sign_in(kei, live_server.url, "kei")

    # 1. kei posts the need.
    kei.goto(live_server.url + "/needs/new/")
    field(kei, "Title").fill(NEED_TITLE)
    field(kei, "Description").fill(NEED_TEXT)
    kei.get_by_label("6. Clean water and sanitation").check()
    kei.get_by_role("button", name="Post the need").click()
    expect(kei.get_by_role("heading", name=NEED_TITLE, level=1)).to_be_visible()

    # 2. The need's page ranks the listed technologies, the water filter first, each with its reasons.
    technologies = kei.locator("#need-technologies")
    expect(technologies.get_by_role("listitem").first).to_be_visible(timeout=60_000)
    cards = technologies.locator("li.match")
    expect(cards.first.get_by_role("heading")).to_have_text("Ceramic membrane filter for village drinking water")
    reasons = cards.first.get_by_role("list", name="Why it matches")
    expect(reasons).to_contain_text("water")
    expect(reasons).to_contain_text("SDG 6")
    expect(technologies).not_to_contain_text("Violin varnish")

    # 3. kei asks to be told of new matching technologies.
    kei.get_by_role("button", name="Notify me of matching technologies").click()
    expect(kei.locator("#save-need").get_by_role("status")).to_contain_text("You will be told of new technologies")
    expect(kei.get_by_role("banner").locator(".badge.unread")).to_have_count(0)

    # 4. tomo registers an unrelated technology, then one that fits the need.
    tlo = browser.new_context(locale="en-GB")
    tomo = tlo.new_page()
    sign_in(tomo, live_server.url, "tomo")
    for title, summary in (
        ("Carbon-fibre bicycle frame", "A lighter bicycle frame woven from recycled carbon fibre."),
        (NEW_TITLE, NEW_SUMMARY),
    ):
        tomo.goto(live_server.url + "/assets/new/")
        tomo.get_by_label("Kind *").select_option(label="Technology")
        field(tomo, "Title").fill(title)
        tomo.get_by_label("Summary (teaser)").fill(summary)
        tomo.get_by_role("button", name="Register and publish").click()
        expect(tomo.get_by_role("heading", name=title, level=1)).to_be_visible()

    # 5. kei is told once, in the app and by e-mail, of the fitting one only.
    kei.reload()
    badge = kei.get_by_role("banner").locator(".badge.unread")
    expect(badge).to_have_text("1")
    kei.get_by_role("banner").get_by_role("link", name=re.compile("^Notifications")).click()
    expect(kei.get_by_role("main")).to_contain_text(NEW_TITLE)
    expect(kei.get_by_role("main")).not_to_contain_text("bicycle")
    kei.get_by_role("main").get_by_role("link", name=re.compile(re.escape(NEW_TITLE))).first.click()
    expect(kei.get_by_role("heading", name=NEW_TITLE, level=1)).to_be_visible()
    assert [mail.to for mail in mailoutbox] == [["kei@osaka-pumps.example"]]
    assert NEW_TITLE in mailoutbox[0].subject + mailoutbox[0].body

    # 6. On a phone the need's matches fit the screen.
    kei.set_viewport_size({"width": 360, "height": 740})
    kei.go_back()
    kei.goto(kei.url)
    assert kei.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    company.close()
    tlo.close()
