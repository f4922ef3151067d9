"""Who contributed to an asset, and which assets it was built on.

Percentages are integers in basis points (1/100 of a percent, 10000 = 100%),
so shares and royalties are exact and payouts can work in exact fractions.

    LineageTerms      per asset: what derivatives owe it and what agreement
                      changes to its contributor shares need
    Contribution      one person's role and share in an asset (shares of an
                      asset sum to 10000)
    ShareProposal     a proposed new set of contributions, waiting for the
                      agreement the terms ask for; applied as a whole
    Derivation        child asset → parent asset, with the royalty the parent's
                      terms asked when the link was made; pending while the
                      parent's owner has not approved (when approval is required)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FULL_SHARE = 10_000  # basis points in 100%
MAX_PARENTS = 16


class Role(models.TextChoices):
    ORIGINATOR = "originator", _("Originator")
    IMPROVER = "improver", _("Improver")
    COMBINER = "combiner", _("Combiner")
    IMPLEMENTER = "implementer", _("Implementer")
    FUNDER = "funder", _("Funder")
    REVIEWER = "reviewer", _("Reviewer")


class LineageTerms(models.Model):
    class Agreement(models.TextChoices):
        OWNER = "owner", _("The owner decides")
        CONTRIBUTORS = "contributors", _("Every current contributor agrees")

    asset = models.OneToOneField("registry.Asset", on_delete=models.CASCADE, related_name="lineage_terms")
    derivative_royalty_bp = models.PositiveIntegerField(_("royalty asked of derivatives"), default=0)
    derivatives_need_approval = models.BooleanField(_("derivatives need approval"), default=False)
    share_changes_need = models.CharField(
        _("changes to shares need"), max_length=12, choices=Agreement.choices, default=Agreement.OWNER
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(derivative_royalty_bp__lte=FULL_SHARE), name="lineage_terms_royalty_at_most_100"
            )
        ]


class Contribution(models.Model):
    asset = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="contributions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    share_bp = models.PositiveIntegerField(_("share"))

    class Meta:
        ordering = ["asset", "-share_bp", "id"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "user"], name="lineage_one_contribution_per_person"),
            models.CheckConstraint(condition=models.Q(share_bp__lte=FULL_SHARE), name="lineage_share_at_most_100"),
        ]


class ShareProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for agreement")
        APPLIED = "applied", _("Applied")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    asset = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="share_proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # [{"user": username, "role": role, "share_bp": int}, ...], summing to FULL_SHARE
    contributions = models.JSONField()
    # Usernames whose agreement is needed, and those who have given it.
    needed = models.JSONField(default=list)
    agreed = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Derivation(models.Model):
    class Relation(models.TextChoices):
        IMPROVES = "improves", _("Improves")
        COMBINES = "combines", _("Combines")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    child = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey("registry.Asset", on_delete=models.PROTECT, related_name="child_links")
    relation = models.CharField(max_length=10, choices=Relation.choices)
    royalty_bp = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["child", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="lineage_one_link_per_pair"),
            models.CheckConstraint(condition=~models.Q(child=models.F("parent")), name="lineage_no_self_link"),
            models.CheckConstraint(condition=models.Q(royalty_bp__lte=FULL_SHARE), name="lineage_royalty_at_most_100"),
        ]
