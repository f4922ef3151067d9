"""demo_licensing_load: the demo's licence offers, deals and one payment, written
through the licensing services (and, for the payment, payouts' revenue_record,
which deal_payment_record calls).

Runs after registry's demo_load and lineage's demo_lineage_load (licensing sits
above both) and builds on what they loaded:

    OFFERS    DEMO-INV-004   standard non-exclusive licence (express) by demo-inventor:
                             ¥100,000 upfront, 3% running royalty
              GSC-TOPS-12    evaluation licence (express, free, 12 months, no commercial
                             use) by demo-curator, for NASA Goddard; its notes say that it
                             is a demo record, not an offer by NASA
              DEMO-INV-001   royalty-free open pledge by demo-inventor
    LICENCE   demo-company accepts the DEMO-INV-004 licence for Demo Precision Works:
              a deal at "active"
    PAYMENT   demo-inventor records the ¥100,000 upfront fee under that deal (dated
              PAYMENT_DATE, idempotency key PAYMENT_KEY); payouts shares it out along
              DEMO-INV-004's lineage, so demo-inventor, demo-company, demo-tlo and Demo
              University TLO each find a line in their statements
    INQUIRY   demo-company inquires about the confidential DEMO-TLO-002 for Demo Precision
              Works and proposes the standard NDA: the deal waits at "nda" for demo-tlo to
              accept, and until then the details stay hidden from demo-company

The demo has no creative work (asset kind "work"), so no Creative Commons licence.

Assets are found by owner and `reference`, as the other demo loaders find them.
Idempotent: an offer is made only where the asset has no offer of its template
(open or withdrawn), the licence only where demo-company has no deal under that
offer, the payment only where the asset has no revenue under its key, the inquiry
only where demo-company has no deal on DEMO-TLO-002 (at any stage). So a second run
writes nothing, and nothing a visitor changed since (a withdrawn offer, a terminated
deal, an NDA accepted or declined) is put back. What cannot be made because an
asset, account or earlier step it needs is missing (a --limit that left out the NASA
record, the lineage demo not loaded) is skipped and named in the report.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from django.db import transaction

from conceptcloud.accounts.models import User
from conceptcloud.core.errors import ApplicationError
from conceptcloud.licensing.models import Deal, LicenceOffer, Template
from conceptcloud.licensing.services import (
    deal_payment_record,
    inquiry_create,
    nda_propose,
    offer_accept,
    offer_create,
    offer_template,
)
from conceptcloud.lineage.demo import (
    INV_004,
    DemoReport,
    NASA_GEAR_BEARINGS,
    SME,
    Ref,
    demo_asset,
    demo_person,
    refusal_reasons,
)
from conceptcloud.payouts.models import RevenueEvent

INV_001 = Ref("DEMO-INV-001", person="demo-inventor")
TLO_002 = Ref("DEMO-TLO-002", org="demo-university-tlo")
SEEKER = "demo-company"  # acting for Demo Precision Works (SME)

PAYMENT_AMOUNT = 100_000
PAYMENT_CURRENCY = "JPY"
PAYMENT_DATE = datetime.date(2025, 4, 1)
PAYMENT_KEY = "demo-licensing:DEMO-INV-004:upfront-fee"


@dataclass(frozen=True)
class DemoOffer:
    asset: Ref
    actor: str  # a manager of the asset
    template: str
    name: str  # how the report names it
    changes: dict[str, Any] = field(default_factory=dict)  # over what the template prefills


EXPRESS = DemoOffer(
    INV_004,
    "demo-inventor",
    Template.EXPRESS.value,
    "express licence",
    {
        "title": "Standard non-exclusive licence for micro-hydro runners",
        "field_of_use": "Micro-hydro turbines up to 100 kW",
        "territories": ["JP"],
        "currency": PAYMENT_CURRENCY,
        "upfront_fee": PAYMENT_AMOUNT,
        "notes": (
            "Build and sell runners on this design in Japan: ¥100,000 on accepting, then 3% of the net sales "
            "of the runners made under the licence, reported once a year."
        ),
    },
)

OFFERS: list[DemoOffer] = [
    EXPRESS,
    DemoOffer(
        NASA_GEAR_BEARINGS,
        "demo-curator",
        Template.EVALUATION.value,
        "evaluation licence",
        {
            "title": "Evaluation licence (demo)",
            "notes": (
                "A demo record, not an offer by NASA: NASA licenses its technologies through "
                "technology.nasa.gov. Twelve months to test the gear bearings in the lab, without "
                "commercial use or derivatives."
            ),
        },
    ),
    DemoOffer(
        INV_001,
        "demo-inventor",
        Template.OPEN_PLEDGE.value,
        "open pledge",
        {
            "title": "ロイヤルティフリーの開放宣言",
            "notes": (
                "雪室の冷熱でデータセンターを冷やすこの構想は、誰でも無償で使えます。"
                "雪国の自治体や事業者の方が試したときは、結果を教えてもらえるとうれしいです。"
            ),
        },
    ),
]

INQUIRY_MESSAGE = (
    "Demo Precision Works moulds sensor housings for agricultural equipment. We would like to evaluate "
    "the battery-free soil-moisture sensor for a product line for terraced paddies in Niigata, and have "
    "proposed the standard NDA so that we can read the details."
)

@dataclass
class LicensingDemoReport(DemoReport):
    title: ClassVar[str] = "licensing"
    labels: ClassVar[dict[str, tuple[str, str]]] = {
        "offers": ("licence offer", "licence offers"),
        "licences": ("licence accepted in one step", "licences accepted in one step"),
        "payments": ("payment under a licence", "payments under a licence"),
        "inquiries": ("inquiry waiting for its NDA", "inquiries waiting for their NDA"),
    }
    kept: ClassVar[str] = "offers, deals and payments"


def _name(item: DemoOffer) -> str:
    return f"{item.name} on {item.asset.reference}"


def _load_offer(item: DemoOffer, report: LicensingDemoReport) -> LicenceOffer | None:
    """The offer of `item`'s template on its asset: found, made now, or None."""
    actor = demo_person(item.actor)
    asset = demo_asset(item.asset, user=actor) if actor else None
    if asset is None:
        report.skipped.append(f"the {_name(item)}")
        return None
    offer = LicenceOffer.objects.filter(asset=asset, template=item.template).order_by("pk").first()
    if offer is not None:
        report.present["offers"] += 1
        return offer
    data = replace(offer_template(template=item.template, asset=asset), **item.changes)
    try:
        offer = offer_create(actor=actor, asset=asset, data=data)
    except ApplicationError as error:
        report.refused.append(f"the {_name(item)} ({refusal_reasons(error)})")
        return None
    report.created["offers"] += 1
    return offer


def _load_licence(offer: LicenceOffer | None, seeker: User | None, report: LicensingDemoReport) -> Deal | None:
    """demo-company's deal under the express offer: found, accepted now, or None."""
    name = f"{SEEKER}'s licence on {EXPRESS.asset.reference}"
    if offer is None or seeker is None:
        report.skipped.append(name)
        return None
    deal = Deal.objects.filter(offer=offer, seeker=seeker).order_by("pk").first()
    if deal is not None:
        report.present["licences"] += 1
        return deal
    try:
        deal = offer_accept(actor=seeker, offer=offer, organisation=SME)
    except ApplicationError as error:
        report.refused.append(f"{name} ({refusal_reasons(error)})")
        return None
    report.created["licences"] += 1
    return deal


def _load_payment(deal: Deal | None, report: LicensingDemoReport) -> None:
    """The upfront fee under demo-company's licence, recorded by the asset's owner."""
    name = f"the payment under the licence on {EXPRESS.asset.reference}"
    payer = demo_person(EXPRESS.actor)
    if deal is None or payer is None:
        report.skipped.append(name)
        return
    if RevenueEvent.objects.filter(asset_id=deal.asset_id, idempotency_key=PAYMENT_KEY).exists():
        report.present["payments"] += 1
        return
    try:
        _event, created = deal_payment_record(
            actor=payer,
            deal=deal,
            amount=PAYMENT_AMOUNT,
            currency=PAYMENT_CURRENCY,
            date=PAYMENT_DATE,
            idempotency_key=PAYMENT_KEY,
            note="Upfront fee on accepting the licence (demo).",
        )
    except ApplicationError as error:
        report.refused.append(f"{name} ({refusal_reasons(error)})")
        return
    if created:
        report.created["payments"] += 1
    else:  # recorded meanwhile under the same key
        report.present["payments"] += 1


def _load_inquiry(seeker: User | None, report: LicensingDemoReport) -> None:
    """demo-company's inquiry about DEMO-TLO-002 with the NDA it proposed, all or nothing."""
    name = f"{SEEKER}'s inquiry about {TLO_002.reference}"
    asset = demo_asset(TLO_002, user=seeker) if seeker else None
    if asset is None:
        report.skipped.append(name)
        return
    if Deal.objects.filter(asset=asset, seeker=seeker).exists():
        report.present["inquiries"] += 1
        return
    try:
        with transaction.atomic():
            deal = inquiry_create(actor=seeker, asset=asset, message=INQUIRY_MESSAGE, organisation=SME)
            nda_propose(actor=seeker, deal=deal)
    except ApplicationError as error:
        report.refused.append(f"{name} ({refusal_reasons(error)})")
        return
    report.created["inquiries"] += 1


def demo_licensing_load() -> LicensingDemoReport:
    """Write the demo's offers, deals and payment on top of the registry and lineage demos
    (run demo_load and demo_lineage_load first). Safe to run again: a second run writes nothing."""
    started = time.monotonic()
    report = LicensingDemoReport()
    offers = {item.asset: _load_offer(item, report) for item in OFFERS}
    seeker = demo_person(SEEKER)
    deal = _load_licence(offers[EXPRESS.asset], seeker, report)
    _load_payment(deal, report)
    _load_inquiry(seeker, report)
    report.seconds = time.monotonic() - started
    return report
