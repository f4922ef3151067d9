"""Help while registering, in a real browser.

    an owner's public listing of a solar water pump exists → the author opens the
    registration form and types almost the same title and summary → a near-duplicate
    warning and the similar listings appear while typing → Suggest SDGs ticks
    goals in the form → the author unticks one → on a 360 px phone nothing scrolls
    sideways → the author registers, and the asset has exactly the goals left ticked.

The existing listing comes from the services (indexed by the inline task after its
commit); everything under test is done by typing, clicking and reading in Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from conceptcloud.registry.models import Asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
PUMP_TITLE = "Solar powered water pump for smallholder irrigation"
PUMP_SUMMARY = (
    "A brushless motor driven directly by photovoltaic panels lifts water from wells up to forty metres deep "
    "without batteries, so farms far from the grid can irrigate vegetables through the dry season at a "
    "fraction of the cost of diesel. The controller tracks the maximum power point of the panels."
)


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


def sdg_box(page, number: int):
    return page.locator(f'#sdg-field input[name="sdgs"][value="{number}"]')


def checked_sdgs(page) -> set[int]:
    values = page.locator('#sdg-field input[name="sdgs"]:checked').evaluate_all("boxes => boxes.map(b => b.value)")
    return {int(value) for value in values}


def test_typing_a_near_copy_warns_and_suggested_sdgs_can_be_edited_before_saving(
    live_server, page, make_user, make_org, make_asset
):
    base = live_server.url
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    pump = make_asset(owner, tlo, title=PUMP_TITLE, summary=PUMP_SUMMARY, details="Field trials in three districts.")
    make_user("author")

    sign_in(page, base, "author")
    page.get_by_role("link", name="Register an asset").first.click()
    expect(page.get_by_role("heading", name="Register an asset", level=1)).to_be_visible()
    field(page, "Kind").first.select_option(label="Technology")
    field(page, "Title").press_sequentially("Solar water pump for smallholder irrigation")
    page.get_by_label("Summary (teaser)").fill(PUMP_SUMMARY.replace("forty", "fifty"))
    page.get_by_label("Summary (teaser)").press("End")
    page.get_by_label("Summary (teaser)").press_sequentially(" Tested.")

    # While typing: the warning names the existing listing, and the similar list shows it.
    panel = page.locator("#similar-assets")
    warning = panel.locator(".near-duplicates")
    expect(warning).to_contain_text("This looks like an asset that is already registered.", timeout=30_000)
    expect(warning.get_by_role("link", name=PUMP_TITLE)).to_have_attribute("href", f"/assets/{pump.pk}/")
    expect(panel.locator(".similar-assets").get_by_role("link", name=PUMP_TITLE)).to_be_visible()
    expect(panel.locator(".similar-assets")).to_contain_text("similarity")

    # Suggest SDGs ticks goals in the form, with the target each matched.
    assert checked_sdgs(page) == set()
    page.get_by_role("button", name="Suggest SDGs").click()
    # (The first suggestion of a process embeds the UN's goals, targets and indicators: allow for it.)
    expect(page.locator("#sdg-suggestions")).to_contain_text("matches target 7.", timeout=60_000)
    expect(sdg_box(page, 7)).to_be_checked()
    suggested = checked_sdgs(page)
    assert 7 in suggested and len(suggested) >= 2
    # The author disagrees with one of them.
    dropped = max(suggested - {7})
    sdg_box(page, dropped).uncheck()
    expect(sdg_box(page, dropped)).not_to_be_checked()
    kept = suggested - {dropped}

    # On a 360 px phone the form, the warning and the lists fit the screen.
    page.set_viewport_size({"width": 360, "height": 780})
    expect(warning).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Register and publish").click()
    expect(page.get_by_role("heading", name="Solar water pump for smallholder irrigation", level=1)).to_be_visible()
    asset = Asset.objects.get(title="Solar water pump for smallholder irrigation")
    assert set(asset.sdgs) == kept
    assert asset.status == Asset.Status.PUBLISHED
