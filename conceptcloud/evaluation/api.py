"""Evaluation endpoints under /api/v1/ (tag "Evaluation"). Thin adapters: parse →
evaluation services/selectors → shape.

    GET    /assets/{id}/praise                       the count, yours, who praised
    POST   /assets/{id}/praise                       praise it (409 when you already have)
    DELETE /assets/{id}/praise                       undo your praise (404 when there is none)
    GET    /assets/{id}/reviews                      index averages and the reviews
    PUT    /assets/{id}/reviews/mine                 write your review, or a new version
    GET    /assets/{id}/reviews/{username}           one review
    GET    /assets/{id}/reviews/{username}/versions  its versions, oldest first
    PUT    /assets/{id}/reviews/{username}/reply     the owners' reply
    GET    /assets/{id}/reputation                   the asset's reputation, explained
    GET    /people/{username}/reputation             a person's reputation, explained
    GET    /people/{username}/challenges             a person's challenge record

An asset you may not see is 404 here as everywhere. Errors are problem+json
(core/api.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.evaluation import selectors, services
from conceptcloud.evaluation.models import Review, ReviewVersion
from conceptcloud.evaluation.schemas import (
    ChallengeOut,
    PraiseOut,
    ReplyIn,
    ReplyOut,
    ReputationOut,
    ReviewIn,
    ReviewOut,
    ReviewsOut,
    ReviewVersionOut,
)
from conceptcloud.registry.selectors import asset_get_for_user

router = Router(tags=["Evaluation"])


def _praise_out(request: HttpRequest, asset_id: int) -> dict:
    view = asset_get_for_user(asset_id=asset_id, user=request.auth)
    summary = selectors.praise_summary(view=view, user=request.auth)
    return {
        "count": summary.count,
        "praised_by_you": summary.mine,
        "praised_by": [{"username": person.username, "name": person.name} for person in summary.shown],
        "unnamed": summary.unnamed,
    }


def _reply_out(review: Review) -> dict | None:
    reply = getattr(review, "reply", None)
    if reply is None:
        return None
    return {"author": reply.author.username, "text": reply.text, "updated_at": reply.updated_at}


def _review_out(review: Review) -> dict:
    return {
        "reviewer": review.reviewer.username,
        "reviewer_name": review.reviewer.name,
        "own_organisation": review.own_organisation,
        "scores": review.scores,
        "mean": round(review.mean, 2),
        "text": review.text,
        "version": review.version,
        "created_at": review.created_at,
        "updated_at": review.updated_at,
        "reply": _reply_out(review),
    }


def _version_out(version: ReviewVersion) -> dict:
    return {
        "number": version.number,
        "scores": version.scores,
        "text": version.text,
        "own_organisation": version.own_organisation,
        "created_at": version.created_at,
    }


def _reputation_out(reputation: selectors.ReputationView | None) -> dict:
    if reputation is None:
        return {"score": None, "percentile": None, "reasons": []}
    return {
        "score": round(reputation.score, 4),
        "percentile": reputation.percentile,
        "reasons": [
            {
                "kind": reason.kind,
                "share": round(reason.share, 4),
                "count": reason.count,
                "asset": reason.asset.pk if reason.asset else None,
                "asset_title": reason.asset.title if reason.asset else None,
                "person": reason.person.username if reason.person else None,
            }
            for reason in reputation.reasons
        ],
        "praise_weight": reputation.praise_weight,
        "discounted": reputation.discounted,
    }


@router.get("/assets/{int:asset_id}/praise", response={200: PraiseOut, **problems(404)}, summary="Get an asset's praise")
def praise_detail(request, asset_id: int):
    """How many praised the asset, whether you did, and who did among those who show their praise."""
    return _praise_out(request, asset_id)


@router.post(
    "/assets/{int:asset_id}/praise",
    auth=AUTH_REQUIRED,
    response={201: PraiseOut, **problems(401, 404, 409)},
    summary="Praise an asset",
)
def praise_create(request, asset_id: int):
    """Once per person and asset (409 the second time); any published asset you may see."""
    services.praise_give(actor=request.auth, asset_id=asset_id)
    return Status(201, _praise_out(request, asset_id))


@router.delete(
    "/assets/{int:asset_id}/praise",
    auth=AUTH_REQUIRED,
    response={204: None, **problems(401, 404)},
    summary="Undo your praise",
)
def praise_delete(request, asset_id: int):
    services.praise_withdraw(actor=request.auth, asset_id=asset_id)
    return Status(204, None)


@router.get("/assets/{int:asset_id}/reviews", response={200: ReviewsOut, **problems(404)}, summary="List reviews")
def review_list(request, asset_id: int):
    """The mean of each index over the reviews (for everyone who sees the asset) and the reviews
    themselves, newest first (for those who may read the asset's details)."""
    view = asset_get_for_user(asset_id=asset_id, user=request.auth)
    averages = selectors.index_averages(asset_ids=[view.asset.pk]).get(view.asset.pk)
    return {
        "averages": {"count": averages.count, "means": averages.means} if averages else None,
        "items": [_review_out(review) for review in selectors.reviews_for_view(view=view)],
    }


@router.put(
    "/assets/{int:asset_id}/reviews/mine",
    auth=AUTH_REQUIRED,
    response={200: ReviewOut, **problems(401, 403, 404, 409, 422)},
    summary="Write your review",
)
def review_put(request, asset_id: int, payload: ReviewIn):
    """A score from 1 to 5 on each of the six indices and a text. Writing again keeps the earlier
    version. Only for people who may read the asset's details."""
    review = services.review_write(
        actor=request.auth, asset_id=asset_id, data=services.ReviewData(**payload.model_dump())
    )
    return _review_out(selectors.review_get_for_user(asset_id=asset_id, username=review.reviewer.username,
                                                     user=request.auth))


@router.get(
    "/assets/{int:asset_id}/reviews/{username}",
    response={200: ReviewOut, **problems(404)},
    summary="Get a review",
)
def review_detail(request, asset_id: int, username: str):
    return _review_out(selectors.review_get_for_user(asset_id=asset_id, username=username, user=request.auth))


@router.get(
    "/assets/{int:asset_id}/reviews/{username}/versions",
    response={200: list[ReviewVersionOut], **problems(404)},
    summary="List a review's versions",
)
def review_version_list(request, asset_id: int, username: str):
    review = selectors.review_get_for_user(asset_id=asset_id, username=username, user=request.auth)
    return [_version_out(version) for version in selectors.review_versions(review=review)]


@router.put(
    "/assets/{int:asset_id}/reviews/{username}/reply",
    auth=AUTH_REQUIRED,
    response={200: ReplyOut, **problems(401, 403, 404, 422)},
    summary="Reply to a review",
)
def review_reply_put(request, asset_id: int, username: str, payload: ReplyIn):
    """The asset's owners answer a review; a new reply replaces the earlier one."""
    reply = services.review_reply(actor=request.auth, asset_id=asset_id, username=username, text=payload.text)
    return {"author": reply.author.username, "text": reply.text, "updated_at": reply.updated_at}


@router.get(
    "/assets/{int:asset_id}/reputation",
    response={200: ReputationOut, **problems(404)},
    summary="Get an asset's reputation",
)
def asset_reputation(request, asset_id: int):
    """Its score (1.0 is the average asset), percentile and what contributed most; the praise that
    counted after the spam rules and what was discounted."""
    view = asset_get_for_user(asset_id=asset_id, user=request.auth)
    return _reputation_out(selectors.asset_reputation_for_view(view=view, user=request.auth))


@router.get(
    "/people/{username}/reputation",
    response={200: ReputationOut, **problems(404)},
    summary="Get a person's reputation",
)
def person_reputation(request, username: str):
    """Their score (1.0 is the average person), percentile and what contributed most."""
    person = account_selectors.person_get(username=username)
    return _reputation_out(selectors.person_reputation_for_user(person=person, user=request.auth))


@router.get(
    "/people/{username}/challenges",
    response={200: list[ChallengeOut], **problems(404)},
    summary="Get a person's challenge record",
)
def person_challenges(request, username: str):
    """The lessons they registered or contributed to, then their other contributions, each with
    the mean of each index over its reviews and its praise (assets you may see only)."""
    person = account_selectors.person_get(username=username)
    return [
        {
            "asset": row.asset.pk,
            "title": row.asset.title,
            "kind": row.asset.kind,
            "role": row.role,
            "praise": row.praise,
            "reviews": row.averages.count if row.averages else 0,
            "means": row.averages.means if row.averages else {},
        }
        for row in selectors.challenges_for_person(person=person, user=request.auth)
    ]
