"""The operator's read-only screens for payouts: revenue events, accounts, ledger
lines and payouts.

The operator looks, and changes nothing here: revenue, refunds and payouts are
recorded only through payouts.services (the statement page has the payout form),
with their ledger lines and history entries. Assets appear by their titles, as
on the operator's other screens.
"""

from __future__ import annotations

from django.contrib import admin

from conceptcloud.payouts.models import Account, LedgerLine, Payout, RevenueEvent


class PayoutsAdmin(admin.ModelAdmin):
    """Lists and detail pages without add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RevenueEvent)
class RevenueEventAdmin(PayoutsAdmin):
    list_display = ("id", "asset", "amount", "currency", "date", "source", "deal_ref", "refund_of", "distributed_at")
    list_filter = ("source", "currency")
    search_fields = ("asset__title", "idempotency_key")
    list_select_related = ("asset", "refund_of")
    date_hierarchy = "date"


@admin.register(Account)
class AccountAdmin(PayoutsAdmin):
    list_display = ("key", "kind", "user", "organisation", "asset")
    list_filter = ("kind",)
    search_fields = ("key", "user__username", "organisation__name", "asset__title")
    list_select_related = ("user", "organisation", "asset")


@admin.register(LedgerLine)
class LedgerLineAdmin(PayoutsAdmin):
    list_display = ("id", "account", "amount", "currency", "event", "payout", "created_at")
    list_filter = ("currency",)
    search_fields = ("account__key",)
    list_select_related = ("account",)
    date_hierarchy = "created_at"


@admin.register(Payout)
class PayoutAdmin(PayoutsAdmin):
    list_display = ("id", "account", "amount", "currency", "reference", "recorded_by", "created_at")
    list_filter = ("currency",)
    search_fields = ("account__key", "reference")
    list_select_related = ("account", "recorded_by")
    date_hierarchy = "created_at"
