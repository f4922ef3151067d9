"""Input parsing for the payouts pages: each form builds a service's arguments.

    RevenueForm   amount in the currency's unit, currency, date, note  → revenue_record
    RefundForm    amount, date, note                                    → revenue_refund
    PayoutForm    amount, currency, reference                          → payout_record

People type amounts as they read them ("12.50" euros, "1200" yen); `minor_amount()`
turns them into exact minor units with the currency's exponent, and an amount with
more decimals than the currency has is refused by the field. Each form carries an
idempotency key in a hidden field, made when the form is first shown, so a form
sent twice (a double click, a reload) records once. The services own the rules;
their errors come back by the field through `add_service_errors`.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.codes import currency_names
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.payouts.money import currency_problem, minor_units, to_minor
from conceptcloud.registry.forms import ServiceErrorsMixin


def currency_choices() -> list[tuple[str, str]]:
    """The currencies we take, with their names in the reader's language."""
    return [
        (code, f"{code} — {name}") for code, name in sorted(currency_names().items()) if currency_problem(code) is None
    ]


class _AmountForm(ServiceErrorsMixin, forms.Form):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In the currency's unit, for example 1250.50 euros or 120000 yen."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def clean(self):
        # Each form knows its currency (`currency()`): chosen, or the refunded event's.
        cleaned = super().clean()
        currency = self.currency()
        text = cleaned.get("amount")
        if text is not None and currency:
            amount = to_minor(text, currency)
            if amount is None:
                digits = minor_units(currency)
                if digits:
                    message = _("Enter an amount with at most %(digits)d decimals for %(currency)s.") % {
                        "digits": digits,
                        "currency": currency,
                    }
                else:
                    message = _("Enter a whole amount: %(currency)s has no smaller unit.") % {"currency": currency}
                self.add_error("amount", message)
            else:
                cleaned["minor_amount"] = amount
        return cleaned

    def minor_amount(self) -> int:
        return self.cleaned_data["minor_amount"]


class RevenueForm(_AmountForm):
    currency_code = forms.ChoiceField(label=_("Currency"))
    date = forms.DateField(
        label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("For your own records, e.g. the licensee and the period. Only the asset's owners see it."),
    )

    field_order = ["amount", "currency_code", "date", "note", "idempotency_key"]

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency_code"].choices = currency_choices()
        self.fields["currency_code"].initial = currency

    def currency(self) -> str | None:
        return self.cleaned_data.get("currency_code")

    def add_service_errors(self, error) -> None:
        renamed = {{"currency": "currency_code"}.get(name, name): texts for name, texts in error.errors.items()}
        self._place_errors(renamed, error.message)

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": self.minor_amount(),
            "currency": data["currency_code"],
            "date": data["date"],
            "idempotency_key": data["idempotency_key"],
            "source": RevenueEvent.Source.MANUAL,
            "note": data["note"],
        }


class RefundForm(_AmountForm):
    date = forms.DateField(
        label=_("Date refunded"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    field_order = ["amount", "date", "note", "idempotency_key"]

    def __init__(self, *args, event: RevenueEvent, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["amount"].help_text = _("In %(currency)s, at most what remains to be refunded.") % {
            "currency": event.currency
        }

    def currency(self) -> str | None:
        return self.event.currency

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": self.minor_amount(),
            "date": data["date"],
            "idempotency_key": data["idempotency_key"],
            "note": data["note"],
        }


class PayoutForm(_AmountForm):
    currency_code = forms.ChoiceField(label=_("Currency"))
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=200,
        help_text=_("How the money was sent, e.g. the bank transfer's reference."),
    )

    field_order = ["amount", "currency_code", "reference", "idempotency_key"]

    def __init__(self, *args, currencies: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency_code"].choices = [(code, code) for code in currencies]

    def currency(self) -> str | None:
        return self.cleaned_data.get("currency_code")

    def add_service_errors(self, error) -> None:
        renamed = {{"currency": "currency_code"}.get(name, name): texts for name, texts in error.errors.items()}
        self._place_errors(renamed, error.message)

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": self.minor_amount(),
            "currency": data["currency_code"],
            "idempotency_key": data["idempotency_key"],
            "reference": data["reference"],
        }
