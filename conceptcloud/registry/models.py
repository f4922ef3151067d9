"""Assets (ideas, technologies, works, lessons...), their versions, IP records,
attachments and access grants; needs posted by seekers.

The current state of an asset lives on `Asset`; every change also stores an
immutable `AssetVersion` snapshot. `AssetFacet`/`NeedFacet` rows mirror the
multi-valued codes (SDGs, countries, availability...) so that browsing can
filter with plain indexed joins on every database; services rewrite them in the
same transaction as the asset.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.models import TimeStampedModel


class Asset(TimeStampedModel):
    class Kind(models.TextChoices):
        IDEA = "idea", _("Idea")
        TECHNOLOGY = "technology", _("Technology")
        PATENT = "patent", _("Patent")
        DESIGN = "design", _("Design")
        WORK = "work", _("Creative work")
        DATASET = "dataset", _("Dataset")
        KNOW_HOW = "know-how", _("Know-how")
        LESSON = "lesson", _("Lesson from a challenge")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")
        CONFIDENTIAL = "confidential", _("Confidential")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Availability(models.TextChoices):
        LICENCE = "licence", _("Licence")
        COLLABORATION = "collaboration", _("Collaboration")
        JOINT_VENTURE = "joint-venture", _("Joint venture")
        SALE = "sale", _("Sale")
        OPEN = "open", _("Free / open")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary (teaser)"), max_length=2000)
    details = models.TextField(_("details"), blank=True, max_length=100_000)
    language = models.CharField(_("language"), max_length=2, default="en")
    owner_org = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="assets"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_assets"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    trl = models.PositiveSmallIntegerField(_("TRL"), null=True, blank=True)
    sdgs = models.JSONField(_("SDGs"), default=list, blank=True)
    cpc_codes = models.JSONField(_("CPC codes"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    countries_developed = models.JSONField(_("developed in"), default=list, blank=True)
    countries_deployed = models.JSONField(_("deployed in"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    rights_statement = models.URLField(_("rights statement"), blank=True, max_length=300)
    reference = models.CharField(_("reference"), max_length=80, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    # Set while the operator's withdrawal stands: then only the operator may change the status.
    withdrawn_by_operator = models.BooleanField(_("withdrawn by the operator"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "visibility", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_org__isnull=False) | models.Q(owner_user__isnull=False),
                name="asset_has_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__gte=1, trl__lte=9),
                name="asset_trl_1_to_9",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AssetFacet(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["name", "value"])]


class AssetVersion(models.Model):
    """An immutable snapshot of an asset after one change."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "number"]
        constraints = [models.UniqueConstraint(fields=["asset", "number"], name="one_version_number")]


class IpRecord(models.Model):
    class Kind(models.TextChoices):
        PATENT = "patent", _("Patent")
        UTILITY_MODEL = "utility-model", _("Utility model")
        DESIGN = "design", _("Design registration")
        TRADEMARK = "trademark", _("Trademark")
        COPYRIGHT = "copyright", _("Copyright registration")
        SOFTWARE = "software", _("Software release")

    class Status(models.TextChoices):
        PENDING = "pending", _("Application pending")
        GRANTED = "granted", _("Granted / issued")
        EXPIRED = "expired", _("Expired")
        ABANDONED = "abandoned", _("Abandoned")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="ip_records")
    office = models.CharField(_("office"), max_length=10)
    number = models.CharField(_("number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is the content hash: uploaders never choose server paths.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class AccessGrant(models.Model):
    """Access to a confidential asset's details for one person (e.g. under an NDA)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["asset", "user"])]


class Need(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_DISCUSSION = "in-discussion", _("In discussion")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    class DealType(models.TextChoices):
        LICENCE = "licence", _("Licence")
        COLLABORATION = "collaboration", _("Collaboration")
        JOINT_VENTURE = "joint-venture", _("Joint venture")
        PURCHASE = "purchase", _("Purchase")
        FUNDING = "funding", _("Research funding")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), max_length=100_000)
    seeker_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="needs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sdgs = models.JSONField(_("SDGs"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    deal_types = models.JSONField(_("wanted deal types"), default=list, blank=True)
    budget_min = models.PositiveBigIntegerField(_("budget from"), null=True, blank=True)
    budget_max = models.PositiveBigIntegerField(_("budget to"), null=True, blank=True)
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True)
    reference = models.CharField(_("reference"), max_length=80, blank=True, db_index=True)
    # Set while the operator's closing stands: then only the operator may change the status.
    closed_by_operator = models.BooleanField(_("closed by the operator"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NeedFacet(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["name", "value"])]
