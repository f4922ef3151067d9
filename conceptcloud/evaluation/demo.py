"""demo_evaluation_load: the demo's praise, reviews and a reply, written through the
evaluation services, then the reputation computed once.

Runs after registry's demo_load and lineage's demo_lineage_load (evaluation sits
above both) and builds on what they loaded:

    PRAISE   demo-company and demo-tlo praise the lesson DEMO-INV-002 (why seaweed
             straws failed in mass production); demo-company praises DEMO-INV-004
    REVIEWS  demo-company reviews DEMO-INV-002 on the six indices: a failed venture
             that scores high on challenge, analysis of cause and versatility of the
             lesson; demo-tlo reviews DEMO-INV-004
    REPLY    demo-inventor answers demo-company's review of the lesson

Idempotent: praise is given only where that person has not praised the asset, a
review written only where that person has none on it, the reply only where the
review has none; so a second run writes nothing, and nothing a visitor changed
since is put back. What cannot be made because an asset or account it needs is
missing (a --limit that left it out) is skipped and named in the report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from conceptcloud.core.errors import ApplicationError
from conceptcloud.evaluation.models import Praise, Review, ReviewReply
from conceptcloud.evaluation.services import ReviewData, praise_give, reputation_recompute, review_reply, review_write
from conceptcloud.lineage.demo import INV_004, DemoReport, Ref, demo_asset, demo_person, refusal_reasons

INV_002 = Ref("DEMO-INV-002", person="demo-inventor")

PRAISE: list[tuple[str, Ref]] = [
    ("demo-company", INV_002),
    ("demo-tlo", INV_002),
    ("demo-company", INV_004),
]


@dataclass(frozen=True)
class DemoReview:
    reviewer: str
    asset: Ref
    data: ReviewData
    reply_by: str = ""
    reply: str = ""


REVIEWS: list[DemoReview] = [
    DemoReview(
        "demo-company",
        INV_002,
        ReviewData(
            challenge=5, novelty=3, inventive_step=3, cause_analysis=5, quality=4, versatility=5,
            text=(
                "量産化の失敗を、乾燥炉の湿度と原料の季節変動という二つの原因まで掘り下げています。"
                "生分解性素材を量産に移す会社ならどこでも使える教訓で、当社の成形ラインの立ち上げ計画も見直しました。"
            ),
        ),
        reply_by="demo-inventor",
        reply="ありがとうございます。次の試作では湿度を記録し、収穫時期ごとの原料ロットを分けて管理しています。",
    ),
    DemoReview(
        "demo-tlo",
        INV_004,
        ReviewData(
            challenge=4, novelty=4, inventive_step=4, cause_analysis=3, quality=4, versatility=4,
            text=(
                "Small-scale hydro is a crowded field, but the runner design is simple to make and the "
                "measurements are well documented. A licence to regional manufacturers looks realistic."
            ),
        ),
    ),
]

@dataclass
class EvaluationDemoReport(DemoReport):
    title: ClassVar[str] = "evaluation"
    labels: ClassVar[dict[str, tuple[str, str]]] = {
        "praise": ("praise", "praises"),
        "reviews": ("review", "reviews"),
        "replies": ("reply", "replies"),
    }
    kept: ClassVar[str] = "praises, reviews and replies"


def _load_praise(username: str, ref: Ref, report: EvaluationDemoReport) -> None:
    person = demo_person(username)
    asset = demo_asset(ref, user=person) if person else None
    if asset is None:
        report.skipped.append(f"{username}'s praise of {ref.reference}")
        return
    if Praise.objects.filter(asset=asset, user=person).exists():
        report.present["praise"] += 1
        return
    try:
        praise_give(actor=person, asset_id=asset.pk)
    except ApplicationError as error:
        report.refused.append(f"{username}'s praise of {ref.reference} ({refusal_reasons(error)})")
        return
    report.created["praise"] += 1


def _load_review(item: DemoReview, report: EvaluationDemoReport) -> None:
    person = demo_person(item.reviewer)
    asset = demo_asset(item.asset, user=person) if person else None
    if asset is None:
        report.skipped.append(f"{item.reviewer}'s review of {item.asset.reference}")
        return
    review = Review.objects.filter(asset=asset, reviewer=person).first()
    if review is not None:
        report.present["reviews"] += 1
    else:
        try:
            review = review_write(actor=person, asset_id=asset.pk, data=item.data)
        except ApplicationError as error:
            report.refused.append(f"{item.reviewer}'s review of {item.asset.reference} ({refusal_reasons(error)})")
            return
        report.created["reviews"] += 1
    if not item.reply:
        return
    owner = demo_person(item.reply_by)
    if owner is None:
        report.skipped.append(f"the reply to {item.reviewer}'s review")
        return
    if ReviewReply.objects.filter(review=review).exists():
        report.present["replies"] += 1
        return
    try:
        review_reply(actor=owner, asset_id=asset.pk, username=person.username, text=item.reply)
    except ApplicationError as error:
        report.refused.append(f"the reply to {item.reviewer}'s review ({refusal_reasons(error)})")
        return
    report.created["replies"] += 1


def demo_evaluation_load() -> EvaluationDemoReport:
    started = time.perf_counter()
    report = EvaluationDemoReport()
    for username, ref in PRAISE:
        _load_praise(username, ref, report)
    for item in REVIEWS:
        _load_review(item, report)
    if report.created:
        reputation_recompute()
    report.seconds = time.perf_counter() - started
    return report
