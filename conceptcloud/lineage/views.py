"""The lineage pages: thin adapters over lineage.services and lineage.selectors.

    build_on             /assets/<id>/build-on/        a new asset that improves this one or combines
                                                       it with others (search and totals without JS)
    contributors         /assets/<id>/contributors/    managers: contributor shares, pending share
                                                       proposals, the terms, a declared parent
    terms                /assets/<id>/terms/           POST, managers: terms_set
    parent_add           /assets/<id>/parents/         POST, managers: derivation_add
    proposal_agree       /share-proposals/<id>/agree/    POST: share_proposal_agree
    proposal_decline     /share-proposals/<id>/decline/  POST: share_proposal_decline
    derivation_decide    /derivations/<id>/decide/     POST, the parent's managers: approve or decline
    asset_prov           /assets/<id>/prov/<format>/   the asset's history as W3C PROV (prov-json, prov-o),
                                                       a download, within what the viewer may see

Assets come only through registry.selectors.asset_get_for_user, proposals and
links through their *_get_for_user selectors: absent and invisible are the same
404. Every change is one service call; its ApplicationError goes back onto the
form by the field (or, for a button, into a message) and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.core.views import found_or_404
from conceptcloud.lineage import selectors, services
from conceptcloud.lineage.forms import (
    BuildOnAssetForm,
    ContributionFormSet,
    ParentAddForm,
    ParentsForm,
    TermsForm,
    contribution_initial,
    split_build_on_errors,
)
from conceptcloud.lineage.models import FULL_SHARE, MAX_PARENTS, Derivation, ShareProposal
from conceptcloud.lineage.prov import PROV_MEDIA_TYPES, asset_prov_for_user
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import AssetFilters, AssetView, asset_get_for_user, asset_list

SEARCH_RESULTS = 20


def _managed(request: HttpRequest, asset_id: int) -> AssetView:
    """The asset, if the signed-in user manages it; a 404 for everyone else."""
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    if not view.can_manage:
        raise Http404
    return view


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To the same-site `next` the form named, else to `default` (a URL name)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


# ---------------------------------------------------------------- build on


def _parent_rows(user, ids: list[int]) -> list[dict]:
    """Each chosen parent as the viewer may see it, with the royalty its terms ask
    and whether the link will wait for its owner's approval; absent and invisible
    numbers alike as `missing`."""
    rows = []
    for asset_id in ids:
        try:
            view = asset_get_for_user(asset_id=asset_id, user=user)
        except NotFound:
            rows.append({"asset_id": asset_id, "missing": True})
            continue
        terms = selectors.terms_for_asset(asset=view.asset)
        rows.append(
            {
                "asset_id": asset_id,
                "asset": view.asset,
                "royalty_bp": terms.derivative_royalty_bp,
                "needs_approval": terms.derivatives_need_approval and not view.can_manage,
                "withdrawn": view.asset.status == Asset.Status.WITHDRAWN,
            }
        )
    return rows


def _search(user, query: str, chosen: list[int]) -> list[dict]:
    """Visible assets whose title, summary or keywords match, not chosen yet, with their royalty."""
    if not query.strip():
        return []
    found = asset_list(user=user, filters=AssetFilters(q=query.strip()))
    found = found.exclude(pk__in=chosen).exclude(status=Asset.Status.WITHDRAWN).order_by("title", "id")
    return [
        {"asset": asset, "royalty_bp": selectors.terms_for_asset(asset=asset).derivative_royalty_bp}
        for asset in found[:SEARCH_RESULTS]
    ]


def _build_on_page(request, *, parent: Asset, asset_form, parents_form, parent_ids: list[int], query: str):
    # One over the limit is enough to show what to untick; a flood of posted numbers costs nothing more.
    rows = _parent_rows(request.user, parent_ids[: MAX_PARENTS + 1])
    total = sum(row.get("royalty_bp", 0) for row in rows)
    context = {
        "parent": parent,
        "form": asset_form,
        "parents_form": parents_form,
        "first": rows[0],
        "others": rows[1:],
        "total_bp": total,
        "total_over": total > FULL_SHARE,
        "chosen": len(parent_ids),
        "too_many": len(parent_ids) > MAX_PARENTS,
        "max_parents": MAX_PARENTS,
        "query": query,
        "results": _search(request.user, query, parent_ids),
        "searched": bool(query.strip()),
    }
    return render(request, "lineage/build_on.html", context)


@login_required
def build_on(request: HttpRequest, asset_id: int) -> HttpResponse:
    """Register a new asset built on this one (and any others chosen).

    POST with action "search" only shows the page again with the search results;
    the new asset's fields are not checked and nothing is saved. "publish" or
    "draft" registers. Whenever the page is shown again, the parents ticked or
    typed so far are ticked rows with their royalties and total.
    """
    parent = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user).asset
    if request.method != "POST":
        asset_form = BuildOnAssetForm(
            user=request.user, initial={"kind": parent.kind, "language": parent.language, "sdgs": parent.sdgs}
        )
        return _build_on_page(
            request, parent=parent, asset_form=asset_form, parents_form=ParentsForm(),
            parent_ids=[parent.pk], query=request.GET.get("q", ""),
        )
    query = request.POST.get("q", "")
    parents_form = ParentsForm(request.POST)
    parents_valid = parents_form.is_valid()
    parent_ids = parents_form.parent_ids(parent.pk)
    if parents_valid:  # shown again, the typed numbers are ticked rows with their royalties
        parents_form = ParentsForm.ticked(parent_ids[1:])
    action = request.POST.get("action")
    if action == "search":
        posted = BuildOnAssetForm(request.POST, user=request.user)
        asset_form = BuildOnAssetForm(user=request.user, initial={name: posted[name].data for name in posted.fields})
        return _build_on_page(
            request, parent=parent, asset_form=asset_form, parents_form=parents_form,
            parent_ids=parent_ids, query=query,
        )
    asset_form = BuildOnAssetForm(request.POST, user=request.user)
    if asset_form.is_valid() and parents_valid:
        try:
            asset = services.asset_build_on(
                actor=request.user, parent_ids=parent_ids, data=asset_form.to_data([]), publish=action != "draft"
            )
        except ApplicationError as error:
            for_parents, for_asset = split_build_on_errors(error)
            if for_parents:
                parents_form.add_service_errors(for_parents)
            if for_asset:
                asset_form.add_service_errors(for_asset)
        else:
            pending = any(row.get("needs_approval") for row in _parent_rows(request.user, parent_ids))
            messages.success(
                request,
                _("Registered. It now shows in the lineage of what it builds on.")
                + (" " + _("Some owners approve links first: those show as waiting until they decide.") if pending else ""),
            )
            return redirect("registry:asset_detail", asset_id=asset.pk)
    return _build_on_page(
        request, parent=parent, asset_form=asset_form, parents_form=parents_form, parent_ids=parent_ids, query=query
    )


# ---------------------------------------------------------------- contributors and terms


def _contributors_page(request, view: AssetView, *, formset=None, terms_form=None, parent_form=None) -> HttpResponse:
    asset = view.asset
    rows = selectors.contributions_for_asset(asset=asset)
    terms = selectors.terms_for_asset(asset=asset)
    proposals = selectors.share_proposals_for_asset(asset=asset, user=request.user)
    context = {
        "view": view,
        "asset": asset,
        "contributors": rows,
        "formset": formset or ContributionFormSet(prefix="c", initial=contribution_initial(rows)),
        "terms_form": terms_form or TermsForm(initial=TermsForm.initial_from(terms)),
        "parent_form": parent_form or ParentAddForm(),
        "proposals": [
            {
                "proposal": proposal,
                "waiting_for": [name for name in proposal.needed if name not in proposal.agreed],
                "may_agree": request.user.username in proposal.needed and request.user.username not in proposal.agreed,
            }
            for proposal in proposals
        ],
        "terms": terms,
        "max_parents": MAX_PARENTS,
    }
    return render(request, "lineage/contributors.html", context)


@login_required
def contributors(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    if request.method != "POST":
        return _contributors_page(request, view)
    initial = contribution_initial(selectors.contributions_for_asset(asset=view.asset))
    formset = ContributionFormSet(request.POST, prefix="c", initial=initial)
    if formset.is_valid():
        try:
            proposal = services.contributions_propose(
                actor=request.user, asset=view.asset, contributions=formset.contributions()
            )
        except ApplicationError as error:
            formset.add_service_errors(error)
        else:
            if proposal.status == ShareProposal.Status.APPLIED:
                messages.success(request, _("The contributors and their shares are saved."))
            else:
                messages.success(
                    request, _("Proposed. The shares change once every current contributor has agreed.")
                )
            return redirect("lineage:contributors", asset_id=view.asset.pk)
    return _contributors_page(request, view, formset=formset)


@login_required
@require_POST
def terms(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = TermsForm(request.POST)
    if form.is_valid():
        try:
            services.terms_set(
                actor=request.user,
                asset=view.asset,
                derivative_royalty_bp=form.royalty_bp(),
                derivatives_need_approval=form.cleaned_data["derivatives_need_approval"],
                share_changes_need=form.cleaned_data["share_changes_need"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The terms are saved. Links made before keep the royalty they were made with."))
            return redirect("lineage:contributors", asset_id=view.asset.pk)
    return _contributors_page(request, view, terms_form=form)


@login_required
@require_POST
def parent_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = ParentAddForm(request.POST)
    if form.is_valid():
        try:
            link = services.derivation_add(actor=request.user, child=view.asset, parent_id=form.cleaned_data["parent"])
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if link.status == Derivation.Status.PENDING:
                messages.success(request, _("Linked. The link waits for the approval of that asset's owner."))
            else:
                messages.success(request, _("Linked: this asset now builds on that one."))
            return redirect("registry:asset_detail", asset_id=view.asset.pk)
    return _contributors_page(request, view, parent_form=form)


# ---------------------------------------------------------------- decisions


def _decided(request: HttpRequest, call, success: str) -> HttpResponse:
    """Run a decision service; its refusal (decided meanwhile, not yours to decide) becomes a message."""
    try:
        call()
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(request, "registry:dashboard")


@login_required
@require_POST
def proposal_agree(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = found_or_404(selectors.share_proposal_get_for_user, proposal_id=proposal_id, user=request.user)
    return _decided(
        request,
        lambda: services.share_proposal_agree(actor=request.user, proposal=proposal),
        _("You agreed to the new shares."),
    )


@login_required
@require_POST
def proposal_decline(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = found_or_404(selectors.share_proposal_get_for_user, proposal_id=proposal_id, user=request.user)
    return _decided(
        request,
        lambda: services.share_proposal_decline(actor=request.user, proposal=proposal),
        _("You declined the new shares; they stay as they were."),
    )


@login_required
@require_POST
def derivation_decide(request: HttpRequest, derivation_id: int) -> HttpResponse:
    link = found_or_404(selectors.derivation_get_for_user, derivation_id=derivation_id, user=request.user)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose whether to approve or decline the link."))
        return _back(request, "registry:dashboard")
    approve = decision == "approve"
    return _decided(
        request,
        lambda: services.derivation_decide(actor=request.user, derivation=link, approve=approve),
        _("Approved: the link now counts.") if approve else _("Declined: the link is left out of the lineage."),
    )


_PROV_FILE_ENDINGS = {"prov-json": "prov.json", "prov-o": "prov.jsonld"}


def asset_prov(request: HttpRequest, asset_id: int, format: str) -> HttpResponse:
    """The same document as GET /api/v1/assets/<id>/prov, as a file to save."""
    if format not in PROV_MEDIA_TYPES:
        raise Http404
    document = found_or_404(asset_prov_for_user, asset_id=asset_id, user=request.user, format=format)
    response = HttpResponse(document, content_type=f"{PROV_MEDIA_TYPES[format]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="asset-{asset_id}.{_PROV_FILE_ENDINGS[format]}"'
    response["Cache-Control"] = "private, no-store"
    return response
