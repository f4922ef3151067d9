"""Lineage endpoints under /api/v1/ (tag "Lineage"). Thin adapters: parse →
lineage services/selectors → shape.

    GET  /assets/{id}/terms                        what derivatives owe it, approval, agreement
    PUT  /assets/{id}/terms                        set them (owners)
    GET  /assets/{id}/contributors                 contributors, roles and shares
    GET  /assets/{id}/contributors/proposals       pending share proposals you are party to
    POST /assets/{id}/contributors/proposals       propose a new set of shares (owners)
    GET  /share-proposals/                         proposals waiting for your agreement
    GET  /share-proposals/{id}
    POST /share-proposals/{id}/agree | decline
    POST /assets/{id}/derivatives                  register a new asset built on this one
                                                   (and on `combine_with`)
    POST /assets/{id}/parents                      declare that this asset builds on another
    GET  /assets/{id}/lineage                      ancestors and descendants (graph)
    GET  /derivation-requests/                     pending links to assets you own
    GET  /derivations/{id}
    POST /derivations/{id}/approve | decline       (owners of the parent)
    GET  /assets/{id}/prov?format=prov-json|prov-o W3C PROV export

An asset you may not see is 404 here as everywhere; one you see but do not own
is 403 for changes. Errors are problem+json (core/api.py).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status

from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.lineage import selectors, services
from conceptcloud.lineage.models import Derivation, ShareProposal
from conceptcloud.lineage.prov import PROV_MEDIA_TYPES, asset_prov_for_user
from conceptcloud.lineage.schemas import (
    ContributorOut,
    DerivationOut,
    DerivativeIn,
    DerivativeOut,
    LineageGraphOut,
    ParentIn,
    ProposalIn,
    ShareProposalOut,
    TermsIn,
    TermsOut,
)
from conceptcloud.registry import selectors as registry_selectors
from conceptcloud.registry.models import Asset
from conceptcloud.registry.services import AssetData, IpRecordData

router = Router(tags=["Lineage"])

PROV_RESPONSES = {
    "responses": {
        200: {
            "description": "The PROV document.",
            "content": {media_type: {"schema": {"type": "object"}} for media_type in PROV_MEDIA_TYPES.values()},
        }
    }
}


# Shaping ---------------------------------------------------------------------


def _asset_url(request: HttpRequest, asset_id: int) -> str:
    return request.build_absolute_uri(reverse("api:asset_detail", kwargs={"asset_id": asset_id}))


def _ref_out(request: HttpRequest, ref: selectors.AssetRef) -> dict:
    return {"id": ref.asset_id, "title": ref.title, "url": _asset_url(request, ref.asset_id) if ref.visible else None}


def _asset_ref(request: HttpRequest, asset: Asset) -> dict:
    visible = registry_selectors.asset_access(asset=asset, user=request.auth) != registry_selectors.Access.NONE
    return _ref_out(request, selectors.AssetRef(asset_id=asset.pk, title=asset.title if visible else None))


def _terms_out(terms) -> dict:
    return {
        "derivative_royalty_bp": terms.derivative_royalty_bp,
        "derivatives_need_approval": terms.derivatives_need_approval,
        "share_changes_need": terms.share_changes_need,
    }


def _proposal_out(request: HttpRequest, proposal: ShareProposal) -> dict:
    return {
        "id": proposal.pk,
        "asset": _asset_ref(request, proposal.asset),
        "proposed_by": proposal.proposed_by.username,
        "contributions": proposal.contributions,
        "needed": proposal.needed,
        "agreed": proposal.agreed,
        "waiting_for": [name for name in proposal.needed if name not in proposal.agreed],
        "status": proposal.status,
        "created_at": proposal.created_at,
        "decided_at": proposal.decided_at,
    }


def _derivation_out(request: HttpRequest, link: Derivation) -> dict:
    return {
        "id": link.pk,
        "parent": _asset_ref(request, link.parent),
        "child": _asset_ref(request, link.child),
        "relation": link.relation,
        "royalty_bp": link.royalty_bp,
        "status": link.status,
        "requested_by": link.requested_by.username,
        "decided_by": link.decided_by.username if link.decided_by_id else None,
        "created_at": link.created_at,
        "decided_at": link.decided_at,
    }


# Parsing ---------------------------------------------------------------------


def _asset_data(payload: DerivativeIn) -> AssetData:
    names = {f.name for f in dataclass_fields(AssetData)}
    values = {name: value for name, value in payload.model_dump().items() if name in names}
    values["ip_records"] = [IpRecordData(**record) for record in values.get("ip_records", [])]
    return AssetData(**values)


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    return registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth).asset


# Terms and contributors ------------------------------------------------------


@router.get("/assets/{int:asset_id}/terms", response={200: TermsOut, **problems(401, 404)}, summary="Get lineage terms")
def terms_detail(request, asset_id: int):
    """What the asset asks of assets built on it, and what agreement share changes need."""
    return _terms_out(selectors.terms_for_asset(asset=_asset(request, asset_id)))


@router.put(
    "/assets/{int:asset_id}/terms",
    auth=AUTH_REQUIRED,
    response={200: TermsOut, **problems(400, 401, 403, 404, 422)},
    summary="Set lineage terms",
)
def terms_update(request, asset_id: int, payload: TermsIn):
    """Set the royalty asked of derivatives (basis points), whether links need your approval, and
    who decides contributor shares (owners only). Links made earlier keep their royalty."""
    terms = services.terms_set(actor=request.auth, asset=_asset(request, asset_id), **payload.model_dump())
    return _terms_out(terms)


@router.get(
    "/assets/{int:asset_id}/contributors",
    response={200: list[ContributorOut], **problems(401, 404)},
    summary="List contributors",
)
def contributor_list(request, asset_id: int):
    """Who contributed to the asset, in what role and with what share (basis points, summing to 10000)."""
    return [
        {"username": row.user.username, "display_name": row.user.name, "role": row.role,
         "share_bp": row.share_bp, "implicit": row.implicit}
        for row in selectors.contributions_for_asset(asset=_asset(request, asset_id))
    ]


@router.get(
    "/assets/{int:asset_id}/contributors/proposals",
    auth=AUTH_REQUIRED,
    response={200: list[ShareProposalOut], **problems(401, 404)},
    summary="List an asset's pending share proposals",
)
def asset_proposal_list(request, asset_id: int):
    """Pending proposals: all of them for the owners, those needing your agreement for contributors."""
    asset = _asset(request, asset_id)
    return [_proposal_out(request, p) for p in selectors.share_proposals_for_asset(asset=asset, user=request.auth)]


@router.post(
    "/assets/{int:asset_id}/contributors/proposals",
    auth=AUTH_REQUIRED,
    response={201: ShareProposalOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Propose contributor shares",
)
def proposal_create(request, asset_id: int, payload: ProposalIn):
    """Propose the full set of contributors (owners only). Applied at once (`status: applied`) when
    the terms let the owners decide; otherwise `pending` until every current contributor agrees."""
    contributions = [services.ContributionData(**item.model_dump()) for item in payload.contributions]
    proposal = services.contributions_propose(
        actor=request.auth, asset=_asset(request, asset_id), contributions=contributions
    )
    return Status(201, _proposal_out(request, proposal))


@router.get(
    "/share-proposals/",
    auth=AUTH_REQUIRED,
    response={200: list[ShareProposalOut], **problems(401)},
    summary="Share proposals waiting for you",
)
def proposal_list(request):
    """Pending proposals whose application waits for your agreement, oldest first."""
    return [_proposal_out(request, row.proposal) for row in selectors.share_proposals_for_user(user=request.auth)]


@router.get(
    "/share-proposals/{int:proposal_id}",
    auth=AUTH_REQUIRED,
    response={200: ShareProposalOut, **problems(401, 404)},
    summary="Get a share proposal",
)
def proposal_detail(request, proposal_id: int):
    """A proposal, for the people whose agreement it needs and the asset's owners."""
    return _proposal_out(request, selectors.share_proposal_get_for_user(proposal_id=proposal_id, user=request.auth))


@router.post(
    "/share-proposals/{int:proposal_id}/{decision}",
    auth=AUTH_REQUIRED,
    response={200: ShareProposalOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Agree to or decline a share proposal",
)
def proposal_decide(request, proposal_id: int, decision: Literal["agree", "decline"]):
    """`agree`: give your agreement (the last one applies the proposal). `decline`: refuse it; the
    owners may also decline (withdraw) a proposal. Either way once: then 409."""
    proposal = selectors.share_proposal_get_for_user(proposal_id=proposal_id, user=request.auth)
    decide = services.share_proposal_agree if decision == "agree" else services.share_proposal_decline
    return _proposal_out(request, decide(actor=request.auth, proposal=proposal))


# Derivations -----------------------------------------------------------------


@router.post(
    "/assets/{int:asset_id}/derivatives",
    auth=AUTH_REQUIRED,
    response={201: DerivativeOut, **problems(400, 401, 403, 404, 422)},
    summary="Build on an asset",
)
def derivative_create(request, asset_id: int, payload: DerivativeIn):
    """Register a new asset (the fields of `POST /assets/`) that improves this asset, or combines it
    with the assets in `combine_with` (at most 16 in all). Each link asks the royalty of its parent's
    terms (summing to at most 10000) and is `pending` where the parent's owners approve links.
    Problems with the parents come under `parents`."""
    parent = _asset(request, asset_id)
    child = services.asset_build_on(
        actor=request.auth,
        parent_ids=[parent.pk, *payload.combine_with],
        data=_asset_data(payload),
        publish=payload.publish,
    )
    links = child.parent_links.select_related("parent", "child", "requested_by", "decided_by").order_by("id")
    return Status(
        201,
        {"asset": _asset_ref(request, child), "links": [_derivation_out(request, link) for link in links]},
    )


@router.post(
    "/assets/{int:asset_id}/parents",
    auth=AUTH_REQUIRED,
    response={201: DerivationOut, **problems(400, 401, 403, 404, 422)},
    summary="Declare what an asset builds on",
)
def parent_create(request, asset_id: int, payload: ParentIn):
    """Link this asset (yours) to an asset it builds on. Refused: a cycle (the other asset builds on
    this one), a 17th parent, royalties above 100% in all."""
    link = services.derivation_add(actor=request.auth, child=_asset(request, asset_id), parent_id=payload.parent_id)
    return Status(201, _derivation_out(request, link))


@router.get(
    "/assets/{int:asset_id}/lineage",
    response={200: LineageGraphOut, **problems(401, 404)},
    summary="Get an asset's lineage graph",
)
def lineage_graph(request, asset_id: int):
    """The asset, its ancestors and its descendants over approved and pending links, the first idea
    marked. Assets you may not see are placeholders: no title, kind or url."""
    graph = selectors.lineage_graph_for_user(asset_id=asset_id, user=request.auth)
    return {
        "focus": graph.focus_id,
        "first_idea": graph.first_idea_id,
        "nodes": [
            {"id": n.asset_id, "title": n.title, "kind": n.kind, "visible": n.visible, "depth": n.depth,
             "first_idea": n.first_idea, "focus": n.focus,
             "url": _asset_url(request, n.asset_id) if n.visible else None}
            for n in graph.nodes
        ],
        "edges": [asdict(edge) for edge in graph.edges],
    }


@router.get(
    "/derivation-requests/",
    auth=AUTH_REQUIRED,
    response={200: list[DerivationOut], **problems(401)},
    summary="Links waiting for your approval",
)
def derivation_request_list(request):
    """Pending links to assets you own, oldest first."""
    return [_derivation_out(request, row.derivation) for row in selectors.derivation_requests_for_user(user=request.auth)]


@router.get(
    "/derivations/{int:derivation_id}",
    auth=AUTH_REQUIRED,
    response={200: DerivationOut, **problems(401, 404)},
    summary="Get a derivation link",
)
def derivation_detail(request, derivation_id: int):
    """One link, for the owners of either asset."""
    return _derivation_out(request, selectors.derivation_get_for_user(derivation_id=derivation_id, user=request.auth))


@router.post(
    "/derivations/{int:derivation_id}/{decision}",
    auth=AUTH_REQUIRED,
    response={200: DerivationOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Approve or decline a derivation link",
)
def derivation_decide(request, derivation_id: int, decision: Literal["approve", "decline"]):
    """Owners of the parent decide a pending link once (then 409). A declined link leaves the graph."""
    link = selectors.derivation_get_for_user(derivation_id=derivation_id, user=request.auth)
    link = services.derivation_decide(actor=request.auth, derivation=link, approve=decision == "approve")
    return _derivation_out(request, link)


@router.get(
    "/assets/{int:asset_id}/prov",
    response={200: None, **problems(401, 404, 422)},
    summary="Export an asset's history as W3C PROV",
    openapi_extra=PROV_RESPONSES,
)
def asset_prov(request, asset_id: int, format: Literal["prov-json", "prov-o"] = "prov-json"):
    """PROV-JSON (`application/json`) or PROV-O as JSON-LD (`application/ld+json`): the asset's
    versions, the people and organisations, each history entry as an activity with its log sequence
    number and leaf hash, and the derivation links, within what you may see."""
    document = asset_prov_for_user(asset_id=asset_id, user=request.auth, format=format)
    response = HttpResponse(document, content_type=f"{PROV_MEDIA_TYPES[format]}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="asset-{asset_id}-{format}.json"'
    return response
