"""Payouts endpoints under /api/v1/ (tag "Payouts"). Thin adapters: parse →
payouts services/selectors → shape.

    GET  /payouts/statements                     the statements you may open, with balances
    GET  /payouts/statement?account=             balances and lines (paged), each line explained
    POST /payouts/                               record a payout (operator; an organisation's admins)
    GET  /assets/{id}/revenue                    the asset's revenue events (its owners)
    POST /assets/{id}/revenue                    record revenue (its owners): 201, or 200 with the
                                                 first event when the idempotency key was used
    GET  /assets/{id}/revenue/{event}            an event and who was paid (its owners)
    POST /assets/{id}/revenue/{event}/refunds    refund part or all of it: 201 (200 for a used key)

A statement or revenue you may not read is 404, as for an absent one; revenue of
an asset you see but do not own is 403 for changes. Errors are problem+json
(core/api.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.payouts import selectors, services
from conceptcloud.payouts.explain import explanation_text
from conceptcloud.payouts.models import Payout, RevenueEvent
from conceptcloud.payouts.money import minor_units, money
from conceptcloud.payouts.schemas import (
    PayoutIn,
    PayoutOut,
    RefundIn,
    RevenueEventDetailOut,
    RevenueEventOut,
    RevenueIn,
    StatementOut,
    StatementOwnerOut,
    StatementQuery,
)
from conceptcloud.registry import selectors as registry_selectors

router = Router(tags=["Payouts"])


# Shaping ---------------------------------------------------------------------


def _money(amount: int, currency: str) -> dict:
    return {
        "amount": amount,
        "currency": currency,
        "minor_units": minor_units(currency),
        "display": money(amount, currency),
    }


def _ref(request: HttpRequest, ref: selectors.AssetRef) -> dict:
    url = reverse("api:asset_detail", kwargs={"asset_id": ref.asset_id}) if ref.visible else None
    return {"id": ref.asset_id, "title": ref.title, "url": request.build_absolute_uri(url) if url else None}


def _explanations(request: HttpRequest, explanations, earning: selectors.AssetRef, *, own: bool) -> list[dict]:
    return [
        {
            "asset": _ref(request, e.asset),
            "direct": e.direct,
            "percent": e.percent,
            "fraction": e.fraction,
            "kept_bp": e.kept_bp,
            "share_bp": e.share_bp,
            "path": [{"asset": _ref(request, hop.asset), "royalty_bp": hop.royalty_bp} for hop in e.path],
            "path_length": e.path_length,
            "paths": e.paths,
            "text": explanation_text(e, earning=earning, own=own),
        }
        for e in explanations
    ]


def _line_out(request: HttpRequest, line: selectors.StatementLine) -> dict:
    earning = line.earning_asset
    return {
        "id": line.line_id,
        "kind": line.kind,
        "date": line.date,
        "created_at": line.created_at,
        "amount": _money(line.amount, line.currency),
        "asset": _ref(request, earning) if earning else None,
        "event": line.event_id,
        "reference": line.payout_reference,
        "explanations": _explanations(request, line.explanations, earning, own=True) if earning else [],
        "more_sources": line.more_sources,
    }


def _balances_out(balances: dict[str, int]) -> list[dict]:
    return [_money(amount, currency) for currency, amount in balances.items()]


def _event_out(event: RevenueEvent) -> dict:
    revenue = not event.is_refund
    refunded = getattr(event, "refunded", None)
    if revenue and refunded is None:
        refunded = selectors.refundable(event=event) - event.amount
    return {
        "id": event.pk,
        "asset": event.asset_id,
        "amount": _money(event.amount, event.currency),
        "date": event.date,
        "source": event.source,
        "deal": event.deal_ref,
        "refund_of": event.refund_of_id,
        "idempotency_key": event.idempotency_key,
        "note": event.note,
        "recorded_by": event.recorded_by.username,
        "created_at": event.created_at,
        "distributed": event.distributed,
        "refunded": _money(-refunded, event.currency) if revenue else None,
        "refundable": _money(event.amount + refunded, event.currency) if revenue else None,
    }


def _payout_out(payout: Payout, owner: selectors.StatementOwner) -> dict:
    return {
        "id": payout.pk,
        "account": owner.param,
        "amount": _money(payout.amount, payout.currency),
        "reference": payout.reference,
        "recorded_by": payout.recorded_by.username,
        "created_at": payout.created_at,
    }


# Statements --------------------------------------------------------------------


@router.get(
    "/payouts/statements",
    auth=AUTH_REQUIRED,
    response={200: list[StatementOwnerOut], **problems(401)},
    summary="Statements you may open",
)
def statement_owner_list(request):
    """Your own statement, then those of the organisations you administer, each with its balances."""
    return [
        {
            "account": owner.param,
            "label": owner.label,
            "kind": owner.kind,
            "balances": _balances_out(selectors.balances(key=owner.key)),
        }
        for owner in selectors.statement_owners_for_user(user=request.auth)
    ]


@router.get(
    "/payouts/statement",
    auth=AUTH_REQUIRED,
    response={200: StatementOut, **problems(401, 404, 422)},
    summary="Get a statement",
)
def statement_detail(request, query: Query[StatementQuery], paging: Query[PageParams]):
    """Balances per currency (what has not been paid out) and the lines, newest first: revenue shares,
    refunds and payouts. Each revenue or refund line explains itself: the assets the money came through,
    the percentage of the revenue that reached each, the recipient's share there and the path from the
    asset that earned it. Assets you may not see are named by number only."""
    owner = selectors.statement_owner_get_for_user(account=query.account, user=request.auth)
    statement = selectors.statement_for_user(owner=owner, user=request.auth)
    page = paginate(request, statement.lines, paging, shape=lambda line: _line_out(request, line))
    return {
        "account": owner.param,
        "label": owner.label,
        "kind": owner.kind,
        "balances": _balances_out(statement.balances),
        **page,
    }


@router.post(
    "/payouts/",
    auth=AUTH_REQUIRED,
    response={200: PayoutOut, 201: PayoutOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Record a payout",
)
def payout_create(request, payload: PayoutIn):
    """Money paid out of a balance: the operator for anyone, an organisation's admins for its account.
    Never more than the balance in that currency (422 under `amount`). A used idempotency key answers
    200 with the first payout."""
    owner = selectors.statement_owner_get_for_user(account=payload.account, user=request.auth)
    payout, created = services.payout_record(
        actor=request.auth,
        account_key=owner.key,
        amount=payload.amount,
        currency=payload.currency,
        idempotency_key=payload.idempotency_key,
        reference=payload.reference,
    )
    return Status(201 if created else 200, _payout_out(payout, owner))


# Revenue of an asset -------------------------------------------------------------


@router.get(
    "/assets/{int:asset_id}/revenue",
    auth=AUTH_REQUIRED,
    response={200: Page[RevenueEventOut], **problems(401, 404)},
    summary="List an asset's revenue",
)
def revenue_list(request, asset_id: int, paging: Query[PageParams]):
    """The asset's revenue events and refunds, newest first (its owners only)."""
    view = selectors.asset_revenue_view(asset_id=asset_id, user=request.auth)
    return paginate(request, selectors.revenue_events_for_asset(asset=view.asset), paging, shape=_event_out)


@router.post(
    "/assets/{int:asset_id}/revenue",
    auth=AUTH_REQUIRED,
    response={200: RevenueEventOut, 201: RevenueEventOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Record revenue",
)
def revenue_create(request, asset_id: int, payload: RevenueIn):
    """Record money the asset earned (its owners only). It is shared out at once over the asset's
    approved lineage by the cascade rule (`distributed: true`), or by a background task for a very
    large lineage (`distributed: false` until it is done). The same idempotency key again answers 200
    with the first event; with other values, 409."""
    asset = registry_selectors.asset_get_for_user(asset_id=asset_id, user=request.auth).asset
    event, created = services.revenue_record(
        actor=request.auth,
        asset=asset,
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date or timezone.localdate(),
        idempotency_key=payload.idempotency_key,
        note=payload.note,
    )
    return Status(201 if created else 200, _event_out(event))


@router.get(
    "/assets/{int:asset_id}/revenue/{int:event_id}",
    auth=AUTH_REQUIRED,
    response={200: RevenueEventDetailOut, **problems(401, 404)},
    summary="Get a revenue event",
)
def revenue_detail(request, asset_id: int, event_id: int):
    """An event and its recipients' lines, each with what remains after refunds and why it was paid."""
    event = selectors.revenue_event_get_for_user(asset_id=asset_id, event_id=event_id, user=request.auth)
    earning = selectors.AssetRef(asset_id=event.asset_id, title=event.asset.title)
    lines = [
        {
            "recipient": line.recipient,
            "amount": _money(line.amount, event.currency),
            "remaining": _money(line.remaining, event.currency),
            "explanations": _explanations(request, line.explanations, earning, own=False),
            "more_sources": line.more_sources,
        }
        for line in selectors.event_lines(event=event, user=request.auth)
    ]
    return {**_event_out(event), "lines": lines}


@router.post(
    "/assets/{int:asset_id}/revenue/{int:event_id}/refunds",
    auth=AUTH_REQUIRED,
    response={200: RevenueEventOut, 201: RevenueEventOut, **problems(400, 401, 403, 404, 409, 422)},
    summary="Refund revenue",
)
def refund_create(request, asset_id: int, event_id: int, payload: RefundIn):
    """Give back `amount` of an event: a negative event that takes back from everyone paid their part
    of what remains. More than remains: 422 under `amount`; another currency: 422 under `currency`;
    a refund of a refund, or of an event still being shared out: 409."""
    event = selectors.revenue_event_get_for_user(asset_id=asset_id, event_id=event_id, user=request.auth)
    refund, created = services.revenue_refund(
        actor=request.auth,
        event=event,
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date or timezone.localdate(),
        idempotency_key=payload.idempotency_key,
        note=payload.note,
    )
    return Status(201 if created else 200, _event_out(refund))
