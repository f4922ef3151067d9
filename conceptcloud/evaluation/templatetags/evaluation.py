"""What the evaluation app shows on other apps' pages.

    {% asset_evaluation view %}     the asset page's "Evaluation" section: the praise button
                                    and who praised, the index averages, the reputation with
                                    what contributed most, the reviews with their replies,
                                    "Write a review" / "Edit your review", "Reply" for managers
    {% person_evaluation person %}  a profile's reputation (explained) and challenge record
    {% person_score person %}       " · Reputation 2.06" on a directory card (nothing before
                                    the first computation)
    {{ share|share_percent }}       0.4213 → "42%"
    ENTRY_LABELS                    what the history pages call this app's entry types
    REASON_LABELS                   what each kind of reputation inflow is called

Both tags read through the evaluation selectors with the viewer from the request,
so review texts reach only readers of the details, hidden praisers stay unnamed
and an asset the viewer may not see is never named in an explanation.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from conceptcloud.evaluation import selectors
from conceptcloud.evaluation.models import INDICES, Index
from conceptcloud.registry.selectors import Access

register = template.Library()

ENTRY_LABELS = {
    "praise.given": _("Praised"),
    "praise.withdrawn": _("Praise withdrawn"),
    "review.written": _("Review written"),
    "review.edited": _("Review edited"),
    "review.replied": _("Review answered"),
}

REASON_LABELS = {
    "seed": _("Standing of the account (its age)"),
    "endorse": _("Praise and reviews"),
    "author": _("Own work"),
    "credit": _("Credit from a contribution"),
    "built_on": _("Assets built on it"),
}


@register.filter
def share_percent(share: float) -> str:
    return f"{round(share * 100)}%"


@register.filter
def reason_label(kind: str) -> str:
    return str(REASON_LABELS.get(kind, kind))


@register.filter
def index_label(name: str) -> str:
    return str(Index(name).label)


@register.inclusion_tag("evaluation/partials/_asset_evaluation.html", takes_context=True)
def asset_evaluation(context, view):
    """The evaluation section of an asset page, for the viewer of `view` (an AssetView)."""
    request = context["request"]
    user = request.user
    signed_in = user.is_authenticated and user.is_active
    reviews = list(selectors.reviews_for_view(view=view))
    mine = next((review for review in reviews if signed_in and review.reviewer_id == user.pk), None)
    return {
        "request": request,
        "view": view,
        "asset": view.asset,
        "signed_in": signed_in,
        "published": view.asset.status == "published",
        "praise": selectors.praise_summary(view=view, user=user),
        "averages": selectors.index_averages(asset_ids=[view.asset.pk]).get(view.asset.pk),
        "indices": INDICES,
        "reviews": reviews,
        "my_review": mine,
        "may_review": signed_in and view.access >= Access.FULL and view.asset.status == "published",
        "reputation": selectors.asset_reputation_for_view(view=view, user=user),
    }


@register.inclusion_tag("evaluation/partials/_praise.html", takes_context=True)
def praise_box(context, view):
    """The praise button and count alone (what the praise view sends back to htmx)."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "asset": view.asset,
        "signed_in": user.is_authenticated and user.is_active,
        "published": view.asset.status == "published",
        "praise": selectors.praise_summary(view=view, user=user),
    }


@register.simple_tag
def person_score(person) -> str:
    score = selectors.person_score(person=person)
    if score is None:
        return ""
    return format_html(" · {}", _("Reputation %(score)s") % {"score": f"{score:.2f}"})


@register.inclusion_tag("evaluation/partials/_person_evaluation.html", takes_context=True)
def person_evaluation(context, person):
    """A profile's reputation with what contributed most, and the challenge record."""
    request = context["request"]
    return {
        "request": request,
        "person": person,
        "reputation": selectors.person_reputation_for_user(person=person, user=request.user),
        "challenges": selectors.challenges_for_person(person=person, user=request.user),
        "indices": INDICES,
    }
