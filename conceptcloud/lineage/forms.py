"""Input parsing for the lineage pages: each form builds a service's arguments.

    PercentField                 "33.33", "33.33 %" → 3333 basis points (at most two decimals)
    BuildOnAssetForm + ParentsForm   registry's AssetForm (no attachment) + parents  → asset_build_on
    ParentAddForm                one asset number  → derivation_add
    ContributionFormSet          rows of person, role, share %  → [ContributionData]  contributions_propose
    TermsForm                    royalty %, approval, agreement  → terms_set

The forms check shapes; the services own the rules (sum of shares, royalty sum,
cycles, visibility of parents). A service's ApplicationError goes back onto
the form, message by field, through `add_service_errors`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.errors import ApplicationError
from conceptcloud.lineage.models import LineageTerms, Role
from conceptcloud.lineage.services import ContributionData
from conceptcloud.registry.forms import AssetForm, ServiceErrorsMixin, split_list

_ASSET_NUMBER = re.compile(r"(?:^|/)(\d{1,18})/?$")  # "12", "#12", "https://…/assets/12/"


def percent_text(bp: int) -> str:
    """3333 → "33.33", 10000 → "100", 50 → "0.5": basis points as a percentage without trailing zeros."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0") if rest else str(whole)


def basis_points(percent: Decimal) -> int:
    """A percentage with at most two decimals as exact basis points."""
    return int(percent * 100)


class PercentField(forms.DecimalField):
    """A percentage from `min_value` to 100 with at most two decimals; a trailing "%" is allowed.

    `clean` returns the Decimal; `basis_points()` converts it exactly.
    """

    # A text box, not type=number: the browser would refuse "33.333" or "12 %" itself,
    # without saying why, instead of letting the page put its message by the field.
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, min_value: Decimal = Decimal(0), **kwargs):
        super().__init__(min_value=min_value, max_value=Decimal(100), **kwargs)
        self.error_messages.update(
            {
                "invalid": _("Enter a percentage, for example 12.5."),
                "min_value": _("Enter at least %(limit_value)s%%."),
                "max_value": _("Enter at most %(limit_value)s%%."),
            }
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("%").removesuffix("％").strip()
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and value * 100 != int(value * 100):
            raise forms.ValidationError(
                _("Enter at most two decimals, for example 33.33%."), code="max_decimal_places"
            )


class AssetNumbersField(forms.Field):
    """Asset numbers posted as several values of one name (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose assets from the list."), code="invalid") from None


def _asset_number(item: str) -> int:
    match = _ASSET_NUMBER.search(item.strip().lstrip("#"))
    if not match:
        raise forms.ValidationError(_("“%(item)s” is not an asset number."), code="invalid", params={"item": item})
    return int(match.group(1))


class BuildOnAssetForm(AssetForm):
    """The new asset's fields: registry's registration form without the attachment
    (files and IP records are added on the new asset's page afterwards)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["file"]


class ParentsForm(ServiceErrorsMixin, forms.Form):
    """The assets a new asset builds on besides the one it started from: ticked
    in the list (chosen before, or found by the search) or typed as numbers."""

    parents = AssetNumbersField(label=_("Also combine with"), required=False)
    parent_numbers = forms.CharField(
        label=_("Asset numbers"),
        required=False,
        max_length=400,
        help_text=_(
            "The numbers of further assets to combine, separated by commas. An asset's number is in its "
            "address: 12 in /assets/12/."
        ),
    )

    @classmethod
    def ticked(cls, ids: list[int]) -> ParentsForm:
        """A bound, valid form choosing `ids` as ticked rows and nothing typed: how a
        page shown again presents the parents chosen so far (with their royalties)."""
        form = cls({"parents": [str(i) for i in ids], "parent_numbers": ""})
        form.is_valid()
        return form

    def clean_parent_numbers(self) -> list[int]:
        return [_asset_number(item) for item in split_list(self.cleaned_data["parent_numbers"])]

    def parent_ids(self, first: int) -> list[int]:
        """`first`, then the ticked and the typed assets; each once, in order.
        Usable after is_valid() whatever its answer (invalid parts are left out)."""
        data = getattr(self, "cleaned_data", {})
        return list(dict.fromkeys([first, *data.get("parents", []), *data.get("parent_numbers", [])]))


def split_build_on_errors(error: ApplicationError) -> tuple[ApplicationError | None, ApplicationError | None]:
    """asset_build_on's error as (the parents' part, the new asset's part); either may be None."""
    parents = error.errors.get("parents")
    rest = {name: texts for name, texts in error.errors.items() if name != "parents"}
    for_parents = type(error)(parents[0], errors={"parents": parents}) if parents else None
    for_asset = type(error)(error.message, errors=rest) if rest or not parents else None
    return for_parents, for_asset


class ParentAddForm(ServiceErrorsMixin, forms.Form):
    """One asset an existing asset builds on → derivation_add."""

    parent = forms.CharField(
        label=_("Asset number"),
        max_length=200,
        help_text=_("The number of the asset this one builds on: 12 in /assets/12/."),
    )

    def clean_parent(self) -> int:
        return _asset_number(self.cleaned_data["parent"])

    def add_service_errors(self, error: ApplicationError) -> None:
        # The service speaks of "parent_id" (this link) and "parents" (all of them): both are this field.
        texts = [text for name in ("parent_id", "parents") for text in error.errors.get(name, [])]
        self._place_errors({"parent": texts} if texts else {}, error.message)


class ContributionForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose…")), *Role.choices])
    share = PercentField(label=_("Share (%)"), min_value=Decimal("0.01"))


class BaseContributionFormSet(ServiceErrorsMixin, forms.BaseFormSet):
    """Rows left empty are skipped; rows marked for removal are left out."""

    def contributions(self) -> list[ContributionData]:
        return [
            ContributionData(
                username=form.cleaned_data["username"].strip().lstrip("@"),
                role=form.cleaned_data["role"],
                share_bp=basis_points(form.cleaned_data["share"]),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def add_service_errors(self, error: ApplicationError) -> None:
        """The service's messages about the set as a whole (the sum, duplicates,
        unknown people) go to the set: shown above its rows."""
        messages = [text for texts in error.errors.values() for text in texts] or [error.message]
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), *messages], error_class="nonform", renderer=self.renderer
        )


ContributionFormSet = forms.formset_factory(
    ContributionForm, formset=BaseContributionFormSet, extra=2, can_delete=True, max_num=50, validate_max=True
)


def contribution_initial(rows) -> list[dict]:
    return [
        {"username": row.user.username, "role": row.role, "share": percent_text(row.share_bp)} for row in rows
    ]


class TermsForm(ServiceErrorsMixin, forms.Form):
    derivative_royalty = PercentField(
        label=_("Royalty asked of derivatives (%)"),
        help_text=_(
            "The share of a derivative's revenue that comes back to this asset, from 0 to 100% with at most "
            "two decimals."
        ),
    )
    derivatives_need_approval = forms.BooleanField(
        label=_("Derivatives need my approval"),
        required=False,
        help_text=_("A new asset building on this one shows as pending until you approve it."),
    )
    share_changes_need = forms.ChoiceField(
        label=_("Changes to contributor shares need"),
        choices=LineageTerms.Agreement.choices,
        widget=forms.RadioSelect,
    )

    @staticmethod
    def initial_from(terms: LineageTerms) -> dict:
        return {
            "derivative_royalty": percent_text(terms.derivative_royalty_bp),
            "derivatives_need_approval": terms.derivatives_need_approval,
            "share_changes_need": terms.share_changes_need,
        }

    def add_service_errors(self, error: ApplicationError) -> None:
        # The service names the stored fields; the form shows percentages.
        renamed = {
            {"derivative_royalty_bp": "derivative_royalty"}.get(name, name): texts
            for name, texts in error.errors.items()
        }
        self._place_errors(renamed, error.message)

    def royalty_bp(self) -> int:
        return basis_points(self.cleaned_data["derivative_royalty"])

