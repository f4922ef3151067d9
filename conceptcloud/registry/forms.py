"""Input parsing for the registry pages: each form builds a service's data class.

    AssetForm + IpRecordFormSet   -> AssetData        asset_register / asset_update
    AttachmentForm                -> an upload        attachment_add
    AccessGrantForm               -> a username       access_grant / access_revoke
    AssetStatusForm               -> a status         asset_set_status
    AssetFilterForm               -> AssetFilters     browsing assets
    NeedForm                      -> NeedData         need_create / need_update
    NeedStatusForm                -> a status         need_set_status
    NeedFilterForm                -> NeedFilters      browsing needs

The forms check shapes (types, choices, lengths); the services own the rules.
A service's ApplicationError goes back onto the form with `add_service_errors`,
message by field, so a page shows exactly what the API would answer.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.codes import CONTENT_LANGUAGES, SDG_NAMES, country_choices, currency_names
from conceptcloud.core.errors import ApplicationError
from conceptcloud.registry.models import Asset, IpRecord, Need
from conceptcloud.registry import selectors
from conceptcloud.registry.selectors import AssetFilters, NeedFilters
from conceptcloud.registry.services import AssetData, IpRecordData, NeedData
from conceptcloud.registry.vocab import IP_OFFICES, RIGHTS_STATEMENTS

# Built lazily so the names follow the reader's language.
SDG_FORM_CHOICES = [(number, format_lazy("{}. {}", number, name)) for number, name in SDG_NAMES.items()]

TRL_CHOICES = [
    ("", _("Not stated")),
    (1, _("TRL 1 — basic principles observed")),
    (2, _("TRL 2 — technology concept formulated")),
    (3, _("TRL 3 — experimental proof of concept")),
    (4, _("TRL 4 — technology validated in the lab")),
    (5, _("TRL 5 — technology validated in a relevant environment")),
    (6, _("TRL 6 — technology demonstrated in a relevant environment")),
    (7, _("TRL 7 — prototype demonstrated in an operational environment")),
    (8, _("TRL 8 — system complete and qualified")),
    (9, _("TRL 9 — actual system proven in operation")),
]

VISIBILITY_HELP = {
    Asset.Visibility.PUBLIC: _("Everyone can read the details and download the files."),
    Asset.Visibility.MEMBERS: _("Everyone sees the teaser; signed-in members read the details and files."),
    Asset.Visibility.CONFIDENTIAL: _(
        "Everyone sees the teaser; only your organisation and the people you grant access "
        "(for example under an NDA) read the details and files."
    ),
}

BLANK = [("", _("Choose…"))]
MULTI_SELECT_HELP = _("Hold Ctrl (⌘ on a Mac) to choose several.")
# Commas (ASCII, Japanese and full-width), semicolons and line breaks separate list items.
_SEPARATORS = re.compile(r"[,;、，；\r\n]+")


def split_list(text: str) -> list[str]:
    """'a, b、c\\nd' → ['a', 'b', 'c', 'd'] (blank items dropped)."""
    return [item.strip() for item in _SEPARATORS.split(text or "") if item.strip()]


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 codes with their names in the active UI language (core.codes caches them per language)."""
    return [(code, f"{code} — {name}") for code, name in sorted(currency_names().items())]


class DescribedRadioSelect(forms.RadioSelect):
    """Radios each described by a sentence rendered with the id `<radio id>_description`."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if option["attrs"].get("id"):
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_description"
        return option


class ServiceErrorsMixin:
    """Put an ApplicationError's messages by the fields they belong to."""

    def add_service_errors(self, error: ApplicationError) -> None:
        self._place_errors(error.errors, error.message)

    def _place_errors(self, errors: dict[str, list[str]], message: str) -> None:
        if not errors:
            self.add_error(None, message)
        for name, messages in errors.items():
            for text in messages:
                self.add_error(name if name in self.fields else None, text)


class AssetForm(ServiceErrorsMixin, forms.Form):
    """Every AssetData field. Create mode adds the owner and a first attachment;
    edit mode (an `asset` given) adds the change note: the owner moves only by transfer."""

    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + Asset.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary (teaser)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to everyone, whatever the visibility. Say what it is and what it is good for, "
            "without confidential detail."
        ),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("How it works, results, data. Shown only to the readers the visibility allows."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=CONTENT_LANGUAGES)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Asset.Visibility.choices, widget=DescribedRadioSelect, initial="public"
    )
    owner_org = forms.ChoiceField(label=_("Owner"), required=False)
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level (TRL)"),
        choices=TRL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        choices=SDG_FORM_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The goals this asset contributes to."),
    )
    cpc_codes = forms.CharField(
        label=_("CPC codes"),
        required=False,
        # Progressive enhancement: htmx shows each code's title while typing.
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "hx-get": reverse_lazy("registry:cpc_check"),
                "hx-trigger": "input changed delay:500ms",
                "hx-target": "#cpc-check",
            }
        ),
        help_text=_(
            "Cooperative Patent Classification symbols, separated by commas or new lines, "
            "for example F16H 1/00, G06F 16/30."
        ),
    )
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separated by commas; at most 30.")
    )
    countries_developed = forms.MultipleChoiceField(
        label=_("Developed in"), choices=country_choices, required=False, help_text=MULTI_SELECT_HELP
    )
    countries_deployed = forms.MultipleChoiceField(
        label=_("Deployed in"), choices=country_choices, required=False, help_text=MULTI_SELECT_HELP
    )
    availability = forms.MultipleChoiceField(
        label=_("Available for"),
        choices=Asset.Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of deal you are open to."),
    )
    rights_statement = forms.ChoiceField(
        label=_("Rights statement"),
        choices=[("", _("None stated"))] + list(RIGHTS_STATEMENTS.items()),
        required=False,
        help_text=_("The conditions for reuse: a Creative Commons licence or a RightsStatements.org statement."),
    )
    reference = forms.CharField(
        label=_("Your reference"),
        max_length=80,
        required=False,
        help_text=_("An internal docket or case number, if you use one."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Optional: a PDF, image, text, CSV, JSON, ZIP or Office file. It follows the visibility."),
    )
    note = forms.CharField(
        label=_("What changed?"),
        max_length=300,
        required=False,
        help_text=_("A short note for the version history."),
    )

    def __init__(self, *args, user, asset: Asset | None = None, **kwargs):
        self.asset = asset
        self.ip_record_errors: list[str] = []
        if asset is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(asset)
        super().__init__(*args, **kwargs)
        if asset is None:
            del self.fields["note"]
            organisations = list(account_selectors.organisations_for_user(user=user))
            self.fields["owner_org"].choices = [
                ("", format_lazy(_("Me personally ({name})"), name=user.name))
            ] + [(org.slug, org.name) for org in organisations]
            self.fields["owner_org"].help_text = _(
                "An organisation you belong to, or you. Everyone in the owning organisation can manage the asset."
            )
            if len(organisations) == 1:
                self.fields["owner_org"].initial = organisations[0].slug
        else:
            del self.fields["owner_org"]
            del self.fields["file"]

    @staticmethod
    def initial_from(asset: Asset) -> dict:
        return {
            "kind": asset.kind,
            "title": asset.title,
            "summary": asset.summary,
            "details": asset.details,
            "language": asset.language,
            "visibility": asset.visibility,
            "trl": asset.trl,
            "sdgs": asset.sdgs,
            "cpc_codes": ", ".join(asset.cpc_codes),
            "keywords": ", ".join(asset.keywords),
            "countries_developed": asset.countries_developed,
            "countries_deployed": asset.countries_deployed,
            "availability": asset.availability,
            "rights_statement": asset.rights_statement,
            "reference": asset.reference,
        }

    def visibility_options(self) -> list[tuple[forms.BoundField, str]]:
        """Each visibility radio with the sentence explaining it."""
        return [(choice, VISIBILITY_HELP[choice.data["value"]]) for choice in self["visibility"]]

    def add_service_errors(self, error: ApplicationError) -> None:
        # IP records are a formset, not a field: their messages go to its fieldset.
        errors = dict(error.errors)
        records = errors.pop("ip_records", [])
        self.ip_record_errors.extend(records)
        if errors or not records:
            self._place_errors(errors, error.message)

    def has_any_errors(self) -> bool:
        return bool(self.errors or self.ip_record_errors)

    def to_data(self, ip_records: list[IpRecordData]) -> AssetData:
        data = self.cleaned_data
        if self.asset is None:
            owner_org = data["owner_org"]
        else:
            owner_org = self.asset.owner_org.slug if self.asset.owner_org_id else ""
        return AssetData(
            kind=data["kind"],
            title=data["title"],
            summary=data["summary"],
            details=data["details"],
            language=data["language"],
            visibility=data["visibility"],
            owner_org=owner_org,
            trl=data["trl"],
            sdgs=data["sdgs"],
            cpc_codes=split_list(data["cpc_codes"]),
            keywords=split_list(data["keywords"]),
            countries_developed=data["countries_developed"],
            countries_deployed=data["countries_deployed"],
            availability=data["availability"],
            rights_statement=data["rights_statement"],
            reference=data["reference"],
            ip_records=ip_records,
        )


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker wants ISO dates whatever the page language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IpRecordForm(forms.Form):
    office = forms.ChoiceField(label=_("Office"), choices=BLANK + list(IP_OFFICES.items()))
    number = forms.CharField(label=_("Number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + IpRecord.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + IpRecord.Status.choices)
    filing_date = forms.DateField(label=_("Filing date"), required=False, widget=_DateInput)
    expiry_date = forms.DateField(label=_("Expiry date"), required=False, widget=_DateInput)


class BaseIpRecordFormSet(forms.BaseFormSet):
    def records(self) -> list[IpRecordData]:
        """The filled-in rows not marked for removal, in order (untouched empty rows have no data)."""
        return [
            IpRecordData(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


IpRecordFormSet = forms.formset_factory(
    IpRecordForm, formset=BaseIpRecordFormSet, extra=2, can_delete=True, max_num=50, validate_max=True
)


def ip_record_initial(records) -> list[dict]:
    return [
        {
            "office": r.office,
            "number": r.number,
            "kind": r.kind,
            "status": r.status,
            "filing_date": r.filing_date,
            "expiry_date": r.expiry_date,
        }
        for r in records
    ]


class AttachmentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, text, CSV, JSON, ZIP or Office file. It follows the asset's visibility."),
    )


class AccessGrantForm(ServiceErrorsMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("For example the NDA or agreement that allows it."),
    )


class AssetStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(choices=Asset.Status.choices)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class AssetFilterForm(forms.Form):
    """Browsing parameters; a value that does not parse is simply ignored."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices, required=False)
    sdg = forms.TypedChoiceField(label=_("SDG"), choices=SDG_FORM_CHOICES, coerce=int, empty_value=None, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    availability = forms.ChoiceField(label=_("Availability"), choices=Asset.Availability.choices, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=80, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    standing = forms.ChoiceField(label=_("Standing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Orders and standings a higher app adds (selectors.ASSET_ORDERS, ASSET_STANDINGS).
        self.fields["sort"].choices = [
            ("newest", _("Newest")), ("updated", _("Recently updated")), ("title", _("Title A–Z")),
            *((key, label) for key, (label, _order) in selectors.ASSET_ORDERS.items()),
        ]
        self.fields["standing"].choices = [
            ("", _("Any standing")), *((key, label) for key, (label, _filter) in selectors.ASSET_STANDINGS.items())
        ]

    def filters(self) -> AssetFilters:
        """Published assets matching the valid parameters (browsing never lists drafts)."""
        self.is_valid()
        data = self.cleaned_data
        return AssetFilters(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            sdg=data.get("sdg"),
            country=data.get("country") or "",
            availability=data.get("availability") or "",
            organisation=data.get("organisation") or "",
            status=Asset.Status.PUBLISHED,
            standing=data.get("standing") or "",
        )

    def ordered(self, assets: QuerySet[Asset]) -> QuerySet[Asset]:
        """`assets` in the chosen order (newest first when none is chosen or it does not parse)."""
        self.is_valid()
        return selectors.assets_ordered(assets, self.cleaned_data.get("sort") or "newest")


class NeedForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, help_text=_("The problem in one line."))
    description = forms.CharField(
        label=_("Description"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The problem, the setting, what a solution must do and any constraints. Needs are public."),
    )
    seeker_org = forms.ChoiceField(label=_("Posted by"))
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        choices=SDG_FORM_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"), choices=country_choices, required=False, help_text=MULTI_SELECT_HELP
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False, help_text=_("For example a prefecture, state or city."))
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False, help_text=_("For example agriculture, health, energy."))
    deal_types = forms.MultipleChoiceField(
        label=_("Deals you would consider"),
        choices=Need.DealType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_min = forms.IntegerField(label=_("Budget from"), min_value=0, required=False)
    budget_max = forms.IntegerField(label=_("Budget to"), min_value=0, required=False)
    budget_currency = forms.ChoiceField(
        label=_("Currency"), choices=lambda: [("", _("No budget given"))] + currency_choices(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=_DateInput)
    reference = forms.CharField(label=_("Your reference"), max_length=80, required=False)

    def __init__(self, *args, user, need: Need | None = None, **kwargs):
        self.need = need
        if need is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(need, name) for name in NeedData.__dataclass_fields__ if name != "seeker_org"}
        super().__init__(*args, **kwargs)
        if need is None:
            organisations = account_selectors.organisations_for_user(user=user)
            self.fields["seeker_org"].choices = [(org.slug, org.name) for org in organisations]
            self.fields["seeker_org"].help_text = _("Members of this organisation can edit the need and change its status.")
        else:
            del self.fields["seeker_org"]

    def to_data(self) -> NeedData:
        data = self.cleaned_data
        return NeedData(
            title=data["title"],
            description=data["description"],
            seeker_org=data["seeker_org"] if self.need is None else self.need.seeker_org.slug,
            sdgs=data["sdgs"],
            countries=data["countries"],
            region=data["region"],
            sector=data["sector"],
            deal_types=data["deal_types"],
            budget_min=data["budget_min"],
            budget_max=data["budget_max"],
            budget_currency=data["budget_currency"],
            deadline=data["deadline"],
            reference=data["reference"],
        )


class NeedStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Need.Status.choices)


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    sdg = forms.TypedChoiceField(label=_("SDG"), choices=[("", _("Any goal"))] + SDG_FORM_CHOICES, coerce=int, empty_value=None, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [("", _("Any country"))] + country_choices(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + Need.Status.choices, required=False)
    deal_type = forms.ChoiceField(label=_("Deal type"), choices=[("", _("Any deal type"))] + Need.DealType.choices, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=80, required=False, widget=forms.HiddenInput)

    def filters(self) -> NeedFilters:
        self.is_valid()
        data = self.cleaned_data
        return NeedFilters(
            q=(data.get("q") or "").strip(),
            sdg=data.get("sdg"),
            country=data.get("country") or "",
            status=data.get("status") or "",
            deal_type=data.get("deal_type") or "",
            organisation=data.get("organisation") or "",
        )
