"""A lineage built through the real services, shared by the payouts tests.

    A   "Solar still" — owned by the Kansai TLO (no contributors recorded: its
        revenue share goes to the organisation); asks 20% of derivatives
    B   improves A (alice: bob 60%, frank 40%); asks 10%
    C   improves A (carol 100%); asks 30%
    D   combines B and C (dave 100%); asks 50%       — a diamond: D → B → A, D → C → A
    E   improves D (erin 100%)                       — the third generation below A

Revenue of 100.00 EUR (10000 cents) earned by E:
    E keeps 50%       erin   5000
    D gets 5000, keeps 60%          dave  3000
    B gets 10% of that = 500, keeps 80%: bob 240, frank 160
    C gets 30% of that = 1500, keeps 80%: carol 1200
    A gets 20% of B's 500 and of C's 1500 = 400, along two paths → the TLO 400
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from conceptcloud.history.models import Entry
from conceptcloud.lineage.services import ContributionData, asset_build_on, contributions_propose, terms_set
from conceptcloud.payouts.models import Account, LedgerLine, Payout, RevenueEvent
from conceptcloud.registry.services import AssetData

TODAY = datetime.date(2026, 1, 15)
EXPECTED = {"erin": 5000, "dave": 3000, "bob": 240, "frank": 160, "carol": 1200, "tlo": 400}


def state() -> dict:
    """Everything the payouts services write, and the log size."""
    return {
        "entries": Entry.objects.count(),
        "events": list(RevenueEvent.objects.values_list("id", "amount", "distributed_at").order_by("id")),
        "accounts": Account.objects.count(),
        "lines": list(LedgerLine.objects.values_list("id", "account__key", "amount").order_by("id")),
        "payouts": Payout.objects.count(),
    }


def refused(error_type, call, **kwargs):
    """Run a call that must be refused; assert it changed nothing; return the error."""
    before = state()
    with pytest.raises(error_type) as caught:
        call(**kwargs)
    assert state() == before
    return caught.value


def asset_data(title: str) -> AssetData:
    return AssetData(kind="technology", title=title, summary=f"{title}: built on another asset.")


@dataclass
class Lineage:
    people: dict
    tlo: object
    a: object
    b: object
    c: object
    d: object
    e: object

    def key(self, name: str) -> str:
        if name == "tlo":
            return f"org:{self.tlo.pk}"
        return f"user:{self.people[name].pk}"


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol", "dave", "erin", "frank", "mallory")}


@pytest.fixture
def lineage(people, make_org, make_asset) -> Lineage:
    p = people
    tlo = make_org(p["alice"], "Kansai TLO", kind="tlo")
    a = make_asset(p["alice"], org=tlo, title="Solar still")
    terms_set(
        actor=p["alice"],
        asset=a,
        derivative_royalty_bp=2000,
        derivatives_need_approval=False,
        share_changes_need="owner",
    )
    b = asset_build_on(actor=p["bob"], parent_ids=[a.pk], data=asset_data("Solar still, folding"))
    contributions_propose(
        actor=p["bob"],
        asset=b,
        contributions=[
            ContributionData(username="bob", role="improver", share_bp=6000),
            ContributionData(username="frank", role="implementer", share_bp=4000),
        ],
    )
    terms_set(
        actor=p["bob"], asset=b, derivative_royalty_bp=1000, derivatives_need_approval=False, share_changes_need="owner"
    )
    c = asset_build_on(actor=p["carol"], parent_ids=[a.pk], data=asset_data("Solar still, ceramic"))
    terms_set(
        actor=p["carol"],
        asset=c,
        derivative_royalty_bp=3000,
        derivatives_need_approval=False,
        share_changes_need="owner",
    )
    d = asset_build_on(actor=p["dave"], parent_ids=[b.pk, c.pk], data=asset_data("Folding ceramic still"))
    terms_set(
        actor=p["dave"],
        asset=d,
        derivative_royalty_bp=5000,
        derivatives_need_approval=False,
        share_changes_need="owner",
    )
    e = asset_build_on(actor=p["erin"], parent_ids=[d.pk], data=asset_data("Village water kit"))
    return Lineage(people=people, tlo=tlo, a=a, b=b, c=c, d=d, e=e)
