"""demo_lineage_load: the demo's creative lineage, written through the lineage services.

Runs after registry's demo_load (registry sits below lineage, so its demo
cannot call these services) and builds on what that loaded:

    TERMS        royalties asked of derivatives by three hand-written demo assets;
                 DEMO-SME-001 also asks for approval
    LINKS        DEMO-INV-003 (gear bearings for micro-hydro) declared to build on
                 NASA's "Gear Bearings" (GSC-TOPS-12)
    DERIVATIVES  three new demo assets, by three demo accounts:
                   DEMO-SME-002  improves DEMO-TLO-001 (generation 2)
                   DEMO-INV-004  combines DEMO-SME-002 and DEMO-INV-003 (generation 3),
                                 with three contributors
                   DEMO-TLO-004  combines DEMO-TLO-001 and DEMO-SME-001: its link to
                                 DEMO-SME-001 waits for demo-company's approval

Assets are found by owner and `reference`, as the registry demo finds them.
Idempotent: terms are set only where none are stored, a link only where it is
missing, a derivative only where no asset of its owner has its reference (it is
registered with its terms and contributors in one transaction). So a second run
writes nothing, and nothing a visitor changed since is put back. What cannot be
built because an asset it needs is missing (a --limit that left out the NASA
record, a refused or suspended demo account) is skipped and named in the report.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from django.db import transaction
from django.db.models import Q

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.models import User
from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.lineage.models import Derivation, LineageTerms, Role
from conceptcloud.lineage.selectors import lineage_graph_for_user, terms_for_asset
from conceptcloud.lineage.services import (
    ContributionData,
    asset_build_on,
    contributions_propose,
    derivation_add,
    terms_set,
)
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import assets_visible_to
from conceptcloud.registry.services import AssetData

TLO = "demo-university-tlo"
SME = "demo-precision-works"


@dataclass(frozen=True)
class Ref:
    """An asset of the demo: its reference and its owner (an organisation's slug, or a person)."""

    reference: str
    org: str = ""
    person: str = ""


@dataclass(frozen=True)
class DemoTerms:
    asset: Ref
    actor: str  # a manager of the asset
    royalty_bp: int
    need_approval: bool = False
    share_changes_need: str = LineageTerms.Agreement.OWNER.value


@dataclass(frozen=True)
class DemoLink:
    child: Ref
    actor: str  # a manager of the child
    parent: Ref


@dataclass(frozen=True)
class DemoDerivative:
    actor: str
    parents: list[Ref]
    data: AssetData
    terms: DemoTerms | None = None
    contributions: list[ContributionData] = field(default_factory=list)


TLO_001 = Ref("DEMO-TLO-001", org=TLO)
SME_001 = Ref("DEMO-SME-001", org=SME)
SME_002 = Ref("DEMO-SME-002", org=SME)
INV_003 = Ref("DEMO-INV-003", person="demo-inventor")
INV_004 = Ref("DEMO-INV-004", person="demo-inventor")
TLO_004 = Ref("DEMO-TLO-004", org=TLO)
NASA_GEAR_BEARINGS = Ref("GSC-TOPS-12", org="nasa-goddard")

TERMS: list[DemoTerms] = [
    DemoTerms(TLO_001, "demo-tlo", royalty_bp=500),
    DemoTerms(SME_001, "demo-company", royalty_bp=1000, need_approval=True),
    DemoTerms(INV_003, "demo-inventor", royalty_bp=500),
]

LINKS: list[DemoLink] = [DemoLink(INV_003, "demo-inventor", NASA_GEAR_BEARINGS)]

DERIVATIVES: list[DemoDerivative] = [
    DemoDerivative(
        "demo-company",
        [TLO_001],
        AssetData(
            kind="technology",
            language="ja",
            owner_org=SME,
            reference=SME_002.reference,
            title="竹 CNF を配合した精密部品向けの射出成形用樹脂",
            summary=(
                "デモ大学 TLO の竹由来セルロースナノファイバー（DEMO-TLO-001）を表面処理してポリアミド樹脂に"
                "配合し、精密部品の射出成形に使える材料にしました。CNF を含まない樹脂より反りの小さい、"
                "軽くて硬い小型ギアやハウジングを狙っています。"
            ),
            details=(
                "【改良点】CNF の水分散液を樹脂と混ぜる前に表面処理し、混練の途中で凝集しないようにしました。"
                "元の製造法は実験室規模の CNF の作り方で、成形材料にする工程はありませんでした。\n"
                "【試作】小型ギアとセンサー用ハウジングを試作し、寸法精度と反りを測っている段階です。\n"
                "【提供条件】材料のサンプル提供と、用途ごとの共同開発。"
            ),
            trl=5,
            sdgs=[9, 12],
            keywords=["セルロースナノファイバー", "射出成形", "複合樹脂", "精密部品"],
            countries_developed=["JP"],
            availability=["sale", "collaboration"],
        ),
        terms=DemoTerms(SME_002, "demo-company", royalty_bp=500),
    ),
    DemoDerivative(
        "demo-inventor",
        [SME_002, INV_003],
        AssetData(
            kind="idea",
            language="en",
            reference=INV_004.reference,
            title="Lightweight micro-hydro runner: bamboo-CNF resin blades on a gear-bearing drive",
            summary=(
                "Combines two demo assets: the runner (the turbine wheel) is moulded from Demo Precision Works' "
                "bamboo-CNF resin (DEMO-SME-002) and turns on the gear-bearing drive of DEMO-INV-003. A lighter "
                "runner should start at lower flows, and the resin does not rust in stream water."
            ),
            details=(
                "Plan: a 30 cm cross-flow runner for a 2 kW test rig, moulded in six segments that clip onto a "
                "hub on the gear-bearing drive, so a damaged segment is replaced on site. Nothing is measured "
                "yet; the first step is to compare start-up flow and wear with a steel runner over one season.\n"
                "Contributors: the inventor combined the two and designs the runner (60%); Demo Precision Works "
                "moulds the prototype segments (30%); Demo University TLO reviewed the prior art and the terms "
                "of both assets built on (10%)."
            ),
            sdgs=[7, 9],
            keywords=["micro-hydro", "cellulose nanofibre", "gear bearing", "rural electrification"],
            countries_developed=["JP"],
            availability=["collaboration"],
        ),
        contributions=[
            ContributionData("demo-inventor", Role.COMBINER.value, 6000),
            ContributionData("demo-company", Role.IMPLEMENTER.value, 3000),
            ContributionData("demo-tlo", Role.REVIEWER.value, 1000),
        ],
    ),
    DemoDerivative(
        "demo-tlo",
        [TLO_001, SME_001],
        AssetData(
            kind="idea",
            language="ja",
            owner_org=TLO,
            reference=TLO_004.reference,
            title="微細穴ノズルによる竹 CNF フィラメントの湿式紡糸",
            summary=(
                "竹由来 CNF（DEMO-TLO-001）の分散液を、直径 0.1 mm 以下の穴を並べたノズルから凝固浴に押し出し、"
                "CNF だけでできた細い糸にする構想です。ノズルの穴はデモ精密工業のレーザーと放電を組み合わせた"
                "微細穴加工（DEMO-SME-001）で開けることを想定しています。"
            ),
            details=(
                "【狙い】複合材料の補強繊維や、生分解性の縫合糸の原料。\n"
                "【現状】研究室で単孔ノズルからの紡糸を試した段階です。穴をそろえた多孔ノズルが手に入らず、"
                "糸の太さがばらつきます。\n"
                "【次の一歩】デモ精密工業と多孔ノズルを試作する共同研究を提案します。"
            ),
            sdgs=[9, 12],
            keywords=["セルロースナノファイバー", "湿式紡糸", "微細穴加工", "共同研究"],
            countries_developed=["JP"],
            availability=["collaboration"],
        ),
    ),
]

@dataclass
class DemoReport:
    """What one run of a demo loader created, found already there, skipped and had
    refused; the loaders above the registry's (lineage, evaluation, licensing) each
    name what they write in a subclass: `title`, `labels` (count key → singular and
    plural), `kept` (what "already there" counts) and `wanting` (what a skipped
    item lacked)."""

    created: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0

    title: ClassVar[str] = ""
    labels: ClassVar[dict[str, tuple[str, str]]] = {}
    kept: ClassVar[str] = ""
    wanting: ClassVar[str] = "what they build on"

    def notes(self) -> str:
        """Sentences a loader adds after what it created."""
        return ""

    def summary(self) -> str:
        """One line for the command line."""
        made = [f"{self.created[key]} {self.labels[key][self.created[key] != 1]}" for key in self.labels if self.created[key]]
        made_text = ", ".join(made[:-1]) + f" and {made[-1]}" if len(made) > 1 else (made[0] if made else "nothing new")
        text = f"Demo {self.title} loaded in {self.seconds:.1f} s: created {made_text}." + self.notes()
        present = sum(self.present.values())
        if present:
            text += f" {present} of its {self.kept} were already there and were left as they are."
        if self.skipped:
            text += f" Skipped for want of {self.wanting}: {'; '.join(self.skipped)}."
        if self.refused:
            text += f" Refused: {'; '.join(self.refused)}."
        return text


@dataclass
class LineageDemoReport(DemoReport):
    pending: int = 0  # links created waiting for approval

    title: ClassVar[str] = "lineage"
    labels: ClassVar[dict[str, tuple[str, str]]] = {
        "terms": ("asset with lineage terms", "assets with lineage terms"),
        "links": ("declared link", "declared links"),
        "derivatives": ("asset built on others", "assets built on others"),
        "contributions": ("asset with several contributors", "assets with several contributors"),
    }
    kept: ClassVar[str] = "terms, links and assets"
    wanting: ClassVar[str] = "the assets they build on"

    def notes(self) -> str:
        if not self.pending:
            return ""
        return f" {self.pending} link{'s' if self.pending != 1 else ''} wait{'' if self.pending != 1 else 's'} for approval."


def refusal_reasons(error: ApplicationError) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items()) or error.message


def demo_person(username: str) -> User | None:
    try:
        return account_selectors.person_get(username=username)
    except NotFound:  # absent or suspended: it cannot act
        return None


def demo_asset(ref: Ref, *, user: User) -> Asset | None:
    """The demo asset `ref` as far as `user` may see it, or None."""
    owner = Q(owner_org__slug=ref.org) if ref.org else Q(owner_org__isnull=True, owner_user__username=ref.person)
    return assets_visible_to(user=user).filter(owner, reference=ref.reference).order_by("pk").first()


def _set_terms(item: DemoTerms, *, asset: Asset, actor: User) -> None:
    terms_set(
        actor=actor,
        asset=asset,
        derivative_royalty_bp=item.royalty_bp,
        derivatives_need_approval=item.need_approval,
        share_changes_need=item.share_changes_need,
    )


def _load_terms(report: LineageDemoReport) -> None:
    for item in TERMS:
        actor = demo_person(item.actor)
        asset = demo_asset(item.asset, user=actor) if actor else None
        if asset is None:
            report.skipped.append(f"terms of {item.asset.reference}")
        elif terms_for_asset(asset=asset).pk is not None:
            report.present["terms"] += 1
        else:
            try:
                _set_terms(item, asset=asset, actor=actor)
                report.created["terms"] += 1
            except ApplicationError as error:
                report.refused.append(f"terms of {item.asset.reference} ({refusal_reasons(error)})")


def _load_links(report: LineageDemoReport) -> None:
    for item in LINKS:
        actor = demo_person(item.actor)
        child = demo_asset(item.child, user=actor) if actor else None
        parent = demo_asset(item.parent, user=actor) if actor else None
        name = f"{item.child.reference} → {item.parent.reference}"
        if child is None or parent is None:
            report.skipped.append(name)
            continue
        graph = lineage_graph_for_user(asset_id=child.pk, user=actor)
        if any(edge.parent_id == parent.pk and edge.child_id == child.pk for edge in graph.edges):
            report.present["links"] += 1
            continue
        try:
            link = derivation_add(actor=actor, child=child, parent_id=parent.pk)
        except ApplicationError as error:
            report.refused.append(f"{name} ({refusal_reasons(error)})")
            continue
        report.created["links"] += 1
        report.pending += link.status == Derivation.Status.PENDING


def _build(item: DemoDerivative, *, actor: User, parents: list[Asset]) -> Asset:
    """The derivative with its terms and contributors: all of it or nothing."""
    with transaction.atomic():
        asset = asset_build_on(actor=actor, parent_ids=[p.pk for p in parents], data=item.data)
        if item.terms is not None:
            _set_terms(item.terms, asset=asset, actor=actor)
        if item.contributions:
            contributions_propose(actor=actor, asset=asset, contributions=item.contributions)
    return asset


def _load_derivatives(report: LineageDemoReport) -> None:
    for item in DERIVATIVES:
        reference = item.data.reference
        actor = demo_person(item.actor)
        if actor is None:
            report.skipped.append(f"{reference} (the account {item.actor} cannot act)")
            continue
        own = Ref(reference, org=item.data.owner_org, person="" if item.data.owner_org else item.actor)
        if demo_asset(own, user=actor) is not None:
            report.present["derivatives"] += 1
            continue
        parents = [(ref, demo_asset(ref, user=actor)) for ref in item.parents]
        missing = [ref.reference for ref, asset in parents if asset is None]
        if missing:
            report.skipped.append(f"{reference} (missing {', '.join(missing)})")
            continue
        try:
            asset = _build(item, actor=actor, parents=[asset for _, asset in parents])
        except ApplicationError as error:
            report.refused.append(f"{reference} ({refusal_reasons(error)})")
            continue
        report.created["derivatives"] += 1
        report.created["contributions"] += len(item.contributions) > 1
        edges = lineage_graph_for_user(asset_id=asset.pk, user=actor).edges
        report.pending += sum(e.child_id == asset.pk and e.status == Derivation.Status.PENDING for e in edges)


def demo_lineage_load() -> LineageDemoReport:
    """Write the demo's lineage on top of the registry demo (run demo_load first).
    Safe to run again: a second run writes nothing."""
    started = time.monotonic()
    report = LineageDemoReport()
    # Terms first: a link asks the royalty its parent's terms ask when it is made.
    _load_terms(report)
    _load_links(report)
    _load_derivatives(report)
    report.seconds = time.monotonic() - started
    return report
