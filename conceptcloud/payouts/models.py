"""Revenue, the ledger it is posted to, and payouts.

Amounts are integers in the currency's minor units (cents, yen: the exponent
comes from the ISO 4217 code, see money.py), never floats.

    RevenueEvent   money an asset earned (amount > 0), or a refund of an earlier
                   event (amount < 0, `refund_of` set); idempotency key unique per
                   asset. `distributed_at` is set once its ledger lines are posted.
    Account        one per person ("user:<id>"), organisation ("org:<id>"), earning
                   asset ("asset:<id>": the revenue received for it) and one for the
                   money paid out ("paid-out")
    LedgerLine     one posting to an account. `amount` is signed: positive is a
                   credit, negative a debit. The lines of one event (or of one
                   payout) sum to zero, so the whole ledger sums to zero per
                   currency. A recipient's balance is the sum of its lines: what the
                   platform owes it.
    Payout         money disbursed from a person's or organisation's balance

Postings:
    revenue R of asset X     asset:X  −R          each recipient  +its allocation
    refund −r of event E     asset:X  +r          each recipient  −its part (apportioned)
    payout P                 user/org −P          paid-out        +P

Rows are written only by payouts.services; nothing here is ever updated
except `RevenueEvent.distributed_at`, and nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The largest amount a single event or payout may carry: canonical JSON (RFC 8785)
# keeps integers exact only up to 2**53 − 1, and the history entries hold amounts.
MAX_AMOUNT = 2**53 - 1


class RevenueEvent(models.Model):
    class Source(models.TextChoices):
        DEAL = "deal", _("A deal")
        MANUAL = "manual", _("Entered by the owner")

    asset = models.ForeignKey("registry.Asset", on_delete=models.PROTECT, related_name="revenue_events")
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # A deal of the licensing app, by number only: payouts stands below licensing.
    deal_ref = models.PositiveBigIntegerField(_("deal"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    distributed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "idempotency_key"], name="payouts_one_event_per_key"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, refund_of__isnull=True) | Q(amount__lt=0, refund_of__isnull=False),
                name="payouts_refunds_negative_revenue_positive",
            ),
            models.CheckConstraint(
                condition=Q(source="manual", deal_ref__isnull=True) | Q(source="deal", deal_ref__isnull=False),
                name="payouts_deal_source_names_a_deal",
            ),
        ]

    @property
    def is_refund(self) -> bool:
        return self.refund_of_id is not None

    @property
    def distributed(self) -> bool:
        return self.distributed_at is not None


class Account(models.Model):
    class Kind(models.TextChoices):
        PERSON = "user", _("Person")
        ORGANISATION = "org", _("Organisation")
        ASSET = "asset", _("Revenue of an asset")
        PAID_OUT = "paid-out", _("Paid out")

    key = models.CharField(max_length=40, unique=True)  # "user:12", "org:3", "asset:7", "paid-out"
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_accounts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="payout_accounts"
    )
    asset = models.ForeignKey(
        "registry.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="payout_accounts"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Payout(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="payouts_one_payout_per_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payouts_payout_positive"),
        ]


class LedgerLine(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    event = models.ForeignKey(RevenueEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()  # > 0 credit, < 0 debit
    # A refund's line: the original event's line it gives back (part of).
    refunds = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refund_lines")
    # Why a recipient got this amount: the assets it came through, nearest the earning
    # asset first (see services._source_json), at most services.MAX_SOURCES of them;
    # `more_sources` counts those left out.
    sources = models.JSONField(default=list, blank=True)
    more_sources = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "currency"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, payout__isnull=True) | Q(event__isnull=True, payout__isnull=False),
                name="payouts_line_of_an_event_or_a_payout",
            ),
        ]
