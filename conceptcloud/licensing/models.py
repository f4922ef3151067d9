"""Licence offers on assets, and deals: from an inquiry (or an express
acceptance) through NDA, evaluation, negotiation and signing to an active licence.

Money is in integer minor units of an ISO 4217 currency; percentages are
integers in basis points (1/100 of a percent, 10000 = 100%).

    LicenceTerms   (abstract) the terms licensors state: exclusivity, field of
                   use, territory, duration, fees, royalties, permissions
    LicenceOffer   an asset's managers offer a licence on those terms; open or
                   withdrawn (never deleted); `acceptance` says whether a signed-in
                   person may accept it in one step (express) or must inquire
    Deal           one seeker's deal about one asset. An inquiry is a deal at stage
                   "inquiry"; an express acceptance creates a deal at stage "active".
                   Its terms are copied from the offer (if any) and may change
                   until signing; then they are fixed.
    DealMessage    the private thread between the seeker and the asset's managers
    Nda            a non-disclosure agreement proposed in a deal; in force once both
                   sides have accepted, which grants the seeker access to the
                   asset's confidential details
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FULL_BP = 10_000  # basis points in 100%
# The largest amount the history's canonical JSON (RFC 8785) holds exactly.
MAX_AMOUNT = 2**53 - 1


class Exclusivity(models.TextChoices):
    NON_EXCLUSIVE = "non-exclusive", _("Non-exclusive")
    SOLE = "sole", _("Sole (licensor keeps its own right to use)")
    EXCLUSIVE = "exclusive", _("Exclusive")


class Derivatives(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    APPROVAL = "approval", _("Allowed with the owner's approval")
    NOT_ALLOWED = "not-allowed", _("Not allowed")


class Template(models.TextChoices):
    EXPRESS = "express", _("Standard non-exclusive licence (express)")
    EVALUATION = "evaluation", _("Evaluation licence")
    STARTUP = "startup", _("Startup licence")
    EXCLUSIVE = "exclusive", _("Exclusive licence (by negotiation)")
    CREATIVE_COMMONS = "creative-commons", _("Creative Commons licence (works)")
    OPEN_PLEDGE = "open-pledge", _("Royalty-free open pledge")
    CUSTOM = "custom", _("Custom terms")


class Acceptance(models.TextChoices):
    EXPRESS = "express", _("Accepted in one step")
    NEGOTIATION = "negotiation", _("By inquiry and negotiation")


class LicenceTerms(models.Model):
    """What a licence grants and costs. `territories` empty = worldwide;
    `duration_months` None = perpetual; fees and the ceiling in minor units of
    `currency` (blank when nothing is charged); `revenue_ceiling` None = no
    ceiling (the licence covers the licensee's revenue from the asset up to it)."""

    exclusivity = models.CharField(
        _("exclusivity"), max_length=15, choices=Exclusivity.choices, default=Exclusivity.NON_EXCLUSIVE
    )
    field_of_use = models.CharField(_("field of use"), max_length=300, blank=True)
    territories = models.JSONField(_("territory"), default=list, blank=True)
    duration_months = models.PositiveIntegerField(_("duration (months)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    upfront_fee = models.PositiveBigIntegerField(_("upfront fee"), default=0)
    # Startup licences: fees (upfront and royalties) fall due only this many months after signing.
    fee_deferral_months = models.PositiveIntegerField(_("fees deferred (months)"), default=0)
    royalty_bp = models.PositiveIntegerField(_("running royalty"), default=0)
    # What a derivative of the asset owes it; the asset's lineage terms (see services).
    derivative_royalty_bp = models.PositiveIntegerField(_("royalty owed by derivatives"), default=0)
    revenue_ceiling = models.PositiveBigIntegerField(_("revenue ceiling"), null=True, blank=True)
    commercial_use = models.BooleanField(_("commercial use allowed"), default=True)
    derivatives = models.CharField(
        _("derivatives"), max_length=12, choices=Derivatives.choices, default=Derivatives.ALLOWED
    )
    attribution_required = models.BooleanField(_("attribution required"), default=False)
    sublicensing = models.BooleanField(_("sublicensing allowed"), default=False)
    # A Creative Commons licence URI (registry.vocab.RIGHTS_STATEMENTS), for works only.
    cc_licence = models.CharField(_("Creative Commons licence"), max_length=100, blank=True)

    class Meta:
        abstract = True


class LicenceOffer(LicenceTerms):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    asset = models.ForeignKey("registry.Asset", on_delete=models.PROTECT, related_name="licence_offers")
    template = models.CharField(_("template"), max_length=20, choices=Template.choices, default=Template.CUSTOM)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    acceptance = models.CharField(
        _("acceptance"), max_length=12, choices=Acceptance.choices, default=Acceptance.NEGOTIATION
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asset", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(royalty_bp__lte=FULL_BP), name="licensing_offer_royalty_le_100"),
            models.CheckConstraint(
                condition=models.Q(derivative_royalty_bp__lte=FULL_BP), name="licensing_offer_derivative_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_express(self) -> bool:
        return self.acceptance == Acceptance.EXPRESS


class Stage(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    NDA = "nda", _("NDA")
    EVALUATION = "evaluation", _("Evaluation")
    NEGOTIATION = "negotiation", _("Negotiation")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    TERMINATED = "terminated", _("Terminated")


# Stages in pipeline order; the board shows them in this order.
PIPELINE = [s.value for s in Stage]
OPEN_STAGES = (Stage.INQUIRY, Stage.NDA, Stage.EVALUATION, Stage.NEGOTIATION)
FINAL_STAGES = (Stage.CLOSED, Stage.TERMINATED)
# The licence is executed from signing on (AUTM "licences executed").
EXECUTED_STAGES = (Stage.SIGNED, Stage.ACTIVE, Stage.CLOSED)
# The moves a deal may make. A deal at "nda" moves on to "evaluation" once its
# NDA is in force (nda_accept does it); the seeker's side may only terminate
# (withdraw) before signing; every other move is the asset's managers'.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.INQUIRY: (Stage.NDA, Stage.EVALUATION, Stage.NEGOTIATION, Stage.TERMINATED),
    Stage.NDA: (Stage.EVALUATION, Stage.TERMINATED),
    Stage.EVALUATION: (Stage.NEGOTIATION, Stage.TERMINATED),
    Stage.NEGOTIATION: (Stage.SIGNED, Stage.TERMINATED),
    Stage.SIGNED: (Stage.ACTIVE, Stage.TERMINATED),
    Stage.ACTIVE: (Stage.CLOSED, Stage.TERMINATED),
    Stage.CLOSED: (),
    Stage.TERMINATED: (),
}


class Deal(LicenceTerms):
    class Origin(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        EXPRESS = "express", _("Express acceptance")

    asset = models.ForeignKey("registry.Asset", on_delete=models.PROTECT, related_name="deals")
    offer = models.ForeignKey(LicenceOffer, null=True, blank=True, on_delete=models.PROTECT, related_name="deals")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    seeker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals")
    # The organisation the seeker acts for (a member of it), if any: the licensee.
    seeker_org = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.INQUIRY, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    stage_changed_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Whether this deal's NDA granted the seeker access to the asset's details.
    access_granted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-stage_changed_at", "-id"]
        indexes = [models.Index(fields=["asset", "stage"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(royalty_bp__lte=FULL_BP), name="licensing_deal_royalty_le_100"),
            models.CheckConstraint(
                condition=models.Q(derivative_royalty_bp__lte=FULL_BP), name="licensing_deal_derivative_le_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Deal {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage not in FINAL_STAGES


class DealMessage(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "created_at", "id"]


class Side(models.TextChoices):
    OWNER = "owner", _("Owner")
    SEEKER = "seeker", _("Seeker")


class Nda(models.Model):
    """One NDA proposal in a deal. The proposer's side has accepted by proposing;
    it is in force once the other side accepts too. At most one proposed or in-force
    NDA per deal."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_FORCE = "in-force", _("In force")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="ndas")
    # The standard text as filled in for this deal (parties, asset, term), kept as agreed.
    text = models.TextField()
    term_months = models.PositiveIntegerField(default=36)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_accepted_at = models.DateTimeField(null=True, blank=True)
    seeker_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deal", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"],
                condition=models.Q(status__in=["proposed", "in-force"]),
                name="licensing_one_live_nda_per_deal",
            )
        ]
