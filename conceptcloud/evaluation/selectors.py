"""Every read of praise, reviews, challenge records and reputation.

    praise_subject_visible(key, user)      history rules for "praise:<asset>:<username>"
    review_subject_visible(key, user)      and "review:<asset>:<username>" entries
    praise_summary(view=, user=)           PraiseSummary: count, whether the viewer praised,
                                           the people who show their praise, how many do not
    reviews_for_view(view=)                an asset's reviews with their replies (FULL viewers)
    review_get_for_user(asset_id=, username=, user=)   one review, 404 where not visible
    review_versions(review=)               its versions, oldest first
    index_averages(asset_ids=)             per asset: the mean of each index and the count
    challenges_for_person(person=, user=)  the person's challenge record (ChallengeRow)
    person_score(person=)                  a person's score alone, for directory cards
    person_reputation_for_user(person=, user=)  ReputationView of a person, explained
    asset_reputation_for_view(view=, user=)     ReputationView of an asset, explained
    reputation_inputs()                    everything the reputation core reads, in bulk
    assets_by_praise / assets_by_reputation / assets_standing_at_least
    people_by_reputation / people_standing_at_least
                                           orders and filters of asset and people lists

Visibility. Praise and reviews exist only on assets the viewer may see
(`registry.selectors.asset_get_for_user`). Review texts (which a reviewer with
access may write about the details) reach only viewers with FULL access; the
praise count and the index averages, numbers only, reach everyone who sees the
asset. A person who chose not to show their praise (User.show_praise) is counted
but never named, in the list and in the history, except to themself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.models import User
from conceptcloud.core.errors import NotFound
from conceptcloud.evaluation import reputation as core
from conceptcloud.evaluation.models import (
    INDICES,
    AssetReputation,
    Index,
    PersonReputation,
    Praise,
    Review,
    ReviewVersion,
)
from conceptcloud.lineage import selectors as lineage_selectors
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, AssetView, asset_access, asset_get_for_user, assets_visible_to

PRAISERS_SHOWN = 50  # names listed on an asset's page; the count is always whole
# Reputation standing filters: key → lowest percentile.
STANDING = {"top10": 90, "top25": 75, "top50": 50}
# What lists offer to filter assets by ("praised" for assets only) and to sort by.
STANDING_LABELS = {
    "praised": gettext_lazy("Praised at least once"),
    "top10": gettext_lazy("Top 10% by reputation"),
    "top25": gettext_lazy("Top 25% by reputation"),
    "top50": gettext_lazy("Top half by reputation"),
}
ORDER_LABELS = {"praise": gettext_lazy("Most praised"), "reputation": gettext_lazy("Reputation")}


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _asset_visible(asset_id: str, user) -> Access:
    if not asset_id.isdigit():
        return Access.NONE
    try:
        return asset_get_for_user(asset_id=int(asset_id), user=user).access
    except NotFound:
        return Access.NONE


def praise_subject_visible(key: str, user) -> bool:
    """An entry about one person's praise of one asset: seen by those who see the
    asset, and name the praiser only where they show their praise."""
    asset_id, _colon, username = key.partition(":")
    if _asset_visible(asset_id, user) == Access.NONE:
        return False
    if _is_active(user) and user.username == username:
        return True
    return User.objects.filter(username=username, is_active=True, show_praise=True).exists()


def review_subject_visible(key: str, user) -> bool:
    """An entry about a review: seen by those who may read the asset's details."""
    asset_id, _colon, _username = key.partition(":")
    return _asset_visible(asset_id, user) >= Access.FULL


# Praise ------------------------------------------------------------------------


@dataclass(frozen=True)
class PraiseSummary:
    count: int
    mine: bool
    shown: list[User]  # people who show their praise (and the viewer), newest first
    unnamed: int  # praise from people who do not show it


def praise_summary(*, view: AssetView, user) -> PraiseSummary:
    praises = Praise.objects.filter(asset=view.asset)
    count = praises.count()
    me = user.pk if _is_active(user) else None
    named = Q(user__show_praise=True, user__is_active=True) | Q(user_id=me)
    shown = [p.user for p in praises.filter(named).select_related("user")[:PRAISERS_SHOWN]]
    named_count = praises.filter(named).count()
    return PraiseSummary(
        count=count,
        mine=me is not None and praises.filter(user_id=me).exists(),
        shown=shown,
        unnamed=count - named_count,
    )


def praise_counts(*, asset_ids: Iterable[int]) -> dict[int, int]:
    rows = Praise.objects.filter(asset_id__in=list(asset_ids)).values("asset_id").annotate(n=Count("pk"))
    return {row["asset_id"]: row["n"] for row in rows}


# Reviews -----------------------------------------------------------------------


def reviews_for_view(*, view: AssetView) -> QuerySet[Review]:
    """The asset's reviews, newest first, with reviewer and reply; none for viewers
    without FULL access (a review may speak of the details)."""
    if view.access < Access.FULL:
        return Review.objects.none()
    return (
        Review.objects.filter(asset=view.asset)
        .select_related("reviewer", "reply", "reply__author")
        .order_by("-updated_at", "-id")
    )


def review_get_for_user(*, asset_id: int, username: str, user) -> Review:
    view = asset_get_for_user(asset_id=asset_id, user=user)
    review = reviews_for_view(view=view).filter(reviewer__username=username).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def review_versions(*, review: Review) -> QuerySet[ReviewVersion]:
    return review.versions.order_by("number")


@dataclass(frozen=True)
class IndexAverages:
    count: int
    means: dict[str, float]  # index → mean score, 1..5

    @property
    def rows(self) -> list[tuple[str, str, float]]:
        """(index, its label, mean) in the plan's order, for the pages."""
        return [(name, Index(name).label, mean) for name, mean in self.means.items()]

    @property
    def overall(self) -> float:
        return sum(self.means.values()) / len(self.means) if self.means else 0.0


def index_averages(*, asset_ids: Iterable[int]) -> dict[int, IndexAverages]:
    """Per asset with at least one review: the mean of each index (numbers only, so
    they reach everyone who sees the asset) and the number of reviews."""
    aggregates = {name: Avg(name) for name in INDICES}
    rows = (
        Review.objects.filter(asset_id__in=list(asset_ids))
        .values("asset_id")
        .annotate(n=Count("pk"), **aggregates)
    )
    return {
        row["asset_id"]: IndexAverages(count=row["n"], means={name: float(row[name]) for name in INDICES})
        for row in rows
    }


# Challenge records -----------------------------------------------------------------


@dataclass(frozen=True)
class ChallengeRow:
    asset: Asset
    access: Access
    role: str  # "lesson", or the contributor's role, or "owner"
    averages: IndexAverages | None
    praise: int


def challenges_for_person(*, person: User, user) -> list[ChallengeRow]:
    """A person's challenge record, as `user` may see it: the assets of kind lesson
    they registered or contributed to, then the other assets they contributed to,
    each with its index averages and praise; newest first."""
    contributed = dict(
        lineage_selectors.contribution_roles(user_id=person.pk)
    )  # asset id → role
    visible = assets_visible_to(user=user).filter(status=Asset.Status.PUBLISHED).defer("details")
    mine = Q(pk__in=list(contributed)) | Q(created_by=person) | Q(owner_user=person)
    assets = list(visible.filter(mine).order_by("-created_at", "-id")[:200])
    ids = [asset.pk for asset in assets]
    averages = index_averages(asset_ids=ids)
    praise = praise_counts(asset_ids=ids)
    rows = [
        ChallengeRow(
            asset=asset,
            access=asset_access(asset=asset, user=user),
            role=contributed.get(asset.pk, "owner"),
            averages=averages.get(asset.pk),
            praise=praise.get(asset.pk, 0),
        )
        for asset in assets
    ]
    rows.sort(key=lambda row: row.asset.kind != Asset.Kind.LESSON)  # stable: lessons first, each newest first
    return rows


# Reputation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    kind: str  # seed, endorse, author, credit, built_on
    share: float  # part of the score, 0..1
    count: int = 1
    asset: Asset | None = None  # the source asset, when the viewer may see it
    person: User | None = None  # the source person, when in the directory
    hidden: bool = False  # the source is an asset the viewer may not see


@dataclass(frozen=True)
class ReputationView:
    score: float  # 1.0 is the average
    percentile: int
    reasons: list[Reason] = field(default_factory=list)
    praise_weight: float | None = None
    discounted: dict[str, int] = field(default_factory=dict)


def _reasons(explanation: list[dict[str, Any]], user) -> list[Reason]:
    asset_ids = [item["source"][1] for item in explanation if item.get("source") and item["source"][0] == "asset"]
    person_ids = [item["source"][1] for item in explanation if item.get("source") and item["source"][0] == "person"]
    assets = {a.pk: a for a in Asset.objects.filter(pk__in=asset_ids).select_related("owner_org", "owner_user")}
    people = {p.pk: p for p in User.objects.filter(pk__in=person_ids, is_active=True)}
    reasons = []
    for item in explanation:
        source = item.get("source")
        asset = person = None
        hidden = False
        if source and source[0] == "asset":
            candidate = assets.get(source[1])
            if candidate is not None and asset_access(asset=candidate, user=user) != Access.NONE:
                asset = candidate
            else:
                hidden = True
        elif source and source[0] == "person":
            person = people.get(source[1])
        reasons.append(
            Reason(kind=item["kind"], share=item["share"], count=item.get("count", 1),
                   asset=asset, person=person, hidden=hidden)
        )
    return reasons


def person_score(*, person: User) -> float | None:
    """A person's reputation score alone (None before the first computation): public,
    as the profile shows it."""
    return PersonReputation.objects.filter(user=person).values_list("score", flat=True).first()


def person_reputation_for_user(*, person: User, user) -> ReputationView | None:
    """A person's reputation as `user` may read it (None before the first computation)."""
    row = PersonReputation.objects.filter(user=person).first()
    if row is None:
        return None
    return ReputationView(score=row.score, percentile=row.percentile, reasons=_reasons(row.explanation, user))


def asset_reputation_for_view(*, view: AssetView, user) -> ReputationView | None:
    row = AssetReputation.objects.filter(asset=view.asset).first()
    if row is None:
        return None
    return ReputationView(
        score=row.score,
        percentile=row.percentile,
        reasons=_reasons(row.explanation, user),
        praise_weight=row.praise_weight,
        discounted=row.discounted,
    )


def reputation_inputs() -> tuple[list[core.Person], list[core.Asset], list[core.Praise]]:
    """The whole graph the reputation core reads, in a few bulk queries: every
    person, every published asset with its contributors (the registrant as implicit
    originator where none are stored) and approved links, every praise and review.
    Not per viewer: the scores are of the whole platform."""
    published = Asset.objects.filter(status=Asset.Status.PUBLISHED)
    organisations: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in account_selectors.membership_pairs():
        organisations[user_id].add(org_id)
    people = [
        core.Person(id=pk, joined=joined.timestamp(), active=active, organisations=frozenset(organisations.get(pk, ())))
        for pk, joined, active in User.objects.order_by("pk").values_list("pk", "date_joined", "is_active")
    ]
    contributors: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for asset_id, user_id, share_bp in lineage_selectors.contribution_shares(assets=published):
        contributors[asset_id].append((user_id, share_bp))
    parents: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for child_id, parent_id, royalty_bp in lineage_selectors.approved_links(assets=published):
        parents[child_id].append((parent_id, royalty_bp))
    assets = [
        core.Asset(
            id=pk,
            owner_person=owner_user,
            owner_organisation=owner_org,
            contributors=tuple(contributors.get(pk) or [(created_by, 10_000)]),
            parents=tuple(parents.get(pk, ())),
        )
        for pk, owner_user, owner_org, created_by in published.order_by("pk").values_list(
            "pk", "owner_user_id", "owner_org_id", "created_by_id"
        )
    ]
    # Praise and reviews of published assets by people who are not suspended (a
    # suspended spammer's endorsements stop counting with the suspension).
    on_published = Q(asset__status=Asset.Status.PUBLISHED)
    praises = [
        core.Praise(person=user_id, asset=asset_id, at=at.timestamp())
        for user_id, asset_id, at in Praise.objects.filter(on_published, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", "asset_id", "created_at")
    ]
    # A review endorses by its mean score: all 1s endorse nothing, all 5s as much as a praise.
    total = sum((F(name) for name in INDICES[1:]), F(INDICES[0]))
    for user_id, asset_id, at, score_sum in (
        Review.objects.filter(on_published, reviewer__is_active=True).order_by("pk").annotate(total=total)
        .values_list("reviewer_id", "asset_id", "created_at", "total")
    ):
        mean = score_sum / len(INDICES)
        praises.append(core.Praise(person=user_id, asset=asset_id, at=at.timestamp(), strength=(mean - 1) / 4))
    return people, assets, praises


# Orders and filters of lists -------------------------------------------------------


def assets_by_praise(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(praise_count=Count("praises", distinct=True)).order_by("-praise_count", "-created_at", "-id")


def assets_by_reputation(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("reputation__score").desc(nulls_last=True), "-created_at", "-id")


def assets_standing_at_least(queryset: QuerySet, value: str) -> QuerySet:
    """`value`: "praised" (at least one praise) or a STANDING key (reputation percentile)."""
    if value == "praised":
        return queryset.filter(pk__in=Praise.objects.values("asset_id"))
    if value in STANDING:
        return queryset.filter(reputation__percentile__gte=STANDING[value])
    return queryset


def people_by_reputation(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("reputation__score").desc(nulls_last=True), "username")


def people_standing_at_least(queryset: QuerySet, value: str) -> QuerySet:
    if value in STANDING:
        return queryset.filter(reputation__percentile__gte=STANDING[value])
    return queryset
