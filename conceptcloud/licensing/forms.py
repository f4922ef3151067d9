"""Input parsing for the licensing pages: each form builds a service's arguments.

    TermsForm      the licence terms (amounts typed in the currency's units, e.g.
                   "1500.50" USD → 150050 minor units; percentages as "2.5")  → TermsData
    OfferForm      TermsForm + template, title, notes, acceptance  → OfferData  offer_create
    AcceptForm     the organisation the seeker acts for  → offer_accept
    InquiryForm    message, offer, organisation  → inquiry_create
    MessageForm    one message  → deal_message_post

The forms check shapes; the services own the rules (a known currency, the
template's rules, CC only for works...). A service's ApplicationError goes back
onto the form, message by field, through `add_service_errors`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from django import forms
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.codes import country_choices
from conceptcloud.licensing.models import Acceptance, Derivatives, Exclusivity, Template
from conceptcloud.licensing.services import TERM_FIELDS, OfferData, TermsData
from conceptcloud.lineage.forms import PercentField, basis_points, percent_text
from conceptcloud.registry.forms import ServiceErrorsMixin, currency_choices
from conceptcloud.registry.vocab import RIGHTS_STATEMENTS

CC_CHOICES = [(uri, name) for uri, name in RIGHTS_STATEMENTS.items() if uri.startswith("https://creativecommons.org/")]
# The amount fields and the minor-unit terms they fill.
AMOUNTS = ("upfront_fee", "revenue_ceiling")


def minor_units(text: str, currency: str) -> int:
    """ "1500.5" in USD → 150050. ValueError when the text is not an amount or has
    more decimals than the currency has minor units."""
    try:
        value = Decimal(text.replace(",", "").replace("_", "").strip())
    except InvalidOperation:
        raise ValueError(str(_("Enter an amount, for example 1500 or 1500.50."))) from None
    if not value.is_finite():
        raise ValueError(str(_("Enter an amount, for example 1500 or 1500.50.")))
    exponent = get_currency_precision(currency) if currency else 0
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        if exponent:
            raise ValueError(str(_("%(currency)s has %(n)d decimals at most.") % {"currency": currency, "n": exponent}))
        raise ValueError(str(_("Enter a whole amount: this currency has no smaller unit.")))
    return int(scaled)


def amount_text(amount: int | None, currency: str) -> str:
    """150050 in USD → "1500.50": a minor-unit amount as the form shows it."""
    if amount is None:
        return ""
    exponent = get_currency_precision(currency) if currency else 0
    return str(Decimal(amount).scaleb(-exponent)) if exponent else str(amount)


class TermsForm(ServiceErrorsMixin, forms.Form):
    exclusivity = forms.ChoiceField(label=_("Exclusivity"), choices=Exclusivity.choices)
    field_of_use = forms.CharField(
        label=_("Field of use"),
        max_length=300,
        required=False,
        help_text=_("For example “medical devices”. Leave empty for every field."),
    )
    territories = forms.MultipleChoiceField(
        label=_("Territory"),
        choices=country_choices,
        required=False,
        help_text=_("The countries the licence covers. Choose none for worldwide."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"),
        min_value=1,
        max_value=1200,
        required=False,
        help_text=_("Leave empty for a perpetual licence."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=lambda: [("", _("No fees"))] + currency_choices(), required=False
    )
    upfront_fee = forms.CharField(
        label=_("Upfront fee"),
        required=False,
        max_length=30,
        help_text=_("In the currency chosen, e.g. 1500 or 1500.50. Leave empty for none."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fee_deferral_months = forms.IntegerField(
        label=_("Fees deferred (months)"),
        min_value=0,
        max_value=240,
        required=False,
        help_text=_("Startup licences: months after signing before any fee or royalty is due."),
    )
    royalty = PercentField(label=_("Running royalty (%)"), required=False, help_text=_("Of the licensee's net sales."))
    derivative_royalty = PercentField(
        label=_("Royalty owed by derivatives (%)"),
        required=False,
        help_text=_("What each asset built on this one owes it. This is the asset's own term for derivatives."),
    )
    revenue_ceiling = forms.CharField(
        label=_("Revenue ceiling"),
        required=False,
        max_length=30,
        help_text=_("The licence covers the licensee's revenue from the asset up to this amount. Empty: no ceiling."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    commercial_use = forms.BooleanField(label=_("Commercial use allowed"), required=False)
    derivatives = forms.ChoiceField(label=_("Derivatives"), choices=Derivatives.choices)
    attribution_required = forms.BooleanField(label=_("Attribution required"), required=False)
    sublicensing = forms.BooleanField(label=_("Sublicensing allowed"), required=False)
    cc_licence = forms.ChoiceField(
        label=_("Creative Commons licence"),
        choices=[("", _("None"))] + CC_CHOICES,
        required=False,
        help_text=_("Only for creative works. The licence decides the other terms."),
    )

    @classmethod
    def initial_from(cls, terms) -> dict:
        """Form values from an OfferData, TermsData, offer or deal."""
        values = {name: getattr(terms, name) for name in TERM_FIELDS}
        for name in AMOUNTS:
            values[name] = amount_text(values[name], terms.currency) if values[name] else ""
        values["royalty"] = percent_text(values.pop("royalty_bp"))
        values["derivative_royalty"] = percent_text(values.pop("derivative_royalty_bp"))
        return values

    def clean(self):
        data = super().clean()
        currency = data.get("currency") or ""
        for name in AMOUNTS:
            text = (data.get(name) or "").strip()
            if not text:
                data[name] = None
                continue
            if not currency and "currency" not in self.errors:
                self.add_error("currency", _("Give the currency of the fee and the ceiling (ISO 4217, e.g. JPY)."))
            if not currency:
                continue
            try:
                data[name] = minor_units(text, currency)
            except ValueError as error:
                self.add_error(name, str(error))
        return data

    def terms_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in TERM_FIELDS if name in data}
        values["royalty_bp"] = basis_points(data["royalty"]) if data.get("royalty") is not None else 0
        values["derivative_royalty_bp"] = (
            basis_points(data["derivative_royalty"]) if data.get("derivative_royalty") is not None else 0
        )
        values["upfront_fee"] = data["upfront_fee"] or 0
        values["fee_deferral_months"] = data["fee_deferral_months"] or 0
        values["territories"] = list(data["territories"])
        return values

    def to_terms(self) -> TermsData:
        return TermsData(**self.terms_values())

    def add_service_errors(self, error) -> None:
        renamed = {
            {"royalty_bp": "royalty", "derivative_royalty_bp": "derivative_royalty"}.get(name, name): messages
            for name, messages in error.errors.items()
        }
        self._place_errors(renamed, error.message)


class OfferForm(TermsForm):
    template = forms.ChoiceField(label=_("Template"), choices=Template.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    acceptance = forms.ChoiceField(
        label=_("How it is granted"),
        choices=Acceptance.choices,
        help_text=_("In one step: any signed-in person accepts it at once and the licence is active."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the offer to everyone who can see the asset. No confidential detail."),
    )

    field_order = ["template", "title", "acceptance"]

    def to_data(self) -> OfferData:
        data = self.cleaned_data
        return OfferData(
            template=data["template"],
            title=data["title"],
            notes=data["notes"],
            acceptance=data["acceptance"],
            **self.terms_values(),
        )


def _organisation_field():
    return forms.ChoiceField(
        label=_("Acting for"),
        required=False,
        help_text=_("The organisation that takes the licence, if you act for one you are a member of."),
    )


class AcceptForm(ServiceErrorsMixin, forms.Form):
    organisation = _organisation_field()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Myself"))] + [(o.slug, o.name) for o in organisations]


class InquiryForm(ServiceErrorsMixin, forms.Form):
    offer = forms.TypedChoiceField(label=_("About the offer"), coerce=int, empty_value=None, required=False)
    organisation = _organisation_field()
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who you are, what you would use it for, what you need to know. Only the owners read it."),
    )

    def __init__(self, *args, offers, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [("", _("No particular offer"))] + [(o.pk, o.title) for o in offers]
        self.fields["organisation"].choices = [("", _("Myself"))] + [(o.slug, o.name) for o in organisations]


class MessageForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
