"""The operator's screens for people, organisations, memberships and tokens.

The operator looks and moderates; the admin never edits these rows directly.
Every change is an action that calls a service, so it is checked and recorded
in the creative history like any other change:

    Suspend / Reinstate     services.user_set_active (a suspended person cannot
                            sign in, their sessions and API tokens stop working)
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from conceptcloud.accounts import services
from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from conceptcloud.core.errors import ApplicationError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages without add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("organisation", "user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    verbose_name_plural = _("organisations")


class OrganisationMembershipInline(MembershipInline):
    fk_name = "organisation"
    verbose_name_plural = _("members")


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "country", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "country", "date_joined")
    search_fields = ("username", "email", "display_name", "affiliation")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "email", "is_active", "is_staff", "is_superuser")}),
        (_("Profile"), {"fields": ("display_name", "affiliation", "country", "languages", "skills", "bio", "orcid")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    inlines = [UserMembershipInline]
    actions = ["suspend", "reinstate"]

    def _set_active(self, request, queryset, *, active: bool) -> None:
        changed = 0
        for user in queryset:
            if user.is_active == active:
                continue
            try:
                services.user_set_active(actor=request.user, user=user, active=active, reason="moderation")
            except ApplicationError as error:
                self.message_user(request, f"{user.username}: {error.message}", messages.ERROR)
            else:
                changed += 1
        if active:
            text = ngettext("%(n)d person reinstated.", "%(n)d people reinstated.", changed)
        else:
            text = ngettext(
                "%(n)d person suspended: they can no longer sign in or use their API tokens.",
                "%(n)d people suspended: they can no longer sign in or use their API tokens.",
                changed,
            )
        self.message_user(request, text % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Suspend the selected people"))
    def suspend(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Reinstate the selected people"))
    def reinstate(self, request, queryset):
        self._set_active(request, queryset, active=True)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "kind", "country", "created_at")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug", "ror_id", "website")
    fields = ("name", "slug", "kind", "country", "website", "ror_id", "description", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [OrganisationMembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organisation__name")
    list_select_related = ("user", "organisation")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__name")
    list_select_related = ("organisation", "invited_by")
    # The token hash stays out of the screen: it is of no use to the operator.
    fields = ("organisation", "email", "role", "invited_by", "created_at", "expires_at", "accepted_by", "accepted_at", "revoked_at")
    readonly_fields = fields


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
