"""People, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.models import TimeStampedModel


class User(AbstractUser):
    """A person. The people directory shows the profile fields below."""

    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True)
    # Privacy: whether this person's name appears in the lists of who praised an asset
    # (and their praise entries in the history); hidden, the praise still counts.
    show_praise = models.BooleanField(_("show my name on what I praise"), default=True)

    class Meta:
        ordering = ["username"]

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __str__(self) -> str:
        return self.name


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        TLO = "tlo", _("Technology licensing office (TLO)")
        COMPANY = "company", _("Company")
        SME = "sme", _("SME")
        STARTUP = "startup", _("Startup")
        GOVERNMENT = "government", _("Government")
        NGO = "ngo", _("NGO")
        INDIVIDUAL = "individual", _("Individual")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2)
    website = models.URLField(_("website"), blank=True)
    ror_id = models.CharField(_("ROR id"), max_length=9, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]


class Invitation(TimeStampedModel):
    """An admin's invitation to join an organisation, redeemed by a secret link."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_open(self) -> bool:
        """Neither accepted, revoked nor expired: the link can still be used."""
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Notification(models.Model):
    """A message to one person in the app (and by e-mail where they chose it):
    a new listing matching a saved search, and in time other events. Written only
    by accounts.services.notification_send; read or dismissed by its recipient."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, max_length=2000)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
