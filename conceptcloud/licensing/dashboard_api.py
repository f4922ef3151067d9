"""The TLO/owner dashboard under /api/v1/ (tag "Licensing dashboard"), for the
members of an organisation. Thin adapters over licensing.metrics, which the
dashboard page uses too.

    GET /organisations/{slug}/licensing/portfolio     its assets with availability, status,
                                                      open offers, open deals, licences in force
    GET /organisations/{slug}/licensing/pipeline      deals by stage, in pipeline order
    GET /organisations/{slug}/licensing/metrics       AUTM-style yearly metrics (?year=)
    GET /organisations/{slug}/licensing/metrics.csv   the same as CSV

Anyone but a member gets the problem+json 404 of an absent organisation; a bad
year is a 422 with the message under `year`.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.licensing import metrics
from conceptcloud.licensing.models import Deal
from conceptcloud.payouts.money import major_text

router = Router(tags=["Licensing dashboard"])

YEAR_DESCRIPTION = (
    f"The year (four digits, {metrics.FIRST_YEAR} to this year); this year when left out. "
    f"The answer covers it and the {metrics.YEARS_COMPARED - 1} years before it."
)
CSV_RESPONSES = {
    "responses": {200: {"description": "The metrics as CSV.", "content": {"text/csv": {"schema": {"type": "string"}}}}}
}


# Schemas ---------------------------------------------------------------------------


class OfferRefOut(Schema):
    id: int
    title: str
    template: str


class PortfolioAssetOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    visibility: str
    availability: list[str]
    url: str


class PortfolioItemOut(Schema):
    asset: PortfolioAssetOut
    open_offers: list[OfferRefOut] = Field(description="Its open licence offers, newest first.")
    open_deals: int = Field(description="Deals before signing: inquiry, NDA, evaluation or negotiation.")
    licences: int = Field(description="Deals signed or active now.")


class PipelineDealOut(Schema):
    id: int
    asset_id: int
    asset_title: str
    licensee: str = Field(description="The organisation the seeker acts for, or the seeker.")
    licensee_organisation: str | None = Field(description="That organisation's slug, if any.")
    seeker: str
    template: str | None = Field(description="The template of the offer the deal is about, if any.")
    stage_changed_at: datetime
    signed_at: datetime | None
    url: str


class PipelineStageOut(Schema):
    stage: str
    label: str
    count: int = Field(description="How many deals stand at this stage.")
    deals: list[PipelineDealOut] = Field(description=f"The {metrics.DEALS_PER_STAGE} most recently moved.")


class AmountOut(Schema):
    currency: str
    amount: int = Field(description="Minor units of the currency (cents, yen).")
    text: str = Field(description="The same in the major unit, as an exact decimal.")


class YearMetricsOut(Schema):
    year: int
    invention_disclosures: int
    licences_executed: int
    options_executed: int
    startups_formed: int
    active_licences_at_year_end: int
    active_options_at_year_end: int
    licence_income: list[AmountOut] = Field(description="Per currency, net of refunds.")
    licence_income_from_deals: list[AmountOut]


class MetricsOut(Schema):
    organisation: str
    year: int
    years: list[YearMetricsOut] = Field(description="Oldest first; the last is `year`.")


# Shaping ---------------------------------------------------------------------------


def _amounts(amounts: dict[str, int]) -> list[dict]:
    return [
        {"currency": currency, "amount": amounts[currency], "text": major_text(amounts[currency], currency)}
        for currency in sorted(amounts)
    ]


def _portfolio_item(request: HttpRequest, row: metrics.PortfolioRow) -> dict:
    asset = row.asset
    return {
        "asset": {
            "id": asset.pk,
            "title": asset.title,
            "kind": asset.kind,
            "status": asset.status,
            "visibility": asset.visibility,
            "availability": asset.availability,
            "url": request.build_absolute_uri(reverse("api:asset_detail", kwargs={"asset_id": asset.pk})),
        },
        "open_offers": [{"id": o.pk, "title": o.title, "template": o.template} for o in row.open_offers],
        "open_deals": row.open_deals,
        "licences": row.licences,
    }


def _deal(request: HttpRequest, deal: Deal) -> dict:
    return {
        "id": deal.pk,
        "asset_id": deal.asset_id,
        "asset_title": deal.asset.title,
        "licensee": deal.seeker_org.name if deal.seeker_org_id else deal.seeker.name,
        "licensee_organisation": deal.seeker_org.slug if deal.seeker_org_id else None,
        "seeker": deal.seeker.username,
        "template": deal.offer.template if deal.offer_id else None,
        "stage_changed_at": deal.stage_changed_at,
        "signed_at": deal.signed_at,
        "url": request.build_absolute_uri(reverse("licensing:deal_detail", args=[deal.pk])),
    }


def _year_metrics(row: metrics.YearMetrics) -> dict:
    return {
        "year": row.year,
        "invention_disclosures": row.disclosures,
        "licences_executed": row.licences_executed,
        "options_executed": row.options_executed,
        "startups_formed": row.startups_formed,
        "active_licences_at_year_end": row.active_licences,
        "active_options_at_year_end": row.active_options,
        "licence_income": _amounts(row.income),
        "licence_income_from_deals": _amounts(row.deal_income),
    }


def _owner(request: HttpRequest, slug: str) -> metrics.DashboardOwner:
    return metrics.dashboard_owner_for_organisation(slug=slug, user=request.auth)


def _metrics(request: HttpRequest, slug: str, year: str | None) -> tuple[int, list[metrics.YearMetrics]]:
    owner = _owner(request, slug)
    chosen = metrics.metrics_year_check(value=year)
    return chosen, metrics.metrics_for_owner(owner=owner, years=metrics.metrics_years(year=chosen))


# Endpoints -------------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/licensing/portfolio",
    auth=AUTH_REQUIRED,
    response={200: Page[PortfolioItemOut], **problems(401, 404, 422)},
    summary="Get an organisation's licensing portfolio",
)
def dashboard_portfolio(request, slug: str, params: Query[PageParams]):
    """Every asset the organisation owns, drafts and withdrawn ones included, newest first, with
    its availability, status, open offers, open deals and licences in force. Members only."""
    rows = metrics.portfolio_for_owner(owner=_owner(request, slug))
    return paginate(request, rows, params, shape=lambda row: _portfolio_item(request, row))


@router.get(
    "/organisations/{slug}/licensing/pipeline",
    auth=AUTH_REQUIRED,
    response={200: list[PipelineStageOut], **problems(401, 404)},
    summary="Get an organisation's deal pipeline",
)
def dashboard_pipeline(request, slug: str):
    """The deals on the organisation's assets by stage, every stage in pipeline order (inquiry, nda,
    evaluation, negotiation, signed, active, closed, terminated), most recently moved first."""
    return [
        {
            "stage": column.stage,
            "label": column.label,
            "count": column.count,
            "deals": [_deal(request, deal) for deal in column.deals],
        }
        for column in metrics.pipeline_for_owner(owner=_owner(request, slug))
    ]


@router.get(
    "/organisations/{slug}/licensing/metrics",
    auth=AUTH_REQUIRED,
    response={200: MetricsOut, **problems(401, 404, 422)},
    summary="Get an organisation's yearly licensing metrics",
)
def dashboard_metrics(request, slug: str, year: str | None = Query(None, description=YEAR_DESCRIPTION)):
    """AUTM-style metrics per calendar year: invention disclosures, licences and options executed
    (evaluation licences count as options), startups formed, licences and options active at the end
    of the year, and licence income per currency (revenue events dated in the year, net of refunds).
    The user guide defines each."""
    chosen, rows = _metrics(request, slug, year)
    return {"organisation": slug, "year": chosen, "years": [_year_metrics(row) for row in rows]}


@router.get(
    "/organisations/{slug}/licensing/metrics.csv",
    auth=AUTH_REQUIRED,
    response={200: None, **problems(401, 404, 422)},
    summary="Download an organisation's yearly licensing metrics as CSV",
    openapi_extra=CSV_RESPONSES,
)
def dashboard_metrics_csv(request, slug: str, year: str | None = Query(None, description=YEAR_DESCRIPTION)):
    """The metrics of `GET …/metrics` as CSV: a header, then a row per year; licence income in a
    column per currency (`licence_income_JPY`), in the major unit as an exact decimal."""
    _chosen, rows = _metrics(request, slug, year)
    response = HttpResponse(metrics.metrics_csv(metrics=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-licensing-metrics-{rows[0].year}-{rows[-1].year}.csv"'
    )
    return response
