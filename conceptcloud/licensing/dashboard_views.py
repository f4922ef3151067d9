"""The TLO/owner dashboard pages: thin adapters over licensing.metrics.

    organisation_dashboard      /organisations/<slug>/licensing/?year=  portfolio, pipeline
                                board and yearly metrics, for the organisation's members
    organisation_metrics_csv    /organisations/<slug>/licensing/metrics.csv?year=
    person_dashboard            /licensing/dashboard/?year=  the same for the assets the
                                signed-in person owns in their own name, with links to
                                their organisations' dashboards
    person_metrics_csv          /licensing/dashboard/metrics.csv?year=

Anonymous visitors are asked to sign in; anyone else who is not a member of the
organisation gets the 404 of an absent one. A year that is not one (or out of
range) shows its message by the year selector, with status 400, and the CSV
address answers the same page; an htmx request for the metrics gets the
metrics fragment alone.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import InvalidInput
from conceptcloud.core.views import found_or_404
from conceptcloud.licensing import metrics
from conceptcloud.licensing.metrics import DashboardOwner
from conceptcloud.payouts.money import money
from conceptcloud.registry.models import Asset


def _income_lines(amounts: dict[str, int]) -> list[dict[str, str]]:
    return [{"currency": currency, "text": money(amounts[currency], currency)} for currency in sorted(amounts)]


def _metrics_context(rows: list[metrics.YearMetrics]) -> dict:
    metric_rows = [
        {"row": row, "income": _income_lines(row.income), "deal_income": _income_lines(row.deal_income)} for row in rows
    ]
    return {"metric_rows": metric_rows, "selected": metric_rows[-1]}


def _render(request: HttpRequest, owner: DashboardOwner, *, page_url: str, csv_url: str) -> HttpResponse:
    """The dashboard page (or, for htmx, its metrics fragment) for the year asked."""
    context: dict = {
        "owner": owner,
        "page_url": page_url,
        "csv_url": csv_url,
        "year_value": request.GET.get("year", ""),
        "year_choices": metrics.metrics_year_choices(),
        "year_error": "",
    }
    try:
        year = metrics.metrics_year_check(value=request.GET.get("year"))
    except InvalidInput as error:
        context["year_error"] = error.errors["year"][0]
        status = 200 if request.htmx else 400
    else:
        status = 200
        context["year"] = year
        context.update(_metrics_context(metrics.metrics_for_owner(owner=owner, years=metrics.metrics_years(year=year))))
    if request.htmx:
        return render(request, "licensing/partials/_dashboard_metrics.html", context, status=status)
    context["portfolio"] = metrics.portfolio_for_owner(owner=owner)
    context["pipeline"] = metrics.pipeline_for_owner(owner=owner)
    context["availability_choices"] = Asset.Availability.choices
    if owner.person is not None:
        context["organisations"] = account_selectors.organisations_for_user(user=owner.person).order_by("name")
    return render(request, "licensing/dashboard.html", context, status=status)


def _csv(request: HttpRequest, owner: DashboardOwner, *, page_url: str, filename: str) -> HttpResponse:
    try:
        year = metrics.metrics_year_check(value=request.GET.get("year"))
    except InvalidInput:
        return _render(request, owner, page_url=page_url, csv_url=request.path)
    years = metrics.metrics_years(year=year)
    text = metrics.metrics_csv(metrics=metrics.metrics_for_owner(owner=owner, years=years))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{years[0]}-{years[-1]}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def organisation_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    owner = found_or_404(metrics.dashboard_owner_for_organisation, slug=slug, user=request.user)
    csv_url = reverse("licensing:organisation_metrics_csv", args=[slug])
    return _render(request, owner, page_url=request.path, csv_url=csv_url)


@login_required
@require_GET
def organisation_metrics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    owner = found_or_404(metrics.dashboard_owner_for_organisation, slug=slug, user=request.user)
    page_url = reverse("licensing:organisation_dashboard", args=[slug])
    return _csv(request, owner, page_url=page_url, filename=f"{slug}-licensing-metrics")


@login_required
@require_GET
def person_dashboard(request: HttpRequest) -> HttpResponse:
    owner = found_or_404(metrics.dashboard_owner_for_person, user=request.user)
    return _render(request, owner, page_url=request.path, csv_url=reverse("licensing:person_metrics_csv"))


@login_required
@require_GET
def person_metrics_csv(request: HttpRequest) -> HttpResponse:
    owner = found_or_404(metrics.dashboard_owner_for_person, user=request.user)
    page_url = reverse("licensing:person_dashboard")
    return _csv(request, owner, page_url=page_url, filename="my-licensing-metrics")
