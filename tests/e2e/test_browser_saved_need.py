"""A saved need in a real browser, from posting it to hearing of a new technology.

    a company user posts a need → its page ranks the technologies that fit, each
    with its reasons → they ask to be notified of matching technologies → a TLO
    registers a new technology that fits → the company user's header shows one
    unread notification and an e-mail has gone out → the notification names the
    technology and links to it → marking it read clears the badge.

The TLO's listings come from the services; everything the company user does is
typing, clicking and reading in Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from conceptcloud.registry.services import AssetData, asset_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


def field(scope, label: str):
    """The form control labelled exactly `label` (a required field's label ends in a hidden "*")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Username or e-mail address").fill(username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def technology(owner, org, title: str, summary: str):
    return asset_register(
        actor=owner,
        data=AssetData(owner_org=org.slug, visibility="public", kind="technology", title=title, summary=summary),
        publish=True,
    )


def test_a_saved_need_tells_its_owner_of_a_new_matching_technology(live_server, page, make_user, make_org, mailoutbox):
    base = live_server.url
    buyer = make_user("buyer")
    make_org(buyer, "Osaka Water Works", kind="company")
    tlo_admin = make_user("tlo")
    tlo = make_org(tlo_admin, "Kansai University TLO", kind="tlo")
    technology(
        tlo_admin, tlo, "Ceramic membrane filter for drinking water",
        "A ceramic membrane removes bacteria from river water without power.",
    )

    sign_in(page, base, "buyer")
    page.goto(base + "/needs/new/")
    field(page, "Title").fill("Clean drinking water for rural villages")
    field(page, "Description").fill(
        "We need a low-cost filter that removes bacteria from river water for villages without power."
    )
    page.get_by_role("button", name="Post the need").click()
    expect(page.get_by_role("heading", name="Clean drinking water for rural villages", level=1)).to_be_visible()

    # The technologies that fit, each with why.
    found = page.locator("#need-technologies li.match")
    expect(found).to_have_count(1)
    expect(found.first.locator("h3")).to_have_text("Ceramic membrane filter for drinking water")
    expect(found.first.locator("li.match-reason").first).to_be_visible()

    # Ask to be told of new ones.
    page.get_by_role("button", name="Notify me of matching technologies").click()
    expect(page.locator("#save-need")).to_contain_text("You will be told of new technologies that match this need")
    expect(page.locator("header .notifications-link .badge")).to_have_count(0)

    # A TLO registers a technology that fits; an unrelated one tells nobody.
    technology(tlo_admin, tlo, "Folding bamboo chair", "A chair of bamboo slats that folds flat for shipping.")
    technology(
        tlo_admin, tlo, "Solar-powered water disinfection unit",
        "Kills bacteria in river water with UV light powered by a small solar panel, for villages off the grid.",
    )
    page.reload()
    badge = page.locator("header .notifications-link .badge")
    expect(badge).to_have_text("1")
    assert len(mailoutbox) == 1 and "Solar-powered water disinfection unit" in mailoutbox[0].subject

    page.locator("header .notifications-link").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    item = page.locator("li.notification.unread")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link")).to_have_text(
        "New match for your saved search “Clean drinking water for rural villages”: Solar-powered water disinfection unit"
    )
    item.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.locator("header .notifications-link .badge")).to_have_count(0)

    page.get_by_role("link", name=re.compile("^New match for your saved search")).click()
    expect(page.get_by_role("heading", name="Solar-powered water disinfection unit", level=1)).to_be_visible()
