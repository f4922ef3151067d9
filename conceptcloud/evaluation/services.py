"""Every write to praise, reviews and reputation.

    praise_give(actor=, asset_id=)              praise an asset, once per person
    praise_withdraw(actor=, asset_id=)          undo one's praise
    review_write(actor=, asset_id=, data=)      write one's review, or a new version of it
    review_reply(actor=, asset_id=, username=, text=)
                                                the asset's managers answer a review
                                                (replacing their earlier reply)
    reputation_recompute(now=)                  all reputation scores, from the whole graph

Who may do what. Praise needs a published asset the person may see (its teaser
is enough: praise says "this matters", not "I checked the details"); a review
needs the details (FULL access), since its indices judge them. Owners may praise
and review their own assets; the reputation rules give that no weight, and a
review by a member of the owning organisation is marked as such. Replies are
for the asset's managers.

Every call validates before it writes and runs in one transaction with its
history entry; praise and reviews then ask for the reputation to be computed
again (the task evaluation.reputation_recompute, after the commit).

    entry type          subject                         payload
    praise.given        praise:<asset id>:<username>    asset
    praise.withdrawn    praise:<asset id>:<username>    asset
    review.written      review:<asset id>:<username>    asset, version, the six scores,
    review.edited                                       own_organisation, text
    review.replied      review:<asset id>:<username>    asset, text

A review of an asset that is not public carries its text (and a reply's) only
as a salted commitment: the history is public, and a reviewer with access may
write about the details.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.services import notification_send
from conceptcloud.core.db import rows_insert
from conceptcloud.core.errors import Conflict, NotFound, PermissionDenied, collect_errors
from conceptcloud.core.tasks import task_enqueue
from conceptcloud.evaluation import reputation as core
from conceptcloud.evaluation.models import (
    INDICES,
    SCORE_MAX,
    SCORE_MIN,
    AssetReputation,
    PersonReputation,
    Praise,
    Review,
    ReviewReply,
    ReviewVersion,
    ReputationRun,
)
from conceptcloud.evaluation.selectors import reputation_inputs
from conceptcloud.history.services import entry_append
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, AssetView, asset_get_for_user, asset_managers

MAX_TEXT = 5000
RECOMPUTE_TASK = "evaluation.reputation_recompute"


@dataclass(frozen=True)
class ReviewData:
    challenge: int | None
    novelty: int | None
    inventive_step: int | None
    cause_analysis: int | None
    quality: int | None
    versatility: int | None
    text: str

    @property
    def scores(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in INDICES}


def _active(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to do this."))


def _published_view(actor, asset_id: int) -> AssetView:
    view = asset_get_for_user(asset_id=asset_id, user=actor)
    if view.asset.status != Asset.Status.PUBLISHED:
        raise Conflict(_("Only published assets can be praised or reviewed."))
    return view


def _praise_subject(asset_id: int, username: str) -> str:
    return f"praise:{asset_id}:{username}"


def _review_subject(asset_id: int, username: str) -> str:
    return f"review:{asset_id}:{username}"


def _recompute_later() -> None:
    task_enqueue(RECOMPUTE_TASK, requested_at=timezone.now().isoformat())


# Praise --------------------------------------------------------------------------


def praise_give(*, actor, asset_id: int) -> Praise:
    """Praise an asset the actor may see. Conflict when they already have."""
    _active(actor)
    view = _published_view(actor, asset_id)
    with transaction.atomic():
        if Praise.objects.filter(asset=view.asset, user=actor).exists():
            raise Conflict(_("You have already praised this asset."))
        praise = Praise.objects.create(asset=view.asset, user=actor)
        entry_append(
            actor=actor,
            type="praise.given",
            subject=_praise_subject(view.asset.pk, actor.username),
            payload={"asset": view.asset.pk},
        )
        _recompute_later()
    return praise


def praise_withdraw(*, actor, asset_id: int) -> None:
    """Undo the actor's praise of an asset. NotFound when there is none."""
    _active(actor)
    view = asset_get_for_user(asset_id=asset_id, user=actor)
    with transaction.atomic():
        deleted, _rows = Praise.objects.filter(asset=view.asset, user=actor).delete()
        if not deleted:
            raise NotFound(_("You have not praised this asset."))
        entry_append(
            actor=actor,
            type="praise.withdrawn",
            subject=_praise_subject(view.asset.pk, actor.username),
            payload={"asset": view.asset.pk},
        )
        _recompute_later()


# Reviews ---------------------------------------------------------------------------


def _check_review(data: ReviewData) -> str:
    errors: dict[str, list[str]] = {}
    for name, value in data.scores.items():
        if value is None:
            errors[name] = [_("Give a score from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX}]
        elif not isinstance(value, int) or isinstance(value, bool) or not SCORE_MIN <= value <= SCORE_MAX:
            errors[name] = [_("A score is a whole number from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX}]
    text = (data.text or "").strip()
    if not text:
        errors["text"] = [_("Say what you found: a review needs a text.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("At most %(limit)d characters.") % {"limit": MAX_TEXT}]
    collect_errors(errors)
    return text


def _text_payload(asset: Asset, name: str, text: str) -> tuple[dict, dict | None]:
    """(payload part, confidential part): the text in the open only for a public asset."""
    if asset.visibility == Asset.Visibility.PUBLIC:
        return {name: text}, None
    return {}, {name: text}


def _notify_managers(asset: Asset, *, kind: str, title: str, url: str, skip) -> None:
    for recipient in asset_managers(asset=asset):
        if recipient is not None and recipient.pk != skip.pk and recipient.is_active:
            notification_send(recipient=recipient, kind=kind, title=title, url=url)


def review_write(*, actor, asset_id: int, data: ReviewData) -> Review:
    """Write the actor's review of an asset whose details they may read, or a new
    version of it. A version that changes nothing writes nothing."""
    _active(actor)
    text = _check_review(data)
    view = _published_view(actor, asset_id)
    if view.access < Access.FULL:
        raise PermissionDenied(_("Only people who may read an asset's details can review it."))
    asset = view.asset
    own = bool(asset.owner_org_id and asset.owner_org_id in account_selectors.organisation_ids_for_user(user=actor))
    own = own or asset.owner_user_id == actor.pk
    scores = data.scores
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(asset=asset, reviewer=actor).first()
        if review is not None and review.scores == scores and review.text == text and review.own_organisation == own:
            return review
        if review is None:
            review = Review(asset=asset, reviewer=actor, version=1)
            entry_type = "review.written"
        else:
            review.version += 1
            entry_type = "review.edited"
        for name, value in scores.items():
            setattr(review, name, value)
        review.text = text
        review.own_organisation = own
        review.save()
        ReviewVersion.objects.create(review=review, number=review.version, text=text, own_organisation=own, **scores)
        public, confidential = _text_payload(asset, "text", text)
        entry_append(
            actor=actor,
            type=entry_type,
            subject=_review_subject(asset.pk, actor.username),
            payload={"asset": asset.pk, "version": review.version, "scores": scores, "own_organisation": own, **public},
            confidential=confidential,
        )
        _recompute_later()
        _notify_managers(
            asset,
            kind="evaluation.review",
            title=_("%(name)s reviewed %(title)s") % {"name": actor.name, "title": asset.title},
            url=reverse("registry:asset_detail", args=[asset.pk]) + "#reviews",
            skip=actor,
        )
    return review


def review_reply(*, actor, asset_id: int, username: str, text: str) -> ReviewReply:
    """The asset's managers answer one review; a later reply replaces the earlier."""
    _active(actor)
    view = asset_get_for_user(asset_id=asset_id, user=actor)
    if not view.can_manage:
        raise PermissionDenied(_("Only the asset's owners can reply to its reviews."))
    text = (text or "").strip()
    collect_errors(
        {
            "text": [_("Write a reply.")] if not text
            else [_("At most %(limit)d characters.") % {"limit": MAX_TEXT}] if len(text) > MAX_TEXT
            else []
        }
    )
    with transaction.atomic():
        review = Review.objects.filter(asset=view.asset, reviewer__username=username).select_related("reviewer").first()
        if review is None:
            raise NotFound(_("No such review."))
        reply, _created = ReviewReply.objects.update_or_create(review=review, defaults={"author": actor, "text": text})
        public, confidential = _text_payload(view.asset, "text", text)
        entry_append(
            actor=actor,
            type="review.replied",
            subject=_review_subject(view.asset.pk, review.reviewer.username),
            payload={"asset": view.asset.pk, **public},
            confidential=confidential,
        )
        if review.reviewer.is_active and review.reviewer.pk != actor.pk:
            notification_send(
                recipient=review.reviewer,
                kind="evaluation.reply",
                title=_("The owners of %(title)s replied to your review") % {"title": view.asset.title},
                url=reverse("registry:asset_detail", args=[view.asset.pk]) + "#reviews",
            )
    return reply


# Reputation ------------------------------------------------------------------------


def _percentiles(scores: dict[int, float]) -> dict[int, int]:
    """Each id → the share of the others with a strictly lower score, 0..100."""
    ordered = sorted(scores.values())
    n = len(ordered)
    result = {}
    for key, value in scores.items():
        below = bisect.bisect_left(ordered, value)
        result[key] = 0 if n <= 1 else round(100 * below / (n - 1))
    return result


def _explanation(inflows: list[core.Inflow]) -> list[dict]:
    return [
        {
            "kind": inflow.kind,
            "source": list(inflow.source) if inflow.source else None,
            "share": round(inflow.share, 6),
            "count": inflow.count,
        }
        for inflow in inflows
    ]


def reputation_recompute(*, now: datetime | None = None) -> ReputationRun:
    """Compute every person's and asset's reputation from the whole graph and
    replace the stored scores, in one transaction (readers see the old scores or
    the new, never a mix). Derived data: no history entry."""
    started = timezone.now() if now is None else now
    clock = time.perf_counter()
    people, assets, praises = reputation_inputs()
    people_by_id = {person.id: person for person in people}
    assets_by_id = {asset.id: asset for asset in assets}
    weighted = core.praise_weights(praises=praises, people=people_by_id, assets=assets_by_id, now=started.timestamp())
    result = core.reputation(people=people, assets=assets, weighted=weighted, now=started.timestamp())
    praise_weight: dict[int, float] = {}
    discounted: dict[int, dict[str, int]] = {}
    for item in weighted:
        asset_id = item.praise.asset
        praise_weight[asset_id] = praise_weight.get(asset_id, 0.0) + item.weight
        if item.reason != "counted":
            reasons = discounted.setdefault(asset_id, {})
            reasons[item.reason] = reasons.get(item.reason, 0) + 1
    person_percentiles = _percentiles(result.person_scores)
    asset_percentiles = _percentiles(result.asset_scores)
    explanations = result.explanations
    with transaction.atomic():
        PersonReputation.objects.all().delete()
        AssetReputation.objects.all().delete()
        # A row per person and per asset: plain multi-row INSERTs (core.db), as the
        # ORM's per-object work would cost more than the database's.
        rows_insert(
            PersonReputation,
            columns=("user", "score", "percentile", "explanation"),
            rows=[
                (pk, score, person_percentiles[pk], _explanation(explanations.get(("person", pk), [])))
                for pk, score in result.person_scores.items()
            ],
            prepare=("explanation",),
        )
        rows_insert(
            AssetReputation,
            columns=("asset", "score", "percentile", "praise_weight", "discounted", "explanation"),
            rows=[
                (
                    pk,
                    score,
                    asset_percentiles[pk],
                    praise_weight.get(pk, 0.0),
                    discounted.get(pk, {}),
                    _explanation(explanations.get(("asset", pk), [])),
                )
                for pk, score in result.asset_scores.items()
            ],
            prepare=("discounted", "explanation"),
        )
        run = ReputationRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            people=len(people),
            assets=len(assets),
            endorsements=len(praises),
            iterations=result.iterations,
            seconds=time.perf_counter() - clock,
        )
    return run
