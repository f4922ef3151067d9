"""Pages of the account area (/account/) and of the people/organisation directory.

    account     signup, LogIn, LogOut, password_change, PasswordReset* (Django's
                views, ending in services.user_password_reset_complete),
                profile, token_list (create: the secret is shown once), token_revoke,
                notification_list (unread first), notification_read, notifications_read_all
    directory   organisation_list/create/detail/edit, organisation_members
                (invite, change role, remove, revoke invitations), organisation_leave,
                invitation_accept, person_list, person_detail

Views are thin adapters: a form parses the input, a service writes, a selector
reads. A service's errors go back onto the form by the fields and nothing is
changed; NotFound from a selector is a 404 (absent and not-yours look alike).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from conceptcloud.accounts import selectors, services
from conceptcloud.accounts.forms import (
    InvitationForm,
    LoginForm,
    OrganisationFilterForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordResetSetForm,
    PersonFilterForm,
    ProfileForm,
    RoleForm,
    SignupForm,
    TokenCreateForm,
)
from conceptcloud.accounts.models import Membership
from conceptcloud.core.codes import language_names
from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.core.views import found_or_404

# Sign-ins made by the views themselves (after sign-up) name the backend that
# checks passwords; the rate-limit backend only counts attempts.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
ORGANISATIONS_PER_PAGE = 20
PEOPLE_PER_PAGE = 24


def _next_url(request) -> str:
    """The same-site `next` parameter of the request, or ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- The account area -------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            messages.success(request, _("Welcome to Concept Cloud! Tell others about yourself so they can find you."))
            return redirect(_next_url(request) or "accounts:profile")
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)})


class LogIn(auth_views.LoginView):
    """Django's sign-in, with username-or-e-mail; django-axes counts the attempts."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogOut(auth_views.LogoutView):
    """Sign out (POST only, as every state change)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            # Keep this session signed in; other sessions of the account end.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django checks the link; the new password is set by the accounts service."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = PasswordResetSetForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        try:
            services.user_password_reset_complete(user=self.user, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(actor=request.user, data=form.to_data())
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm.for_user(request.user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "organisations": selectors.organisations_for_user(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            # The secret exists only in this response: it is stored nowhere, so
            # no cache may keep the page either.
            response = render(request, "accounts/token_created.html", {"token": token, "secret": secret})
            add_never_cache_headers(response)
            return response
    return render(
        request, "accounts/token_list.html", {"form": form, "tokens": selectors.tokens_for_user(user=request.user)}
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = found_or_404(services.token_revoke, actor=request.user, token_id=token_id)
    messages.success(request, _("The token “%(name)s” is revoked; programs using it are refused from now on.") % {"name": token.name})
    return redirect("accounts:token_list")


# --- The directory ----------------------------------------------------------


def organisation_list(request):
    filter_form = OrganisationFilterForm(request.GET)
    filters = filter_form.filters()
    page_obj = _page(request, selectors.organisation_list(**filters), ORGANISATIONS_PER_PAGE)
    return render(
        request,
        "accounts/organisation_list.html",
        {"filter_form": filter_form, "filtered": any(filters.values()), "page_obj": page_obj},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, data=form.to_data())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s is created and you are its admin. Invite your colleagues next.") % {"name": org.name})
            return redirect("directory:organisation_detail", slug=org.slug)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": None})


def organisation_detail(request, slug: str):
    org = found_or_404(selectors.organisation_get, slug=slug)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": org,
            "members": selectors.organisation_members(organisation=org),
            "is_member": org.pk in selectors.organisation_ids_for_user(user=request.user),
            "is_admin": org.pk in selectors.organisation_admin_ids_for_user(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug: str):
    org = found_or_404(selectors.organisation_get_for_admin, slug=slug, user=request.user)
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                services.organisation_update(actor=request.user, organisation=org, data=form.to_data())
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The organisation profile is saved."))
                return redirect("directory:organisation_detail", slug=org.slug)
    else:
        form = OrganisationForm.for_organisation(org)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": org})


def _invitation_url_base(request) -> str:
    """The absolute accept address without its token: the service appends the secret."""
    placeholder = "TOKEN"
    url = request.build_absolute_uri(reverse("directory:invitation_accept", kwargs={"token": placeholder}))
    return url.removesuffix(placeholder)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request, slug: str):
    org = found_or_404(selectors.organisation_get_for_admin, slug=slug, user=request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _secret = services.invitation_create(
                actor=request.user,
                organisation=org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                accept_url_base=_invitation_url_base(request),
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
            return redirect("directory:organisation_members", slug=org.slug)
    members = [
        (membership, RoleForm(initial={"role": membership.role}, prefix=f"m{membership.pk}"))
        for membership in selectors.organisation_members(organisation=org, include_suspended=True)
    ]
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": org,
            "members": members,
            "invitations": selectors.invitations_pending(organisation=org),
            "form": form,
        },
    )


def _member_action(request, slug: str, username: str):
    org = found_or_404(selectors.organisation_get_for_admin, slug=slug, user=request.user)
    return org, found_or_404(selectors.membership_get, organisation=org, username=username)


@login_required
@require_POST
def membership_role(request, slug: str, username: str):
    org, membership = _member_action(request, slug, username)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose admin or member."))
    else:
        try:
            services.membership_set_role(
                actor=request.user, organisation=org, user=membership.user, role=form.cleaned_data["role"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            role = Membership.Role(form.cleaned_data["role"]).label
            messages.success(request, _("The role of %(name)s is now: %(role)s.") % {"name": membership.user.name, "role": role})
    return redirect("directory:organisation_members", slug=org.slug)


@login_required
@require_POST
def membership_remove(request, slug: str, username: str):
    org, membership = _member_action(request, slug, username)
    try:
        services.membership_remove(actor=request.user, organisation=org, user=membership.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer a member.") % {"name": membership.user.name})
    return redirect("directory:organisation_members", slug=org.slug)


@login_required
@require_POST
def invitation_revoke(request, slug: str, invitation_id: int):
    org = found_or_404(selectors.organisation_get_for_admin, slug=slug, user=request.user)
    invitation = found_or_404(selectors.invitation_get_for_admin, organisation=org, invitation_id=invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("directory:organisation_members", slug=org.slug)


@login_required
@require_POST
def organisation_leave(request, slug: str):
    org = found_or_404(selectors.organisation_get, slug=slug)
    try:
        services.membership_remove(actor=request.user, organisation=org, user=request.user)
    except NotFound:
        raise Http404(_("You are not a member.")) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": org.name})
    return redirect("directory:organisation_detail", slug=org.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = found_or_404(selectors.invitation_get_by_token, token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return auth_views.redirect_to_login(request.path)
        try:
            services.invitation_accept(actor=request.user, invitation=invitation)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.organisation.name})
            return redirect("directory:organisation_detail", slug=invitation.organisation.slug)
    is_member = invitation.organisation_id in selectors.organisation_ids_for_user(user=request.user)
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "token": token, "is_member": is_member}
    )


def person_list(request):
    filter_form = PersonFilterForm(request.GET)
    filters = filter_form.filters()
    page_obj = _page(request, selectors.person_list(**filters), PEOPLE_PER_PAGE)
    return render(
        request,
        "accounts/person_list.html",
        {"filter_form": filter_form, "filtered": any(filters.values()), "page_obj": page_obj},
    )


def person_detail(request, username: str):
    person = found_or_404(selectors.person_get, username=username)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "languages": [language_names().get(code, code) for code in person.languages],
            "organisations": selectors.organisations_for_user(user=person),
            "is_me": request.user.is_authenticated and request.user.pk == person.pk,
        },
    )


# --- Notifications ----------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 30


@login_required
def notification_list(request):
    """The person's notifications, unread first."""
    page_obj = _page(request, selectors.notifications_for_user(user=request.user), NOTIFICATIONS_PER_PAGE)
    unread = selectors.notifications_unread_count(user=request.user)
    return render(request, "accounts/notification_list.html", {"page_obj": page_obj, "unread": unread})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = found_or_404(selectors.notification_get_for_user, user=request.user, notification_id=notification_id)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(_next_url(request) or reverse("accounts:notification_list"))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("accounts:notification_list")
