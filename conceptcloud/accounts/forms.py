"""Forms of the account pages and the directory.

Forms only parse what was typed into the data a service takes; the services
validate. A service's `InvalidInput.errors` come back onto the form with
`ServiceErrorsMixin.add_service_errors`, each message by its field.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from conceptcloud.accounts import selectors
from conceptcloud.accounts.models import Membership, Organisation
from conceptcloud.accounts.services import OrganisationData, ProfileData
from conceptcloud.core.codes import country_choices, country_names, language_names
from conceptcloud.core.errors import ApplicationError

ORCID_URL_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")
# Commas in Latin and Japanese text, and the Japanese enumeration comma.
SKILL_SEPARATORS = re.compile(r"[,，、]")


class ServiceErrorsMixin:
    """Puts a service's field errors onto the form.

    `service_fields` maps the service's field names to form field names where
    they differ; messages for fields the form does not have become non-field
    errors, so nothing a service says is ever lost.
    """

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ApplicationError) -> None:
        if not error.errors:
            self.add_error(None, error.message)
            return
        for name, messages in error.errors.items():
            target = self.service_fields.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


def _country_field(*, blank: str, required: bool = False, codes: list[str] | None = None) -> forms.ChoiceField:
    """A country select: every country, or only `codes` (the ones in use, for filters)."""
    if codes is None:
        choices = country_choices()
    else:
        names = country_names()
        choices = sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1])
    return forms.ChoiceField(label=_("Country"), required=required, choices=[("", blank), *choices])


class SignupForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"password": "password1"}

    username = forms.CharField(
        label=_("Username"),
        max_length=40,
        help_text=_("Shown in your profile address. Letters, digits, dots, hyphens and underscores."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("For password resets and invitations; never shown to others."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        required=False,
        help_text=_("Your name as others see it, e.g. Hanako Yamada."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class LoginForm(AuthenticationForm):
    """Sign in with a username or an e-mail address.

    The typed identifier is turned into the stored username before Django
    authenticates (with the request, so the login rate limit counts the attempt
    against the account, however it was spelt).
    """

    username = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "suspended": _("This account is suspended. Write to the operator if you think this is a mistake."),
    }

    def clean(self):
        identifier = self.cleaned_data.get("username")
        if identifier:
            self.cleaned_data["username"] = selectors.login_username(identifier=identifier)
        try:
            return super().clean()
        except forms.ValidationError:
            # Only someone who knows the password learns that the account is
            # suspended, and never while the login rate limit has locked them out.
            locked_out = getattr(self.request, "axes_locked_out", False)
            if not locked_out and selectors.account_is_suspended(
                username=self.cleaned_data.get("username", ""), password=self.cleaned_data.get("password", "")
            ):
                raise forms.ValidationError(self.error_messages["suspended"], code="suspended") from None
            raise


class PasswordChangeForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"new_password": "new_password1"}

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned


class PasswordResetSetForm(PasswordChangeForm):
    """The new password after a verified reset link (no current password asked)."""

    def __init__(self, user=None, *args, **kwargs):
        # Django's reset view passes the user whose link was verified.
        self.user = user
        super().__init__(*args, **kwargs)
        del self.fields["old_password"]
        self.fields["new_password1"].widget.attrs["autofocus"] = True


def split_skills(text: str) -> list[str]:
    return [part.strip() for part in SKILL_SEPARATORS.split(text) if part.strip()]


def normalise_orcid(text: str) -> str:
    """Accept an ORCID iD pasted as its https://orcid.org/ address too."""
    value = text.strip()
    for prefix in ORCID_URL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    return value.upper() if value.endswith("x") else value


class ProfileForm(ServiceErrorsMixin, forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120, required=False)
    affiliation = forms.CharField(
        label=_("Affiliation"),
        max_length=200,
        required=False,
        help_text=_("Your university, company or lab, as you want it shown."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        help_text=_("Separated by commas, e.g. robotics, patent drafting, battery chemistry."),
    )
    bio = forms.CharField(
        label=_("Short bio"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you work on and what kind of partners you are looking for."),
    )
    orcid = forms.CharField(
        label=_("ORCID iD"),
        required=False,
        max_length=60,
        help_text=_("16 digits like 0000-0002-1825-0097; the last character is a check digit."),
    )
    show_praise = forms.BooleanField(
        label=_("Show my name on what I praise"),
        required=False,
        help_text=_("If you clear this, your praise still counts but others see it only as a number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(blank=_("Not given"))
        self.fields["languages"].choices = sorted(language_names().items(), key=lambda item: item[1])

    @classmethod
    def for_user(cls, user) -> "ProfileForm":
        return cls(
            initial={
                "display_name": user.display_name,
                "affiliation": user.affiliation,
                "country": user.country,
                "languages": user.languages,
                "skills": ", ".join(user.skills),
                "bio": user.bio,
                "orcid": user.orcid,
                "show_praise": user.show_praise,
            }
        )

    def to_data(self) -> ProfileData:
        data = self.cleaned_data
        return ProfileData(
            display_name=data["display_name"],
            affiliation=data["affiliation"],
            country=data["country"],
            languages=list(data["languages"]),
            skills=split_skills(data["skills"]),
            bio=data["bio"],
            orcid=normalise_orcid(data["orcid"]),
            show_praise=data["show_praise"],
        )


class TokenCreateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, e.g. “nightly import script”."),
    )


class OrganisationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Choose a type")), *Organisation.Kind.choices])
    country = forms.ChoiceField(label=_("Country"))
    website = forms.CharField(
        label=_("Website"), required=False, max_length=200, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    ror_id = forms.CharField(
        label=_("ROR id"),
        required=False,
        max_length=40,
        help_text=_("For research organisations: the id in the Research Organization Registry, e.g. 057zh3y96."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the organisation does, and what it offers or looks for."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(blank=_("Choose a country"), required=True)

    @classmethod
    def for_organisation(cls, org: Organisation) -> "OrganisationForm":
        return cls(initial={name: getattr(org, name) for name in cls.base_fields})

    def clean_ror_id(self) -> str:
        # People paste the full https://ror.org/ address; the id is its last part.
        value = self.cleaned_data["ror_id"].strip().lower()
        return value.rstrip("/").rsplit("/", 1)[-1]

    def to_data(self) -> OrganisationData:
        data = self.cleaned_data
        return OrganisationData(
            name=data["name"],
            kind=data["kind"],
            country=data["country"],
            website=data["website"].strip(),
            ror_id=data["ror_id"],
            description=data["description"],
        )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search organisations"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *Organisation.Kind.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(blank=_("Any country"), codes=selectors.organisation_countries())

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid value is ignored rather than refused."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in ("q", "kind", "country")}


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search people"), required=False, max_length=100)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=60)
    country = forms.ChoiceField(label=_("Country"), required=False)
    standing = forms.ChoiceField(label=_("Standing"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(blank=_("Any country"), codes=selectors.person_countries())
        # Orders and standings a higher app adds (selectors.PERSON_ORDERS, PERSON_STANDINGS).
        self.fields["standing"].choices = [
            ("", _("Any standing")), *((key, label) for key, (label, _f) in selectors.PERSON_STANDINGS.items())
        ]
        self.fields["sort"].choices = [
            ("", _("Name")), *((key, label) for key, (label, _o) in selectors.PERSON_ORDERS.items())
        ]

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in ("q", "skill", "country", "standing", "sort")}


class InvitationForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
