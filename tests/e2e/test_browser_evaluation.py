"""Evaluation in a real browser: praise, a review on the six indices, the owners'
reply, and what it does to the profiles.

    yamada signs in and praises a lesson (the count goes 0 → 1, the button turns
    into "Undo my praise") → writes a review, first with one score missing (the
    message by that field, nothing saved), then complete → tanaka, its owner,
    replies from the asset page's "Reply" link → yamada reads the reply on the
    asset page → yamada's and tanaka's profiles show a reputation score, and
    tanaka's challenge record shows the lesson's praise and index means →
    yamada undoes the praise and the count and the record go back.

Tasks run inline after each commit in the live server, so the reputation is
computed again after every praise and review: the test checks each run.

Preconditions (people, organisation, asset) come from the services; everything
under test is done by clicking, typing and reading in Chromium, each person in a
browser context of their own.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from conceptcloud.accounts.services import OrganisationData, organisation_create
from conceptcloud.evaluation.models import AssetReputation, Praise, Review, ReviewReply, ReputationRun
from conceptcloud.registry.services import AssetData, asset_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
REVIEW = "The analysis of why the drying trays cracked is sharp; the lesson carries over to any solar kiln."
REPLY = "Thank you: the second pilot uses bamboo trays for exactly that reason."
SCORES = {
    "Challenge": "4",
    "Novelty": "3",
    "Inventive step": "3",
    "Analysis of cause": "5",
    "Quality": "4",
    "Versatility of the lesson": "5",
}


def field(scope, label: str):
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Username or e-mail address").fill(username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def runs() -> int:
    return ReputationRun.objects.count()


def test_a_person_praises_and_reviews_a_lesson_the_owner_replies_and_the_profiles_show_it(
    live_server, page, new_context, make_user
):
    base = live_server.url
    tanaka, yamada = make_user("tanaka"), make_user("yamada")
    # Established accounts, so their praise carries trust (new accounts mint no reputation).
    get_user_model().objects.filter(pk__in=[tanaka.pk, yamada.pk]).update(
        date_joined=timezone.now() - timedelta(days=200)
    )
    lab = organisation_create(actor=tanaka, data=OrganisationData(name="Kyoto Lab", kind="university", country="JP"))
    dryer = asset_register(
        actor=tanaka,
        data=AssetData(
            kind="lesson",
            title="Solar dryer pilot",
            summary="What a failed solar drying pilot taught us.",
            details="The trays cracked after three weeks of sun.",
            owner_org=lab.slug,
            visibility="public",
        ),
        publish=True,
    )
    asset_url = f"{base}/assets/{dryer.pk}/"

    # yamada praises the lesson: htmx swaps the box in place.
    sign_in(page, base, "yamada")
    page.goto(asset_url)
    section = page.locator("#evaluation")
    expect(section.get_by_test_id("praise-count")).to_have_text("0")
    expect(section).to_contain_text("No reviews yet.")
    before = runs()
    section.get_by_role("button", name="Praise", exact=True).click()
    expect(section.get_by_test_id("praise-count")).to_have_text("1")
    expect(section.get_by_role("button", name="Undo my praise")).to_be_visible()
    expect(section.locator(".praisers")).to_contain_text("Yamada")
    expect(page).to_have_url(asset_url)  # swapped in place: no round trip to "#evaluation"
    assert Praise.objects.filter(asset=dryer, user=yamada).count() == 1
    assert runs() == before + 1  # the praise's commit ran the reputation task
    assert AssetReputation.objects.filter(asset=dryer).exists()
    page.reload()
    expect(section.get_by_test_id("praise-count")).to_have_text("1")
    expect(section.get_by_role("button", name="Undo my praise")).to_be_visible()

    # The review: one score missing first, then complete.
    section.get_by_role("link", name="Write a review").click()
    expect(page.get_by_role("heading", name="Write a review", level=1)).to_be_visible()
    for label, value in SCORES.items():
        if label != "Novelty":
            field(page, label).select_option(value)
    field(page, "Your review").fill(REVIEW)
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("#id_novelty_error")).to_have_text("Give a score from 1 to 5.")
    expect(field(page, "Novelty")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".has-error")).to_have_count(1)
    expect(field(page, "Analysis of cause")).to_have_value("5")  # what was chosen stays
    expect(field(page, "Your review")).to_have_value(REVIEW)
    assert not Review.objects.exists()
    before = runs()
    field(page, "Novelty").select_option(SCORES["Novelty"])
    page.get_by_role("button", name="Save the review").click()
    expect(page).to_have_url(re.compile(rf"/assets/{dryer.pk}/#review-yamada$"))
    expect(page.get_by_text("Your review is saved.")).to_be_visible()
    review = page.locator("#review-yamada")
    expect(review).to_contain_text(REVIEW)
    expect(review.locator('dd[data-index="cause_analysis"]')).to_have_text("5")
    averages = section.locator("table.index-averages")
    expect(averages.locator("caption")).to_have_text("Mean of 1 review (1 low – 5 high)")
    expect(averages.locator('td[data-index="novelty"]')).to_have_text("3.0")
    expect(averages.locator('td[data-index="versatility"]')).to_have_text("5.0")
    expect(section.get_by_role("link", name="Edit your review")).to_be_visible()
    expect(review.get_by_role("link", name=re.compile("^Reply"))).to_have_count(0)  # only for the owners
    assert runs() == before + 1

    # tanaka replies from the asset page's "Reply" link.
    owner = new_context().new_page()
    sign_in(owner, base, "tanaka")
    owner.goto(asset_url)
    owner.locator("#review-yamada").get_by_role("link", name=re.compile("^Reply")).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Reply to Yamada's review")
    owner.get_by_role("button", name="Publish the reply").click()
    expect(owner.locator("#id_text_error")).not_to_be_empty()  # an empty reply is refused by the field
    assert not ReviewReply.objects.exists()
    field(owner, "Your reply").fill(REPLY)
    owner.get_by_role("button", name="Publish the reply").click()
    expect(owner.get_by_text("Your reply is saved.")).to_be_visible()
    expect(owner.locator("#review-yamada .reply")).to_contain_text(REPLY)
    expect(owner.locator("#review-yamada").get_by_role("link", name=re.compile("^Change the reply"))).to_be_visible()

    # yamada reads the reply on the asset page.
    page.goto(asset_url)
    reply = page.locator("#review-yamada .reply")
    expect(reply).to_contain_text("The owners replied")
    expect(reply).to_contain_text("Tanaka")
    expect(reply).to_contain_text(REPLY)

    # The profiles: a reputation score for both, and the lesson in tanaka's challenge record.
    page.goto(f"{base}/people/yamada/")
    expect(page.get_by_test_id("person-reputation")).to_contain_text(re.compile(r"Reputation \d+\.\d\d"))
    expect(page.locator("#reputation")).not_to_contain_text("Not computed yet.")
    page.goto(f"{base}/people/tanaka/")
    expect(page.get_by_test_id("person-reputation")).to_contain_text(re.compile(r"Reputation \d+\.\d\d"))
    row = page.locator("#challenges tbody tr").filter(has_text="Solar dryer pilot")
    expect(row).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_contain_text("Lesson")
    expect(row.get_by_test_id("challenge-praise")).to_have_text("1")
    expected = {"challenge": "4.0", "novelty": "3.0", "inventive_step": "3.0", "cause_analysis": "5.0",
                "quality": "4.0", "versatility": "5.0"}
    for name, mean in expected.items():
        expect(row.locator(f'td[data-index="{name}"]')).to_have_text(mean)
    # The lesson's own reputation explains where it came from: praise and reviews.
    page.goto(asset_url)
    expect(section.locator("p.reputation")).to_contain_text(re.compile(r"Reputation \d+\.\d\d"))
    expect(section.locator("ul.reasons")).to_contain_text("Praise and reviews")

    # yamada undoes the praise: the count and the record go back, the reputation is computed again.
    before = runs()
    section.get_by_role("button", name="Undo my praise").click()
    expect(section.get_by_test_id("praise-count")).to_have_text("0")
    expect(section.get_by_role("button", name="Praise", exact=True)).to_be_visible()
    expect(section.locator(".praisers")).to_have_count(0)
    assert not Praise.objects.exists()
    assert runs() == before + 1
    page.goto(f"{base}/people/tanaka/")
    expect(page.locator("#challenges tbody tr").filter(has_text="Solar dryer pilot").get_by_test_id(
        "challenge-praise")).to_have_text("0")


def test_praise_works_without_javascript(live_server, browser, browser_context_args, make_user, make_asset):
    base = live_server.url
    owner = make_user("tanaka")
    make_user("yamada")
    asset = make_asset(owner, title="Gear bearing drive")
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, base, "yamada")
        page.goto(f"{base}/assets/{asset.pk}/")
        section = page.locator("#evaluation")
        section.get_by_role("button", name="Praise", exact=True).click()
        expect(page).to_have_url(f"{base}/assets/{asset.pk}/#evaluation")
        expect(section.get_by_test_id("praise-count")).to_have_text("1")
        section.get_by_role("button", name="Undo my praise").click()
        expect(section.get_by_test_id("praise-count")).to_have_text("0")
        expect(section.get_by_role("button", name="Praise", exact=True)).to_be_visible()
        assert not Praise.objects.exists()
    finally:
        context.close()
