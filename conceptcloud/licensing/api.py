"""Licensing endpoints under /api/v1/ (tag "Licensing"). Thin adapters: parse →
licensing services/selectors → shape.

    GET  /licence-templates/                  the templates and the terms they prefill
    GET  /assets/{id}/offers                  an asset's offers (withdrawn ones for its owners)
    POST /assets/{id}/offers                  offer a licence (owners); fields left out take the template's
    GET  /offers/{id}
    POST /offers/{id}/withdraw                (owners)
    POST /offers/{id}/accept                  express acceptance: an active deal
    POST /assets/{id}/inquiries               an inquiry: a deal at "inquiry" with its first message
    GET  /deals/                              your deals, on either side (?stage=)
    GET  /deals/{id}                          for its two sides only
    PUT  /deals/{id}/terms                    the terms under negotiation (owners, before signing)
    POST /deals/{id}/moves                    move along the pipeline
    GET  /deals/{id}/messages                 the private thread
    POST /deals/{id}/messages
    POST /deals/{id}/nda                      propose the standard NDA
    POST /ndas/{id}/accept | decline
    POST /deals/{id}/payments                 record a payment under a signed licence (owners):
                                              revenue of the asset, shared out by payouts

An asset you may not see, and a deal you are not a side of, are 404 here as
everywhere; one you see but may not change is 403. Errors are problem+json
(core/api.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.licensing import selectors, services
from conceptcloud.licensing.models import Deal, DealMessage, LicenceOffer, Nda, Side, Template
from conceptcloud.licensing.schemas import (
    AcceptIn,
    DealOut,
    DealQuery,
    InquiryIn,
    MessageIn,
    MessageOut,
    MoveIn,
    NdaOut,
    NdaProposeIn,
    OfferIn,
    OfferOut,
    PaymentIn,
    PaymentOut,
    TemplateOut,
    TermsIn,
)
from conceptcloud.registry import selectors as registry_selectors
from conceptcloud.registry.models import Asset

router = Router(tags=["Licensing"])


# Shaping ---------------------------------------------------------------------


def _asset_ref(request: HttpRequest, asset: Asset) -> dict:
    """The asset by id, with its title and address only for those who may see it."""
    if registry_selectors.asset_access(asset=asset, user=request.auth) == registry_selectors.Access.NONE:
        return {"id": asset.pk, "title": None, "url": None}
    url = request.build_absolute_uri(reverse("api:asset_detail", kwargs={"asset_id": asset.pk}))
    return {"id": asset.pk, "title": asset.title, "url": url}


def _offer_out(request: HttpRequest, offer: LicenceOffer) -> dict:
    return {
        "id": offer.pk,
        "asset": _asset_ref(request, offer.asset),
        "template": offer.template,
        "title": offer.title,
        "notes": offer.notes,
        "acceptance": offer.acceptance,
        "status": offer.status,
        "terms": services.terms_payload(offer),
        "created_at": offer.created_at,
        "withdrawn_at": offer.withdrawn_at,
    }


def _nda_out(nda: Nda | None) -> dict | None:
    if nda is None:
        return None
    return {
        "id": nda.pk,
        "status": nda.status,
        "term_months": nda.term_months,
        "text": nda.text,
        "proposed_by": nda.proposed_by.username,
        "owner_accepted_by": nda.owner_accepted_by.username if nda.owner_accepted_by_id else None,
        "owner_accepted_at": nda.owner_accepted_at,
        "seeker_accepted_at": nda.seeker_accepted_at,
        "created_at": nda.created_at,
        "decided_at": nda.decided_at,
    }


def _deal_out(request: HttpRequest, view: selectors.DealView) -> dict:
    deal = view.deal
    return {
        "id": deal.pk,
        "asset": _asset_ref(request, deal.asset),
        "offer_id": deal.offer_id,
        "origin": deal.origin,
        "stage": deal.stage,
        "side": view.side,
        "seeker": deal.seeker.username,
        "seeker_org": deal.seeker_org.slug if deal.seeker_org_id else None,
        "terms": services.terms_payload(deal),
        "moves": selectors.deal_moves(view=view),
        "nda": _nda_out(selectors.deal_nda(view=view)),
        "access_granted": deal.access_granted,
        "created_at": deal.created_at,
        "stage_changed_at": deal.stage_changed_at,
        "signed_at": deal.signed_at,
        "ended_at": deal.ended_at,
    }


def _reloaded(request: HttpRequest, deal: Deal) -> dict:
    return _deal_out(request, selectors.deal_get_for_user(deal_id=deal.pk, user=request.auth))


def _message_out(message: DealMessage, deal: Deal) -> dict:
    return {
        "id": message.pk,
        "author": message.author.username,
        "side": Side.SEEKER if message.author_id == deal.seeker_id else Side.OWNER,
        "body": message.body,
        "created_at": message.created_at,
    }


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    return registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth).asset


def _deal(request: HttpRequest, deal_id: int) -> selectors.DealView:
    return selectors.deal_get_for_user(deal_id=deal_id, user=request.auth)


# Templates and offers --------------------------------------------------------


@router.get("/licence-templates/", response={200: list[TemplateOut], **problems(401)}, summary="List licence templates")
def template_list(request):
    """The offer templates and the terms each prefills (before the asset's own royalty for derivatives)."""
    rows = []
    for value, label in Template.choices:
        data = services.offer_template(template=value)
        rows.append(
            {
                "template": value,
                "label": str(label),
                "title": data.title,
                "acceptance": data.acceptance,
                "terms": services.terms_payload(data),
            }
        )
    return rows


@router.get(
    "/assets/{int:asset_id}/offers",
    response={200: list[OfferOut], **problems(401, 404)},
    summary="List an asset's offers",
)
def offer_list(request, asset_id: int):
    """Open offers for everyone who may see the asset (its teaser is enough); withdrawn ones too for its owners."""
    view = registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    return [_offer_out(request, offer) for offer in selectors.offers_for_asset(view=view)]


@router.post(
    "/assets/{int:asset_id}/offers",
    auth=AUTH_REQUIRED,
    response={201: OfferOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Offer a licence",
)
def offer_create(request, asset_id: int, payload: OfferIn):
    """Offer a licence on your asset. Fields you leave out take the values of `template` (and its
    title). Amounts in minor units, percentages in basis points. The royalty owed by derivatives
    becomes the asset's lineage term; every open offer allowing derivatives asks the same."""
    asset = _asset(request, asset_id)
    given = payload.model_dump(exclude_unset=True)
    data = replace(services.offer_template(template=payload.template, asset=asset), **given)
    offer = services.offer_create(actor=request.auth, asset=asset, data=data)
    return Status(201, _offer_out(request, offer))


@router.get("/offers/{int:offer_id}", response={200: OfferOut, **problems(401, 404)}, summary="Get an offer")
def offer_detail(request, offer_id: int):
    return _offer_out(request, selectors.offer_get_for_user(offer_id=offer_id, user=request.auth))


@router.post(
    "/offers/{int:offer_id}/withdraw",
    auth=AUTH_REQUIRED,
    response={200: OfferOut, **problems(400, 401, 403, 404, 409)},
    summary="Withdraw an offer",
)
def offer_withdraw(request, offer_id: int):
    """Close the offer to new deals (owners; once, then 409). Deals made under it go on."""
    offer = selectors.offer_get_for_user(offer_id=offer_id, user=request.auth)
    return _offer_out(request, services.offer_withdraw(actor=request.auth, offer=offer))


@router.post(
    "/offers/{int:offer_id}/accept",
    auth=AUTH_REQUIRED,
    response={201: DealOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Accept an express offer",
)
def offer_accept(request, offer_id: int, payload: AcceptIn):
    """Accept an express offer in one step: the deal is `active` at once, on the offer's terms, for
    you or the organisation you act for. 409 for an offer by negotiation, a withdrawn one, or a
    licence you hold already."""
    offer = selectors.offer_get_for_user(offer_id=offer_id, user=request.auth)
    deal = services.offer_accept(actor=request.auth, offer=offer, organisation=payload.organisation)
    return Status(201, _reloaded(request, deal))


# Inquiries and deals -----------------------------------------------------------


@router.post(
    "/assets/{int:asset_id}/inquiries",
    auth=AUTH_REQUIRED,
    response={201: DealOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Inquire about an asset",
)
def inquiry_create(request, asset_id: int, payload: InquiryIn):
    """Express interest: a deal at `inquiry` whose private thread opens with your message. One open
    inquiry per asset (409 while one is under way)."""
    asset = _asset(request, asset_id)
    offer = None
    if payload.offer_id is not None:
        try:
            offer = selectors.offer_get_for_user(offer_id=payload.offer_id, user=request.auth)
        except NotFound:
            raise InvalidInput.field("offer", _("Choose one of this asset's open offers.")) from None
    deal = services.inquiry_create(
        actor=request.auth, asset=asset, message=payload.message, offer=offer, organisation=payload.organisation
    )
    return Status(201, _reloaded(request, deal))


@router.get(
    "/deals/", auth=AUTH_REQUIRED, response={200: Page[DealOut], **problems(401, 422)}, summary="List your deals"
)
def deal_list(request, filters: Query[DealQuery], paging: Query[PageParams]):
    """Your deals as seeker and on the assets you manage, most recently moved first."""
    deals = selectors.deals_for_user(user=request.auth, stage=filters.stage or "")
    return paginate(
        request,
        deals,
        paging,
        shape=lambda deal: _deal_out(
            request, selectors.DealView(deal=deal, side=selectors.deal_side(deal=deal, user=request.auth))
        ),
    )


@router.get(
    "/deals/{int:deal_id}", auth=AUTH_REQUIRED, response={200: DealOut, **problems(401, 404)}, summary="Get a deal"
)
def deal_detail(request, deal_id: int):
    """A deal, for its seeker and the asset's owners only."""
    return _deal_out(request, _deal(request, deal_id))


@router.put(
    "/deals/{int:deal_id}/terms",
    auth=AUTH_REQUIRED,
    response={200: DealOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Set a deal's terms",
)
def deal_terms(request, deal_id: int, payload: TermsIn):
    """The terms the licence will be signed on (the asset's owners, until signing)."""
    view = _deal(request, deal_id)
    deal = services.deal_terms_set(actor=request.auth, deal=view.deal, data=services.TermsData(**payload.model_dump()))
    return _reloaded(request, deal)


@router.post(
    "/deals/{int:deal_id}/moves",
    auth=AUTH_REQUIRED,
    response={200: DealOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Move a deal along the pipeline",
)
def deal_move(request, deal_id: int, payload: MoveIn):
    """inquiry → nda → evaluation → negotiation → signed → active → closed, or terminated before.
    The owners make the moves; the seeker may only move to `terminated` before signing (403).
    A move the stage does not allow: 409. `moves` in the deal says which you may make now."""
    view = _deal(request, deal_id)
    return _reloaded(request, services.deal_move(actor=request.auth, deal=view.deal, stage=payload.stage))


@router.get(
    "/deals/{int:deal_id}/messages",
    auth=AUTH_REQUIRED,
    response={200: list[MessageOut], **problems(401, 404)},
    summary="Read a deal's thread",
)
def message_list(request, deal_id: int):
    """The private thread, oldest first. Messages never reach the public history."""
    view = _deal(request, deal_id)
    return [_message_out(message, view.deal) for message in selectors.deal_messages(view=view)]


@router.post(
    "/deals/{int:deal_id}/messages",
    auth=AUTH_REQUIRED,
    response={201: MessageOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Write in a deal's thread",
)
def message_create(request, deal_id: int, payload: MessageIn):
    view = _deal(request, deal_id)
    message = services.deal_message_post(actor=request.auth, deal=view.deal, body=payload.body)
    return Status(201, _message_out(message, view.deal))


@router.post(
    "/deals/{int:deal_id}/nda",
    auth=AUTH_REQUIRED,
    response={201: NdaOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Propose the standard NDA",
)
def nda_propose(request, deal_id: int, payload: NdaProposeIn):
    """Propose the platform's standard NDA (your side accepts by proposing). Once the other side
    accepts, the seeker may read the confidential details of the asset."""
    view = _deal(request, deal_id)
    nda = services.nda_propose(actor=request.auth, deal=view.deal, term_months=payload.term_months)
    return Status(201, _nda_out(nda))


@router.post(
    "/ndas/{int:nda_id}/{decision}",
    auth=AUTH_REQUIRED,
    response={200: NdaOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Accept or decline an NDA",
)
def nda_decide(request, nda_id: int, decision: Literal["accept", "decline"]):
    """`accept`: your side's acceptance; with both, the NDA is in force. `decline`: refuse (or
    withdraw) a proposed NDA. Once only: then 409."""
    nda = selectors.nda_get_for_user(nda_id=nda_id, user=request.auth)
    decide = services.nda_accept if decision == "accept" else services.nda_decline
    return _nda_out(decide(actor=request.auth, nda=nda))


@router.post(
    "/deals/{int:deal_id}/payments",
    auth=AUTH_REQUIRED,
    response={200: PaymentOut, 201: PaymentOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Record a payment under a deal",
)
def payment_create(request, deal_id: int, payload: PaymentIn):
    """The asset's owners record what the licensee paid under a signed licence: revenue of the asset
    from this deal, shared out along its lineage at once (see Payouts). The same `idempotency_key`
    again records nothing more (200, `created: false`). Before signing: 409."""
    view = _deal(request, deal_id)
    event, created = services.deal_payment_record(actor=request.auth, deal=view.deal, **payload.model_dump())
    body = {
        "revenue_event": event.pk,
        "created": created,
        "amount": event.amount,
        "currency": event.currency,
        "date": event.date,
    }
    return Status(201 if created else 200, body)
