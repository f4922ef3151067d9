"""The operator's moderation screens for assets and needs.

The operator never edits an asset or a need here: both are read-only, and the
only changes are actions that call the registry services, which check the
operator's right, record a new version and append the history entry:

    Withdraw (assets)   services.asset_set_status(status="withdrawn", reason="moderation"):
                        the asset disappears from the site at once (404 for all
                        but its owners), and its owners cannot publish it again
    Reinstate (assets)  services.asset_set_status(status="published"), for assets
                        the operator withdrew: the only way they come back
    Close (needs)       services.need_set_status(status="closed"): its
                        organisation cannot reopen it
    Reopen (needs)      services.need_set_status(status="open"), for needs the
                        operator closed

The screens show an asset's teaser only. The operator holds no access grant,
so a confidential asset's details, IP records and files stay out of the admin
like everywhere else.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from conceptcloud.core.errors import ApplicationError
from conceptcloud.registry import services
from conceptcloud.registry.models import Asset, Need

MODERATION_REASON = "moderation"


class ModerationAdmin(admin.ModelAdmin):
    """Read-only screens: no add, change or delete; actions only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _moderate(self, request, queryset, *, change, done, skip=lambda obj: None) -> None:
        """Apply `change(obj)` (a service call) to every selected object and report.

        `skip(obj)` returns None to go ahead, "" to pass the object over silently,
        or a message to report it as not changed. A service's refusal is
        reported by the object's title; the others still go through.
        """
        changed, failures = 0, []
        for obj in queryset:
            reason = skip(obj)
            if reason is not None:
                if reason:
                    failures.append(reason)
                continue
            try:
                change(obj)
            except ApplicationError as error:
                failures.append(f"{obj.title}: {error.message}")
            else:
                changed += 1
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)
        if changed or not failures:
            self.message_user(request, done(changed), messages.SUCCESS)


@admin.register(Asset)
class AssetAdmin(ModerationAdmin):
    list_display = ("title", "kind", "status", "visibility", "owner", "created_at", "version")
    list_filter = ("status", "withdrawn_by_operator", "visibility", "kind")
    search_fields = ("title", "summary", "reference", "owner_org__name", "owner_user__username")
    list_select_related = ("owner_org", "owner_user")
    date_hierarchy = "created_at"
    # Teaser fields only (registry.selectors.TEASER_FIELDS) plus ownership and state.
    fields = (
        "title", "kind", "summary", "status", "withdrawn_by_operator", "visibility", "owner_org", "owner_user",
        "created_by",
        "language", "trl", "sdgs", "cpc_codes", "keywords", "countries_developed", "countries_deployed",
        "availability", "rights_statement", "reference", "version", "created_at", "updated_at",
    )
    readonly_fields = fields
    actions = ["withdraw", "reinstate"]

    @admin.display(description=_("owner"))
    def owner(self, asset: Asset) -> str:
        return asset.owner_org.name if asset.owner_org_id else asset.owner_user.name

    @admin.action(description=_("Withdraw the selected assets (moderation)"))
    def withdraw(self, request, queryset):
        self._moderate(
            request,
            queryset,
            skip=lambda asset: "" if asset.withdrawn_by_operator else None,
            change=lambda asset: services.asset_set_status(
                actor=request.user, asset=asset, status=Asset.Status.WITHDRAWN, reason=MODERATION_REASON
            ),
            done=lambda n: ngettext(
                "%(n)d asset withdrawn: only its owners can see it now.",
                "%(n)d assets withdrawn: only their owners can see them now.",
                n,
            )
            % {"n": n},
        )

    @admin.action(description=_("Reinstate (publish) the selected assets"))
    def reinstate(self, request, queryset):
        # Drafts and the owners' own withdrawals are the owners' decision.
        self._moderate(
            request,
            queryset,
            skip=lambda asset: None
            if asset.withdrawn_by_operator
            else gettext("%(title)s: not withdrawn by the operator; only its owners can publish it.")
            % {"title": asset.title},
            change=lambda asset: services.asset_set_status(
                actor=request.user, asset=asset, status=Asset.Status.PUBLISHED
            ),
            done=lambda n: ngettext(
                "%(n)d asset reinstated: it is published again.",
                "%(n)d assets reinstated: they are published again.",
                n,
            )
            % {"n": n},
        )


@admin.register(Need)
class NeedAdmin(ModerationAdmin):
    list_display = ("title", "seeker_org", "status", "deadline", "created_at")
    list_filter = ("status", "closed_by_operator")
    search_fields = ("title", "description", "reference", "seeker_org__name")
    list_select_related = ("seeker_org",)
    date_hierarchy = "created_at"
    fields = (
        "title", "description", "seeker_org", "created_by", "status", "closed_by_operator", "sdgs", "countries",
        "region", "sector",
        "deal_types", "budget_min", "budget_max", "budget_currency", "deadline", "reference",
        "created_at", "updated_at",
    )
    readonly_fields = fields
    actions = ["close", "reopen"]

    @admin.action(description=_("Close the selected needs (moderation)"))
    def close(self, request, queryset):
        self._moderate(
            request,
            queryset,
            skip=lambda need: "" if need.closed_by_operator else None,
            change=lambda need: services.need_set_status(actor=request.user, need=need, status=Need.Status.CLOSED),
            done=lambda n: ngettext("%(n)d need closed.", "%(n)d needs closed.", n) % {"n": n},
        )

    @admin.action(description=_("Reopen the selected needs"))
    def reopen(self, request, queryset):
        # Its organisation decides about a need the operator did not close.
        self._moderate(
            request,
            queryset,
            skip=lambda need: None
            if need.closed_by_operator
            else gettext("%(title)s: not closed by the operator; only its organisation can reopen it.")
            % {"title": need.title},
            change=lambda need: services.need_set_status(actor=request.user, need=need, status=Need.Status.OPEN),
            done=lambda n: ngettext("%(n)d need reopened.", "%(n)d needs reopened.", n) % {"n": n},
        )
