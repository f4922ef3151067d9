"""The operator's read-only screens for licensing: offers, deals and NDAs.

The operator looks, and changes nothing here: offers and deals change only
through licensing.services, with their history entries. The deals' private
threads are not shown at all: they belong to the deal's two sides.
"""

from __future__ import annotations

from django.contrib import admin

from conceptcloud.licensing.models import Deal, LicenceOffer, Nda


class LicensingAdmin(admin.ModelAdmin):
    """Lists and detail pages without add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LicenceOffer)
class LicenceOfferAdmin(LicensingAdmin):
    list_display = ("title", "asset", "template", "acceptance", "exclusivity", "status", "created_at")
    list_filter = ("status", "template", "acceptance", "exclusivity")
    search_fields = ("title", "asset__title", "created_by__username")
    list_select_related = ("asset",)
    date_hierarchy = "created_at"


@admin.register(Deal)
class DealAdmin(LicensingAdmin):
    list_display = ("id", "asset", "seeker", "seeker_org", "origin", "stage", "stage_changed_at")
    list_filter = ("stage", "origin", "exclusivity")
    search_fields = ("asset__title", "seeker__username", "seeker_org__name")
    list_select_related = ("asset", "seeker", "seeker_org")
    date_hierarchy = "created_at"


@admin.register(Nda)
class NdaAdmin(LicensingAdmin):
    list_display = ("id", "deal", "asset", "status", "proposed_by", "owner_accepted_at", "seeker_accepted_at")
    list_filter = ("status",)
    search_fields = ("deal__asset__title", "proposed_by__username")
    list_select_related = ("deal", "deal__asset", "proposed_by")

    @admin.display(description="asset")
    def asset(self, nda: Nda) -> str:
        return nda.deal.asset.title
