"""From an express licence to everyone's statement, in a real browser: the issue's journey.

The lineage, set up through the services (it is not what this test is about):

    A  “Self-healing ceramic binder”   Kyoto Materials Lab; contributors aoki 60%, baba 40%;
                                       asks 10% of derivatives, links need its approval
    T  “Ceramic membrane water filter” Tokyo TLO; builds on A (approved, 10%); the original
                                       inventor suzuki 100%; asks 20% of derivatives
    I  “Fouling-resistant membrane     Tokyo TLO; improves T (20%); the improver ito 75%,
        water filter”                  his student kato 25%

Then in Chromium, each person in a browser context of their own: tanaka (Tokyo TLO)
lists I with an express licence → yamada accepts it in one step for Acme Robotics →
the deal is active for both → tanaka records the licensee's payment on the deal page,
first mistyped (a fraction of a yen, then a negative amount: the message by the field,
nothing recorded), then right → the payment's page shows who was paid → suzuki (the
original inventor), ito (the improver), aoki and baba (A's contributors) each sign in
and read on their statement exactly what the cascade rule gives, with the path the
money took. The licence is on I because I is what the licensee uses and pays for: its
revenue stays partly with I's contributors and flows on, by the approved links, to T's
inventor and to A's contributors.
"""

import re
from fractions import Fraction

import pytest
from playwright.sync_api import expect

from conceptcloud.lineage.models import Derivation
from conceptcloud.lineage.services import (
    ContributionData,
    asset_build_on,
    contributions_propose,
    derivation_decide,
    terms_set,
)
from conceptcloud.licensing.models import Deal
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.registry.services import AssetData, asset_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
BINDER = "Self-healing ceramic binder"
FILTER = "Ceramic membrane water filter"
IMPROVED = "Fouling-resistant membrane water filter"
REVENUE = 1_234_567  # JPY has no minor unit: yen are the minor units


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


def spaced(words: str) -> re.Pattern:
    """The words in order, whatever white space the page puts between them."""
    return re.compile(r"\s+".join(map(re.escape, words.split())))


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def expected_amounts() -> dict[str, int]:
    """The cascade rule by hand, in exact fractions, then one largest-remainder rounding.

    I keeps 100% − 20% = 80% for its contributors (ito 75%, kato 25%); T receives 20%
    and keeps 90% of it for suzuki; A receives 10% of T's 20% = 2% and keeps all of it
    for aoki (60%) and baba (40%). Tie-break of equal remainders: larger exact amount,
    then the recipient's key (not needed here: the remainders differ).
    """
    bp = Fraction(1, 10_000)
    to_t = REVENUE * 2000 * bp
    to_a = to_t * 1000 * bp
    exact = {
        "ito": REVENUE * 8000 * bp * 7500 * bp,  # 740,740.2
        "kato": REVENUE * 8000 * bp * 2500 * bp,  # 246,913.4
        "suzuki": to_t * 9000 * bp,  # 222,222.06
        "aoki": to_a * 6000 * bp,  # 14,814.804
        "baba": to_a * 4000 * bp,  # 9,876.536
    }
    assert sum(exact.values()) == REVENUE
    floors = {name: value.numerator // value.denominator for name, value in exact.items()}
    left = REVENUE - sum(floors.values())  # 2 yen to hand out
    order = sorted(exact, key=lambda name: (-(exact[name] - floors[name]), -exact[name], name))
    return {name: floors[name] + (1 if name in order[:left] else 0) for name in exact}


@pytest.fixture
def lineage(make_user, make_org):
    """A ← T ← I as in the module's docstring; returns the three assets."""
    people = {name: make_user(name) for name in ("mori", "aoki", "baba", "tanaka", "suzuki", "ito", "kato", "yamada")}
    lab = make_org(people["mori"], "Kyoto Materials Lab", kind="university")
    tlo = make_org(people["tanaka"], "Tokyo TLO", kind="tlo")
    make_org(people["yamada"], "Acme Robotics", kind="company", country="US")

    mori, tanaka = people["mori"], people["tanaka"]
    binder = asset_register(
        actor=mori,
        data=AssetData(
            kind="technology",
            title=BINDER,
            summary="A ceramic binder that closes its own micro-cracks when heated.",
            owner_org=lab.slug,
            visibility="public",
        ),
        publish=True,
    )
    contributions_propose(
        actor=mori,
        asset=binder,
        contributions=[
            ContributionData(username="aoki", role="originator", share_bp=6000),
            ContributionData(username="baba", role="originator", share_bp=4000),
        ],
    )
    terms_set(
        actor=mori, asset=binder, derivative_royalty_bp=1000, derivatives_need_approval=True, share_changes_need="owner"
    )

    membrane = asset_build_on(
        actor=tanaka,
        parent_ids=[binder.pk],
        data=AssetData(
            kind="technology",
            title=FILTER,
            summary="A ceramic membrane bound with a self-healing binder filters bacteria from river water.",
            owner_org=tlo.slug,
            visibility="public",
        ),
    )
    link = Derivation.objects.get(child=membrane, parent=binder)
    assert link.status == Derivation.Status.PENDING  # the lab's approval is needed: it carries no money yet
    derivation_decide(actor=mori, derivation=link, approve=True)
    contributions_propose(
        actor=tanaka,
        asset=membrane,
        contributions=[ContributionData(username="suzuki", role="originator", share_bp=10_000)],
    )
    terms_set(
        actor=tanaka,
        asset=membrane,
        derivative_royalty_bp=2000,
        derivatives_need_approval=True,
        share_changes_need="owner",
    )

    improved = asset_build_on(
        actor=tanaka,
        parent_ids=[membrane.pk],
        data=AssetData(
            kind="technology",
            title=IMPROVED,
            summary="The ceramic membrane filter with a coating that keeps algae and silt from clogging it.",
            owner_org=tlo.slug,
            visibility="public",
        ),
    )
    assert Derivation.objects.get(child=improved).status == Derivation.Status.APPROVED  # the TLO manages T
    contributions_propose(
        actor=tanaka,
        asset=improved,
        contributions=[
            ContributionData(username="ito", role="improver", share_bp=7500),
            ContributionData(username="kato", role="implementer", share_bp=2500),
        ],
    )
    return {"A": binder, "T": membrane, "I": improved}


def test_an_express_licence_pays_the_improver_the_inventor_and_the_ancestors_contributors_what_the_cascade_gives(
    live_server, page, new_context, lineage
):
    base = live_server.url
    a, t, i = lineage["A"].pk, lineage["T"].pk, lineage["I"].pk
    amounts = expected_amounts()
    assert amounts == {"ito": 740_740, "kato": 246_913, "suzuki": 222_222, "aoki": 14_815, "baba": 9_877}

    # 1. tanaka lists the improved filter with the express licence (the default template).
    sign_in(page, base, "tanaka")
    page.goto(f"{base}/assets/{i}/")
    page.get_by_role("link", name="Offer a licence").click()
    expect(field(page, "Template")).to_have_value("express")
    field(page, "Currency").select_option("JPY")
    field(page, "Upfront fee").fill("1000000")
    page.get_by_role("button", name="Publish the offer").click()
    expect(page.get_by_text("Your licence offer is published on the asset's page.")).to_be_visible()
    expect(page.get_by_role("heading", name=IMPROVED, level=1)).to_be_visible()
    expect(page.locator("section.licensing")).to_contain_text(yen(1_000_000))

    # 2. yamada accepts it in one step, for Acme Robotics: the deal is active at once.
    seeker = new_context().new_page()
    sign_in(seeker, base, "yamada")
    seeker.goto(f"{base}/assets/{i}/")
    licensing = seeker.locator("section.licensing")
    licensing.get_by_label("Acting for").select_option(label="Acme Robotics")
    licensing.get_by_role("button", name=re.compile("^Accept this licence")).click()
    expect(seeker.get_by_text("Accepted: your licence is active.")).to_be_visible()
    expect(seeker.locator(".pipeline [aria-current=step]")).to_have_text("Active")
    expect(seeker.get_by_text("You are the seeker.")).to_be_visible()
    expect(seeker.get_by_role("heading", name="Payments under this licence")).to_have_count(0)
    deal = Deal.objects.get(asset_id=i)

    # 3. tanaka finds the deal active among the TLO's deals.
    page.goto(f"{base}/deals/")
    page.get_by_role("link", name=f"Deal {deal.pk}").click()
    expect(page.locator(".pipeline [aria-current=step]")).to_have_text("Active")
    expect(page.get_by_text("Acme Robotics").first).to_be_visible()

    # 4. A mistyped payment: a fraction of a yen, then a negative amount. The message
    #    is by the field and nothing is recorded.
    payments = page.get_by_role("region", name="Payments under this licence")
    expect(field(payments, "Currency")).to_have_value("JPY")  # the licence's currency
    field(payments, "Amount").fill("1234567.5")
    payments.get_by_role("button", name="Record the payment").click()
    error = page.locator("#id_amount_error")
    expect(error).to_contain_text("Enter a whole amount: JPY has no smaller unit.")
    expect(field(page, "Amount")).to_have_attribute("aria-invalid", "true")
    assert not RevenueEvent.objects.exists()
    field(page, "Amount").fill("-1234567")
    page.get_by_role("button", name="Record the payment").click()
    expect(error).to_have_text("The amount must be more than zero.")
    assert not RevenueEvent.objects.exists()

    # 5. The payment as received: shared out at once.
    field(page, "Amount").fill("1,234,567")
    field(page, "Note").fill("Upfront fee and royalties to March")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded and shared out along the lineage.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Revenue of {yen(REVENUE)}", level=1)).to_be_visible()
    expect(page.get_by_text(f"Deal #{deal.pk}")).to_be_visible()
    event = RevenueEvent.objects.get()
    assert (event.asset_id, event.amount, event.currency, event.deal_ref) == (i, REVENUE, "JPY", deal.pk)

    # The payment's page: who was paid, and how much.
    paid = page.get_by_role("region", name="Who was paid")
    for name, amount in amounts.items():
        row = paid.get_by_role("row").filter(has=page.get_by_role("cell", name=name.title(), exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(yen(amount))
    expect(paid.locator("tbody tr")).to_have_count(len(amounts))

    # The deal page lists the payment under the licence.
    page.goto(f"{base}/deals/{deal.pk}/")
    expect(page.get_by_role("region", name="Payments under this licence")).to_contain_text(yen(REVENUE))

    # 6. Each one opens their statement from their account's pages: the amount, and why.
    why = {
        "ito": f"Your share 75% of “{IMPROVED}” (#{i}), whose contributors keep 80% of its revenue.",
        "suzuki": (
            f"Your share 100% of “{FILTER}” (#{t}) (its contributors keep 90%), which received 20% of this revenue "
            f"along “{IMPROVED}” (#{i}) → 20% to “{FILTER}” (#{t})."
        ),
        "aoki": (
            f"Your share 60% of “{BINDER}” (#{a}) (its contributors keep 100%), which received 2% of this revenue "
            f"along “{IMPROVED}” (#{i}) → 20% to “{FILTER}” (#{t}) → 10% to “{BINDER}” (#{a})."
        ),
        "baba": (
            f"Your share 40% of “{BINDER}” (#{a}) (its contributors keep 100%), which received 2% of this revenue "
            f"along “{IMPROVED}” (#{i}) → 20% to “{FILTER}” (#{t}) → 10% to “{BINDER}” (#{a})."
        ),
    }
    for name in ("suzuki", "ito", "aoki", "baba"):
        context = new_context()
        reader = context.new_page()
        sign_in(reader, base, name)
        reader.get_by_role("banner").get_by_role("link", name=name.title(), exact=True).click()
        reader.get_by_role("navigation", name="Your account").get_by_role("link", name="Statement").click()
        expect(reader.get_by_role("heading", name="Your statement", level=1)).to_be_visible()
        expect(reader.get_by_role("region", name="Balance").locator("li")).to_have_text([yen(amounts[name])])
        lines = reader.get_by_role("region", name="Lines").locator("tbody tr")
        expect(lines).to_have_count(1)
        cells = lines.first.get_by_role("cell")
        expect(cells.nth(1)).to_contain_text("Revenue")
        expect(cells.nth(1).get_by_role("link", name=IMPROVED)).to_be_visible()
        expect(cells.nth(2)).to_have_text(yen(amounts[name]))
        expect(cells.nth(3).get_by_role("listitem")).to_have_text([spaced(why[name])])
        context.close()

    # Everyone's share adds up to the payment, to the yen; the ancestor's owner is paid
    # nothing of its own (its contributors are).
    assert sum(amounts.values()) == REVENUE
    context = new_context()
    owner = context.new_page()
    sign_in(owner, base, "mori")
    owner.goto(f"{base}/payouts/statement/")
    expect(owner.get_by_text("Nothing yet: no revenue has reached this account.")).to_be_visible()
    context.close()
