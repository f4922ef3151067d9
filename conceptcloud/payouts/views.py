"""The payouts pages: thin adapters over payouts.services and payouts.selectors.

    statement        /payouts/statement/?account=            your balances and lines, each explained;
                                                             an organisation's for its admins
                                                             (account=org:<slug>); the operator's
                                                             payout form where they may record one
    statement_csv    /payouts/statement.csv?account=         the same lines as CSV (one data function)
    payout_create    /payouts/pay/?account=                  POST: payout_record
    asset_revenue    /assets/<id>/revenue/                   managers: the asset's revenue events and
                                                             the form to record one
    revenue_event    /assets/<id>/revenue/<event>/           managers: an event, its recipients'
                                                             lines, the refund form (POST: revenue_refund)

Statements come only through statement_owner_get_for_user, revenue only through
asset_revenue_view: whoever may not read them gets the 404 page. Every change is
one service call; its ApplicationError goes back onto the form by the field and
nothing is saved.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conceptcloud.core.errors import ApplicationError
from conceptcloud.core.views import found_or_404
from conceptcloud.payouts import selectors, services
from conceptcloud.payouts.explain import statement_csv_rows
from conceptcloud.payouts.forms import PayoutForm, RefundForm, RevenueForm
from conceptcloud.payouts.money import money

PAGE_SIZE = 50


def _statement_url(owner: selectors.StatementOwner) -> str:
    url = reverse("payouts:statement")
    return url if owner.param == "me" else f"{url}?{urlencode({'account': owner.param})}"


def _statement_page(request: HttpRequest, owner: selectors.StatementOwner, *, payout_form=None) -> HttpResponse:
    statement = selectors.statement_for_user(owner=owner, user=request.user)
    positive = [currency for currency, amount in statement.balances.items() if amount > 0]
    if owner.may_pay_out and positive and payout_form is None:
        payout_form = PayoutForm(currencies=positive)
    context = {
        "owner": owner,
        "owners": selectors.statement_owners_for_user(user=request.user),
        "balances": statement.balances,
        "page_obj": Paginator(statement.lines, PAGE_SIZE).get_page(request.GET.get("page")),
        "payout_form": payout_form if owner.may_pay_out else None,
        "csv_query": "" if owner.param == "me" else urlencode({"account": owner.param}),
    }
    return render(request, "payouts/statement.html", context)


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    owner = found_or_404(
        selectors.statement_owner_get_for_user, account=request.GET.get("account", ""), user=request.user
    )
    return _statement_page(request, owner)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def statement_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every line of the statement, newest first, streamed a chunk at a time."""
    owner = found_or_404(
        selectors.statement_owner_get_for_user, account=request.GET.get("account", ""), user=request.user
    )
    lines = selectors.statement_for_user(owner=owner, user=request.user).lines
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in statement_csv_rows(lines)), content_type="text/csv; charset=utf-8"
    )
    name = owner.param.replace(":", "-")
    response["Content-Disposition"] = f'attachment; filename="statement-{name}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def payout_create(request: HttpRequest) -> HttpResponse:
    owner = found_or_404(
        selectors.statement_owner_get_for_user, account=request.GET.get("account", ""), user=request.user
    )
    balances = selectors.balances(key=owner.key)
    form = PayoutForm(request.POST, currencies=sorted(balances))
    if form.is_valid():
        try:
            payout, created = services.payout_record(actor=request.user, account_key=owner.key, **form.arguments())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if created:
                messages.success(
                    request, _("Payout of %(amount)s recorded.") % {"amount": money(payout.amount, payout.currency)}
                )
            else:
                messages.info(request, _("This payout was recorded already."))
            return redirect(_statement_url(owner))
    return _statement_page(request, owner, payout_form=form)


# ---------------------------------------------------------------- revenue of an asset


def _revenue_page(request: HttpRequest, view, *, form=None) -> HttpResponse:
    events = selectors.revenue_events_for_asset(asset=view.asset)
    last = events.first()
    context = {
        "asset": view.asset,
        "page_obj": Paginator(events, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form or RevenueForm(currency=last.currency if last else "EUR"),
    }
    return render(request, "payouts/asset_revenue.html", context)


@login_required
def asset_revenue(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(selectors.asset_revenue_view, asset_id=asset_id, user=request.user)
    if request.method != "POST":
        return _revenue_page(request, view)
    form = RevenueForm(request.POST)
    if form.is_valid():
        try:
            event, created = services.revenue_record(actor=request.user, asset=view.asset, **form.arguments())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if not created:
                messages.info(request, _("This revenue was recorded already."))
            elif event.distributed:
                messages.success(request, _("Revenue recorded and shared out along the lineage."))
            else:
                messages.success(request, _("Revenue recorded. Its lineage is large: it is being shared out now."))
            return redirect("payouts:revenue_event", asset_id=view.asset.pk, event_id=event.pk)
    return _revenue_page(request, view, form=form)


def _event_page(request: HttpRequest, event, *, form=None) -> HttpResponse:
    remaining = selectors.refundable(event=event) if not event.is_refund else 0
    context = {
        "asset": event.asset,
        "earning": selectors.AssetRef(asset_id=event.asset_id, title=event.asset.title),
        "event": event,
        "lines": selectors.event_lines(event=event, user=request.user),
        "refunds": selectors.revenue_events_for_asset(asset=event.asset).filter(refund_of=event),
        "remaining": remaining,
        "form": form or (RefundForm(event=event) if remaining and event.distributed else None),
    }
    return render(request, "payouts/revenue_event.html", context)


@login_required
def revenue_event(request: HttpRequest, asset_id: int, event_id: int) -> HttpResponse:
    event = found_or_404(selectors.revenue_event_get_for_user, asset_id=asset_id, event_id=event_id, user=request.user)
    if request.method != "POST":
        return _event_page(request, event)
    form = RefundForm(request.POST, event=event)
    if form.is_valid():
        try:
            refund, created = services.revenue_refund(actor=request.user, event=event, **form.arguments())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if created:
                messages.success(
                    request,
                    _("Refund of %(amount)s recorded; it was taken back from every line.")
                    % {"amount": money(-refund.amount, refund.currency)},
                )
            else:
                messages.info(request, _("This refund was recorded already."))
            return redirect("payouts:revenue_event", asset_id=asset_id, event_id=event.pk)
    return _event_page(request, event, form=form)
