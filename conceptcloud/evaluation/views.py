"""The evaluation pages: thin adapters over evaluation.services and evaluation.selectors.

    praise          /assets/<id>/praise/                       POST: praise, or undo one's praise
                                                               (htmx gets the praise box back)
    review          /assets/<id>/review/                       write or edit one's review
    review_reply    /assets/<id>/reviews/<username>/reply/     the asset's managers answer a review
    review_versions /assets/<id>/reviews/<username>/versions/  every version of a review

Assets come only through registry.selectors.asset_get_for_user (absent and
invisible are the same 404). Every change is one service call; its
ApplicationError goes back onto the form by the field (or, for the praise
button, into a message, or from htmx into the swapped box) and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conceptcloud.core.errors import ApplicationError
from conceptcloud.core.views import found_or_404
from conceptcloud.evaluation import selectors, services
from conceptcloud.evaluation.forms import ReplyForm, ReviewForm
from conceptcloud.evaluation.templatetags.evaluation import praise_box
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_get_for_user


def _asset_url(asset_id: int, anchor: str) -> str:
    return reverse("registry:asset_detail", args=[asset_id]) + anchor


@login_required
@require_POST
def praise(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    refusal = ""
    try:
        if request.POST.get("action") == "withdraw":
            services.praise_withdraw(actor=request.user, asset_id=asset_id)
        else:
            services.praise_give(actor=request.user, asset_id=asset_id)
    except ApplicationError as error:
        refusal = error.message
    if request.htmx:
        # The swapped box carries the refusal itself: a message queued for the next
        # full page would appear later, on whatever page that is.
        context = {**praise_box({"request": request}, view), "refusal": refusal}
        return render(request, "evaluation/partials/_praise.html", context)
    if refusal:
        messages.error(request, refusal)
    return redirect(_asset_url(asset_id, "#evaluation"))


@login_required
def review(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    # Only a published asset can be reviewed: its managers see their drafts, but a
    # form that could never be saved is no page for them.
    if view.access < Access.FULL or view.asset.status != Asset.Status.PUBLISHED:
        raise Http404
    mine = selectors.reviews_for_view(view=view).filter(reviewer=request.user).first()
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review_write(actor=request.user, asset_id=asset_id, data=form.to_data())
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Your review is saved."))
                return redirect(_asset_url(asset_id, f"#review-{request.user.username}"))
    else:
        form = ReviewForm.for_review(mine)
    return render(request, "evaluation/review_form.html", {"view": view, "asset": view.asset, "form": form,
                                                           "review": mine})


@login_required
def review_reply(request: HttpRequest, asset_id: int, username: str) -> HttpResponse:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    if not view.can_manage:
        raise Http404
    answered = found_or_404(selectors.review_get_for_user, asset_id=asset_id, username=username, user=request.user)
    reply = getattr(answered, "reply", None)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.review_reply(
                    actor=request.user, asset_id=asset_id, username=username, text=form.cleaned_data["text"]
                )
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Your reply is saved."))
                return redirect(_asset_url(asset_id, f"#review-{username}"))
    else:
        form = ReplyForm(initial={"text": reply.text} if reply else None)
    return render(request, "evaluation/review_reply.html", {"asset": view.asset, "review": answered, "form": form})


def review_versions(request: HttpRequest, asset_id: int, username: str) -> HttpResponse:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    answered = found_or_404(selectors.review_get_for_user, asset_id=asset_id, username=username, user=request.user)
    return render(
        request,
        "evaluation/review_versions.html",
        {"asset": view.asset, "review": answered, "versions": selectors.review_versions(review=answered)},
    )
