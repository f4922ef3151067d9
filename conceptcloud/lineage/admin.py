"""The operator's read-only screens for lineage: derivation links, share
proposals, contributions and terms.

The operator looks, and changes nothing here: shares and links change only
through lineage.services, with the agreement and approval they need and their
history entries. Assets appear by their titles, as on the operator's asset
screens (teasers only: no details reach the admin).
"""

from __future__ import annotations

from django.contrib import admin

from conceptcloud.lineage.models import Contribution, Derivation, LineageTerms, ShareProposal


class LineageAdmin(admin.ModelAdmin):
    """Lists and detail pages without add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Derivation)
class DerivationAdmin(LineageAdmin):
    list_display = ("child", "relation", "parent", "royalty_bp", "status", "requested_by", "created_at")
    list_filter = ("status", "relation")
    search_fields = ("child__title", "parent__title", "requested_by__username")
    list_select_related = ("child", "parent", "requested_by")
    date_hierarchy = "created_at"


@admin.register(ShareProposal)
class ShareProposalAdmin(LineageAdmin):
    list_display = ("asset", "proposed_by", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("asset__title", "proposed_by__username")
    list_select_related = ("asset", "proposed_by")
    date_hierarchy = "created_at"


@admin.register(Contribution)
class ContributionAdmin(LineageAdmin):
    list_display = ("asset", "user", "role", "share_bp")
    list_filter = ("role",)
    search_fields = ("asset__title", "user__username")
    list_select_related = ("asset", "user")


@admin.register(LineageTerms)
class LineageTermsAdmin(LineageAdmin):
    list_display = ("asset", "derivative_royalty_bp", "derivatives_need_approval", "share_changes_need")
    list_filter = ("derivatives_need_approval", "share_changes_need")
    search_fields = ("asset__title",)
    list_select_related = ("asset",)
