"""The licensing pages: thin adapters over licensing.services and licensing.selectors.

    offer_create      /assets/<id>/offers/new/       managers: the offer form; ?template= prefills
                                                     the terms (htmx swaps the form when it changes)
    offer_detail      /offers/<id>/                  an offer's terms, accept or inquire
    offer_withdraw    /offers/<id>/withdraw/         POST, managers: offer_withdraw
    offer_accept      /offers/<id>/accept/           POST: offer_accept (express offers)
    inquiry_create    /assets/<id>/inquire/          the inquiry form: inquiry_create
    deal_list         /deals/                        my deals, on both sides, by stage
    deal_detail       /deals/<id>/                   terms, stage and moves, NDA, thread
    deal_message      /deals/<id>/messages/          POST: deal_message_post (htmx: the thread)
    deal_move         /deals/<id>/move/              POST: deal_move
    deal_terms        /deals/<id>/terms/             owners: deal_terms_set
    nda_propose       /deals/<id>/nda/               POST: nda_propose
    nda_decide        /ndas/<id>/decide/             POST: nda_accept or nda_decline
    deal_payment      /deals/<id>/payments/          POST, owners of a signed deal: deal_payment_record,
                                                     then the revenue event's page (payouts)

Assets come only through registry.selectors.asset_get_for_user, offers, deals
and NDAs through their *_get_for_user selectors: absent and invisible are the
same 404. Every change is one service call; its ApplicationError goes back onto
the form by the field (or, for a button, into a message) and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.core.views import found_or_404
from conceptcloud.licensing import selectors, services
from conceptcloud.licensing.forms import AcceptForm, InquiryForm, MessageForm, OfferForm, TermsForm
from conceptcloud.licensing.models import Deal, LicenceOffer, Nda, Side, Stage, Template
from conceptcloud.payouts.forms import RevenueForm
from conceptcloud.registry.selectors import AssetView, asset_get_for_user

PAGE_SIZE = 25


def _managed(request: HttpRequest, asset_id: int) -> AssetView:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    if not view.can_manage:
        raise Http404
    return view


def _organisations(request: HttpRequest):
    return account_selectors.organisations_for_user(user=request.user).order_by("name")


# ---------------------------------------------------------------- offers


def _offer_page(request, view: AssetView, form: OfferForm, *, status: int = 200) -> HttpResponse:
    context = {"asset": view.asset, "view": view, "form": form, "templates": Template.choices}
    name = (
        "licensing/partials/_offer_form.html"
        if request.htmx and request.method == "GET"
        else "licensing/offer_form.html"
    )
    return render(request, name, context, status=status)


@login_required
def offer_create(request: HttpRequest, asset_id: int) -> HttpResponse:
    """GET: the form, its terms prefilled from ?template= (default: express). POST: offer_create."""
    view = _managed(request, asset_id)
    if request.method != "POST":
        template = request.GET.get("template") or Template.EXPRESS
        if template not in Template.values:
            template = Template.EXPRESS
        data = services.offer_template(template=template, asset=view.asset)
        initial = {
            **OfferForm.initial_from(data),
            "template": data.template,
            "title": data.title,
            "acceptance": data.acceptance,
            "notes": "",
        }
        return _offer_page(request, view, OfferForm(initial=initial))
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            services.offer_create(actor=request.user, asset=view.asset, data=form.to_data())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your licence offer is published on the asset's page."))
            return redirect("registry:asset_detail", asset_id=view.asset.pk)
    return _offer_page(request, view, form, status=422)


def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = found_or_404(selectors.offer_get_for_user, offer_id=offer_id, user=request.user)
    view = found_or_404(asset_get_for_user, asset_id=offer.asset_id, user=request.user)
    signed_in = request.user.is_authenticated and request.user.is_active
    context = {
        "offer": offer,
        "asset": offer.asset,
        "view": view,
        "may_seek": signed_in and not view.can_manage and offer.status == LicenceOffer.Status.OPEN,
        "accept_form": AcceptForm(organisations=_organisations(request)) if signed_in else None,
    }
    return render(request, "licensing/offer_detail.html", context)


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = found_or_404(selectors.offer_get_for_user, offer_id=offer_id, user=request.user)
    try:
        services.offer_withdraw(actor=request.user, offer=offer)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The offer is withdrawn. Deals made under it go on."))
    return redirect("registry:asset_detail", asset_id=offer.asset_id)


@login_required
@require_POST
def offer_accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = found_or_404(selectors.offer_get_for_user, offer_id=offer_id, user=request.user)
    form = AcceptForm(request.POST, organisations=_organisations(request))
    if form.is_valid():
        try:
            deal = services.offer_accept(
                actor=request.user, offer=offer, organisation=form.cleaned_data["organisation"] or None
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Accepted: your licence is active."))
            return redirect("licensing:deal_detail", deal_id=deal.pk)
    view = found_or_404(asset_get_for_user, asset_id=offer.asset_id, user=request.user)
    context = {"offer": offer, "asset": offer.asset, "view": view, "may_seek": True, "accept_form": form}
    return render(request, "licensing/offer_detail.html", context, status=422)


# ---------------------------------------------------------------- inquiries


@login_required
def inquiry_create(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(asset_get_for_user, asset_id=asset_id, user=request.user)
    if view.can_manage:
        messages.error(request, _("This asset is yours: you cannot inquire about it."))
        return redirect("registry:asset_detail", asset_id=asset_id)
    offers = list(selectors.offers_for_asset(view=view))
    organisations = _organisations(request)
    existing = selectors.open_deal_for_seeker(asset=view.asset, user=request.user)
    if request.method != "POST":
        offer_id = request.GET.get("offer", "")
        initial = {"offer": int(offer_id)} if offer_id.isdigit() else {}
        form = InquiryForm(initial=initial, offers=offers, organisations=organisations)
        status = 200
    else:
        form = InquiryForm(request.POST, offers=offers, organisations=organisations)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            offer = next((o for o in offers if o.pk == data["offer"]), None)
            try:
                deal = services.inquiry_create(
                    actor=request.user,
                    asset=view.asset,
                    message=data["message"],
                    offer=offer,
                    organisation=data["organisation"] or None,
                )
            except NotFound:
                raise Http404 from None
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Sent. The owners will answer in this deal's thread."))
                return redirect("licensing:deal_detail", deal_id=deal.pk)
    context = {"asset": view.asset, "view": view, "form": form, "existing": existing}
    return render(request, "licensing/inquiry_form.html", context, status=status)


# ---------------------------------------------------------------- deals


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    deals = selectors.deals_for_user(user=request.user, stage=stage)
    counts = selectors.deal_counts_by_stage(user=request.user)
    context = {
        "page_obj": Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page")),
        "stage": stage,
        "stages": [(value, label, counts[value]) for value, label in Stage.choices],
    }
    return render(request, "licensing/deal_list.html", context)


def _deal_page(
    request, view: selectors.DealView, *, message_form=None, payment_form=None, status: int = 200
) -> HttpResponse:
    deal = view.deal
    nda = selectors.deal_nda(view=view)
    may_record = view.is_owner and deal.signed_at is not None
    context = {
        "payments": selectors.deal_payments(view=view),
        "payment_form": (payment_form or RevenueForm(currency=deal.currency or "EUR")) if may_record else None,
        "deal": deal,
        "dv": view,
        "asset": deal.asset,
        "messages_list": selectors.deal_messages(view=view),
        "message_form": message_form or MessageForm(),
        "moves": [(stage, Stage(stage).label) for stage in selectors.deal_moves(view=view)],
        "nda": nda,
        "may_accept_nda": _may_accept(nda, view.side),
        "ndas": selectors.deal_ndas(view=view),
        "may_propose_nda": deal.stage in (Stage.INQUIRY, Stage.NDA, Stage.EVALUATION, Stage.NEGOTIATION),
        "owner_side": Side.OWNER,
        "stages": [s for s in Stage if s != Stage.TERMINATED],
    }
    return render(request, "licensing/deal_detail.html", context, status=status)


def _may_accept(nda: Nda | None, side: str) -> bool:
    if nda is None or nda.status != Nda.Status.PROPOSED:
        return False
    return nda.owner_accepted_at is None if side == Side.OWNER else nda.seeker_accepted_at is None


@login_required
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    return _deal_page(request, view)


@login_required
@require_POST
def deal_message(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.deal_message_post(actor=request.user, deal=view.deal, body=form.cleaned_data["body"])
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if request.htmx:
                context = {
                    "dv": view,
                    "deal": view.deal,
                    "messages_list": selectors.deal_messages(view=view),
                    "message_form": MessageForm(),
                }
                return render(request, "licensing/partials/_thread.html", context)
            return redirect("licensing:deal_detail", deal_id=view.deal.pk)
    if request.htmx:
        context = {
            "dv": view,
            "deal": view.deal,
            "messages_list": selectors.deal_messages(view=view),
            "message_form": form,
        }
        return render(request, "licensing/partials/_thread.html", context, status=422)
    return _deal_page(request, view, message_form=form, status=422)


def _done(request: HttpRequest, deal: Deal, call, success: str) -> HttpResponse:
    """Run a button's service; its refusal becomes a message on the deal page."""
    try:
        call()
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("licensing:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    stage = request.POST.get("stage", "")
    label = Stage(stage).label if stage in Stage.values else stage
    return _done(
        request,
        view.deal,
        lambda: services.deal_move(actor=request.user, deal=view.deal, stage=stage),
        _("The deal moved to “%(stage)s”.") % {"stage": label},
    )


@login_required
def deal_terms(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    if not view.is_owner:
        raise Http404
    if request.method != "POST":
        form = TermsForm(initial=TermsForm.initial_from(view.deal))
        status = 200
    else:
        form = TermsForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.deal_terms_set(actor=request.user, deal=view.deal, data=form.to_terms())
            except NotFound:
                raise Http404 from None
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The terms under discussion are saved."))
                return redirect("licensing:deal_detail", deal_id=view.deal.pk)
    return render(request, "licensing/deal_terms.html", {"deal": view.deal, "dv": view, "form": form}, status=status)


@login_required
@require_POST
def nda_propose(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    return _done(
        request,
        view.deal,
        lambda: services.nda_propose(actor=request.user, deal=view.deal),
        _("NDA proposed. It is in force once the other side accepts it too."),
    )


@login_required
@require_POST
def nda_decide(request: HttpRequest, nda_id: int) -> HttpResponse:
    nda = found_or_404(selectors.nda_get_for_user, nda_id=nda_id, user=request.user)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose whether to accept or decline the NDA."))
        return redirect("licensing:deal_detail", deal_id=nda.deal_id)
    if decision == "decline":
        return _done(
            request, nda.deal, lambda: services.nda_decline(actor=request.user, nda=nda), _("The NDA is declined.")
        )

    try:
        accepted = services.nda_accept(actor=request.user, nda=nda)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if accepted.status == Nda.Status.IN_FORCE:
            messages.success(request, _("Both sides have accepted: the NDA is in force."))
        else:
            messages.success(request, _("You accepted the NDA."))
    return redirect("licensing:deal_detail", deal_id=nda.deal_id)


@login_required
@require_POST
def deal_payment(request: HttpRequest, deal_id: int) -> HttpResponse:
    view = found_or_404(selectors.deal_get_for_user, deal_id=deal_id, user=request.user)
    if not view.is_owner:
        raise Http404
    form = RevenueForm(request.POST, currency=view.deal.currency or "EUR")
    if form.is_valid():
        arguments = form.arguments()
        try:
            event, created = services.deal_payment_record(
                actor=request.user,
                deal=view.deal,
                amount=arguments["amount"],
                currency=arguments["currency"],
                date=arguments["date"],
                idempotency_key=arguments["idempotency_key"],
                note=arguments["note"],
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if created:
                messages.success(request, _("Payment recorded and shared out along the lineage."))
            else:
                messages.info(request, _("This payment was recorded already."))
            return redirect("payouts:revenue_event", asset_id=event.asset_id, event_id=event.pk)
    return _deal_page(request, view, payment_form=form, status=422)
