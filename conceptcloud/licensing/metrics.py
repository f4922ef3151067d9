"""The TLO/owner dashboard's reads: a portfolio, its deal pipeline and its
AUTM-style yearly metrics, computed from the platform's own records.

    dashboard_owner_for_organisation(slug=, user=)   an organisation, for its members only
    dashboard_owner_for_person(user=)                the assets a person owns in their own name
    portfolio_for_owner(owner=)      the owner's assets with availability, status, open
                                     offers, open deals and current licences
    pipeline_for_owner(owner=)       deals on those assets by stage, in pipeline order
    metrics_year_check(value=)       the year asked for (InvalidInput under "year")
    metrics_years(year=)             the years a dashboard compares: `year` and the 4 before it
    metrics_year_choices()           the years the selector offers, newest first
    metrics_for_owner(owner=, years=)   one YearMetrics per year
    metrics_csv_rows(metrics=)       the same numbers as CSV rows, header first
    metrics_csv(metrics=)            those rows as CSV text (RFC 4180)

Who may look: the members of the organisation (either role: members manage the
organisation's assets under the visibility rule, so they see its deals anyway).
Everyone else, suspended members included, gets NotFound, the answer for an
absent organisation.

The metrics follow the terms of AUTM's Licensing Activity Survey, per calendar
year in the site's time zone (settings.TIME_ZONE), over the assets the owner
owns (an organisation's: `owner_org`; a person's: `owner_user`):

    invention disclosures   assets of kind idea, technology or patent registered
                            that year, drafts and withdrawn ones included (a
                            disclosure received stays received); assets the
                            operator withdrew (moderation) are not counted.
                            Works, designs, data sets, know-how and lessons are
                            not inventions in AUTM's sense.
    licences executed       deals signed that year (`Deal.signed_at`: a negotiated
                            deal reaching "signed", an express licence at its
                            one-step acceptance), whatever happened to them later,
                            royalty-free ones included, except evaluation licences
    options executed        deals signed that year on an evaluation-licence offer:
                            a fixed-term right to evaluate before licensing,
                            which is what AUTM calls an option
    licence income          revenue events on the assets dated that year, summed
                            per currency, refunds (negative events) in the year of
                            their own date; manual entries count as well as deal
                            income (the share from deals is shown apart)
    startups formed         licensees counted once, in the year of their first
                            signed deal with the owner that is on a startup-licence
                            offer or made for an organisation of type startup
    active licences / options at year end   executed deals signed before the end of
                            the year and not closed or terminated by then (for the
                            current year: now)
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.models import Organisation
from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.licensing.models import (
    OPEN_STAGES,
    PIPELINE,
    Deal,
    LicenceOffer,
    Stage,
    Template,
)
from conceptcloud.payouts import selectors as payout_selectors
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.payouts.money import major_text
from conceptcloud.registry.models import Asset

# The kinds of asset that are inventions (AUTM's disclosures).
DISCLOSURE_KINDS = (Asset.Kind.IDEA, Asset.Kind.TECHNOLOGY, Asset.Kind.PATENT)
# Stages at which a licence is in force.
LICENSED_STAGES = (Stage.SIGNED, Stage.ACTIVE)
# The first year the year selector takes (the Bayh-Dole Act; AUTM's survey counts from then on).
FIRST_YEAR = 1980
# How many years a dashboard compares (the chosen one and those before it).
YEARS_COMPARED = 5
# How many deals each stage of the pipeline board shows (the count covers all).
DEALS_PER_STAGE = 20


# Whose dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardOwner:
    """Whose portfolio a dashboard shows: an organisation's assets, or the assets
    one person owns in their own name."""

    organisation: Organisation | None = None
    person: object | None = None

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.person.name

    def assets_q(self, prefix: str = "") -> Q:
        if self.organisation is not None:
            return Q(**{f"{prefix}owner_org": self.organisation})
        return Q(**{f"{prefix}owner_user": self.person})


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def dashboard_owner_for_organisation(*, slug: str, user) -> DashboardOwner:
    """The organisation's dashboard, for its members (admins and members alike);
    NotFound for anyone else, as for an absent organisation."""
    organisation = account_selectors.organisation_get(slug=slug)
    if not _is_active(user) or organisation.pk not in account_selectors.organisation_ids_for_user(user=user):
        raise NotFound(_("No such organisation."))
    return DashboardOwner(organisation=organisation)


def dashboard_owner_for_person(*, user) -> DashboardOwner:
    """The dashboard of the assets the signed-in person owns in their own name."""
    if not _is_active(user):
        raise NotFound(_("No such dashboard."))
    return DashboardOwner(person=user)


# Portfolio ------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioRow:
    asset: Asset
    open_offers: list[LicenceOffer]
    open_deals: int  # deals before signing (inquiry to negotiation)
    licences: int  # deals signed or active now


def _owner_assets(owner: DashboardOwner) -> QuerySet[Asset]:
    return Asset.objects.filter(owner.assets_q())


def portfolio_for_owner(*, owner: DashboardOwner) -> list[PortfolioRow]:
    """Every asset of the owner, drafts and withdrawn ones too, newest first, each
    with its open offers (newest first) and how many deals are open and in force."""
    open_offers = LicenceOffer.objects.filter(status=LicenceOffer.Status.OPEN).order_by("-created_at", "-id")
    assets = (
        _owner_assets(owner)
        .select_related("owner_org", "owner_user")
        .defer("details")
        .annotate(
            open_deals=Count("deals", filter=Q(deals__stage__in=OPEN_STAGES)),
            licences=Count("deals", filter=Q(deals__stage__in=LICENSED_STAGES)),
        )
        .prefetch_related(Prefetch("licence_offers", queryset=open_offers, to_attr="open_offer_list"))
        .order_by("-created_at", "-id")
    )
    return [
        PortfolioRow(asset=a, open_offers=a.open_offer_list, open_deals=a.open_deals, licences=a.licences)
        for a in assets
    ]


# Pipeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineColumn:
    stage: str
    label: str
    count: int  # deals at this stage
    deals: list[Deal]  # the most recently moved (DEALS_PER_STAGE unless asked otherwise)


def pipeline_for_owner(*, owner: DashboardOwner, per_stage: int = DEALS_PER_STAGE) -> list[PipelineColumn]:
    """Deals on the owner's assets by stage, one column per stage in pipeline order
    (every stage present), each with its `per_stage` most recently moved deals."""
    deals = Deal.objects.filter(owner.assets_q("asset__"))
    counts = dict(deals.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    shown = deals.select_related("asset", "offer", "seeker", "seeker_org").order_by("-stage_changed_at", "-id")
    columns = []
    for stage in PIPELINE:
        count = counts.get(stage, 0)
        cards = list(shown.filter(stage=stage)[:per_stage]) if count else []
        columns.append(PipelineColumn(stage=stage, label=str(Stage(stage).label), count=count, deals=cards))
    return columns


# Yearly metrics -------------------------------------------------------------------


@dataclass(frozen=True)
class YearMetrics:
    year: int
    disclosures: int = 0
    licences_executed: int = 0
    options_executed: int = 0
    startups_formed: int = 0
    active_licences: int = 0  # at the end of the year
    active_options: int = 0
    income: dict[str, int] = field(default_factory=dict)  # currency → minor units, net of refunds
    deal_income: dict[str, int] = field(default_factory=dict)  # the part recorded from deals


def _this_year() -> int:
    return timezone.localdate().year


def metrics_year_check(*, value: str | int | None) -> int:
    """The year a dashboard was asked for; this year when none was given.
    InvalidInput under "year" for anything but a year from FIRST_YEAR to this year."""
    this_year = _this_year()
    if value is None or value == "":
        return this_year
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInput.field("year", _("Enter a year as four digits, for example %(year)s.") % {"year": this_year})
    year = int(text)
    if not FIRST_YEAR <= year <= this_year:
        raise InvalidInput.field(
            "year",
            _("Choose a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": this_year},
        )
    return year


def metrics_years(*, year: int) -> list[int]:
    """The years a dashboard compares, oldest first: `year` and the ones before it."""
    first = max(FIRST_YEAR, year - YEARS_COMPARED + 1)
    return list(range(first, year + 1))


def metrics_year_choices() -> list[int]:
    """The years the selector offers, newest first (this year back to FIRST_YEAR)."""
    return list(range(_this_year(), FIRST_YEAR - 1, -1))


def _year_end(year: int) -> datetime.datetime:
    """The first instant after the year, in the site's time zone."""
    return timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def _by_year(rows) -> dict[int, int]:
    return {year: n for year, n in rows}


def _disclosures(owner: DashboardOwner, years: list[int]) -> dict[int, int]:
    rows = (
        _owner_assets(owner)
        .filter(kind__in=DISCLOSURE_KINDS, withdrawn_by_operator=False)
        .filter(created_at__year__gte=years[0], created_at__year__lte=years[-1])
        .annotate(year=ExtractYear("created_at"))
        .order_by()
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    return _by_year(rows)


def _is_option() -> Q:
    return Q(offer__template=Template.EVALUATION)


def _executed(owner: DashboardOwner) -> QuerySet[Deal]:
    return Deal.objects.filter(owner.assets_q("asset__"), signed_at__isnull=False)


def _executions(owner: DashboardOwner, years: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(licences, options) executed per year."""
    rows = (
        _executed(owner)
        .filter(signed_at__year__gte=years[0], signed_at__year__lte=years[-1])
        .annotate(year=ExtractYear("signed_at"))
        .order_by()
        .values_list("year")
        .annotate(options=Count("pk", filter=_is_option()), all=Count("pk"))
    )
    licences, options = {}, {}
    for year, n_options, n_all in rows:
        licences[year], options[year] = n_all - n_options, n_options
    return licences, options


def _startups(owner: DashboardOwner) -> dict[int, int]:
    """Startups per year of their first signed startup deal with the owner."""
    deals = _executed(owner).filter(Q(offer__template=Template.STARTUP) | Q(seeker_org__kind=Organisation.Kind.STARTUP))
    first: dict[str, datetime.datetime] = {}
    for org_id, seeker_id, signed_at in deals.values_list("seeker_org_id", "seeker_id", "signed_at"):
        # The licensee is the organisation the seeker acted for, or the seeker in person.
        key = f"org:{org_id}" if org_id is not None else f"user:{seeker_id}"
        if key not in first or signed_at < first[key]:
            first[key] = signed_at
    counts: dict[int, int] = defaultdict(int)
    for signed_at in first.values():
        counts[timezone.localtime(signed_at).year] += 1
    return counts


def _active_at_year_ends(owner: DashboardOwner, years: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(licences, options) in force at the end of each year: signed before it, not ended by it."""
    now = timezone.now()
    aggregates = {}
    for year in years:
        end = min(_year_end(year), now)
        in_force = Q(signed_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        aggregates[f"o{year}"] = Count("pk", filter=in_force & _is_option())
        aggregates[f"a{year}"] = Count("pk", filter=in_force)
    totals = _executed(owner).aggregate(**aggregates)
    licences = {year: totals[f"a{year}"] - totals[f"o{year}"] for year in years}
    options = {year: totals[f"o{year}"] for year in years}
    return licences, options


def _income(owner: DashboardOwner, years: list[int]) -> tuple[dict, dict]:
    """(all, from deals): year → currency → the sum of the revenue events dated that year.

    Grouped in the database over the payouts app's event rows (one query for any
    portfolio size); refunds are negative events, so the sums are net of them.
    """
    rows = payout_selectors.revenue_totals_by_year(
        assets=Asset.objects.filter(owner.assets_q()), first_year=years[0], last_year=years[-1]
    )
    everything: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    deals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for year, currency, source, total in rows:
        everything[year][currency] += total
        if source == RevenueEvent.Source.DEAL:
            deals[year][currency] += total
    return everything, deals


def metrics_for_owner(*, owner: DashboardOwner, years: list[int]) -> list[YearMetrics]:
    """The AUTM-style metrics of each year in `years` (consecutive, oldest first)."""
    disclosures = _disclosures(owner, years)
    licences, options = _executions(owner, years)
    startups = _startups(owner)
    active_licences, active_options = _active_at_year_ends(owner, years)
    income, deal_income = _income(owner, years)
    return [
        YearMetrics(
            year=year,
            disclosures=disclosures.get(year, 0),
            licences_executed=licences.get(year, 0),
            options_executed=options.get(year, 0),
            startups_formed=startups.get(year, 0),
            active_licences=active_licences[year],
            active_options=active_options[year],
            income=dict(income.get(year, {})),
            deal_income=dict(deal_income.get(year, {})),
        )
        for year in years
    ]


CSV_COLUMNS = (
    ("year", "year"),
    ("invention_disclosures", "disclosures"),
    ("licences_executed", "licences_executed"),
    ("options_executed", "options_executed"),
    ("startups_formed", "startups_formed"),
    ("active_licences_at_year_end", "active_licences"),
    ("active_options_at_year_end", "active_options"),
)


def metrics_currencies(*, metrics: list[YearMetrics]) -> list[str]:
    """Every currency with income in any of the years, alphabetically."""
    return sorted({currency for row in metrics for currency in row.income})


def metrics_csv_rows(*, metrics: list[YearMetrics]) -> list[list[str]]:
    """The metrics as CSV rows: a header, then one row per year. Licence income has a
    column per currency (`licence_income_JPY`), in the currency's major unit as an
    exact decimal ("1500.50"), blank-free: 0 where a year had none."""
    currencies = metrics_currencies(metrics=metrics)
    header = [name for name, _attribute in CSV_COLUMNS] + [f"licence_income_{c}" for c in currencies]
    rows = [header]
    for row in metrics:
        values = [str(getattr(row, attribute)) for _name, attribute in CSV_COLUMNS]
        values += [major_text(row.income.get(c, 0), c) for c in currencies]
        rows.append(values)
    return rows


def metrics_csv(*, metrics: list[YearMetrics]) -> str:
    """The CSV rows as text: comma-separated, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(metrics_csv_rows(metrics=metrics))
    return buffer.getvalue()
