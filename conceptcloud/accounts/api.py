"""Accounts endpoints under /api/v1/: organisations, people, API tokens.
Thin adapters: parse → accounts services/selectors → shape.

    GET    /organisations/                       directory, filters + pages
    POST   /organisations/                       create (you become its admin)
    GET    /organisations/{slug}                 one organisation
    PATCH  /organisations/{slug}                 edit (admins)
    GET    /organisations/{slug}/members         members, admins first
    POST   /organisations/{slug}/invitations     invite by e-mail (admins)
    GET    /people/                              directory of active people
    GET    /people/me  PATCH /people/me          your own profile
    GET    /people/{username}                    one person's public profile
    GET    /tokens/  POST /tokens/               your API tokens; a new secret is shown once
    DELETE /tokens/{id}                          revoke one of your tokens
    GET    /notifications/                       your notifications, unread first
    POST   /notifications/{id}/read              mark one read
    POST   /notifications/read                   mark all read
"""

from __future__ import annotations

from dataclasses import replace

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from conceptcloud.accounts import selectors, services
from conceptcloud.accounts.models import ApiToken, Notification, Organisation, User
from conceptcloud.accounts.schemas import (
    InvitationIn,
    InvitationOut,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    OrganisationQuery,
    PersonOut,
    PersonQuery,
    ProfileOut,
    ProfilePatch,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import QuerySchema, problems
from conceptcloud.core.errors import collect_errors
from conceptcloud.core.pagination import Page, PageParams, paginate

router = Router()

ORGANISATIONS = ["Organisations"]
PEOPLE = ["People"]
TOKENS = ["Tokens"]
PROFILE_FIELDS = ("display_name", "affiliation", "country", "languages", "skills", "bio", "orcid", "show_praise")


def _organisation_out(request: HttpRequest, org: Organisation) -> dict:
    data = {name: getattr(org, name) for name in ("slug", "name", "kind", "country", "website", "ror_id", "description")}
    data["url"] = request.build_absolute_uri(reverse("api:organisation_detail", kwargs={"slug": org.slug}))
    data["created_at"] = org.created_at
    return data


def _person_out(request: HttpRequest, person: User) -> dict:
    data = {name: getattr(person, name) for name in PROFILE_FIELDS}
    data["username"] = person.username
    data["url"] = request.build_absolute_uri(reverse("api:person_detail", kwargs={"username": person.username}))
    return data


def _token_out(token: ApiToken) -> dict:
    return {
        name: getattr(token, name) for name in ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    }


def _invitation_url_base(request: HttpRequest) -> str:
    """The absolute accept address without its token: the service appends the secret."""
    placeholder = "TOKEN"
    url = request.build_absolute_uri(reverse("directory:invitation_accept", kwargs={"token": placeholder}))
    return url.removesuffix(placeholder)


# Organisations ---------------------------------------------------------------


@router.get(
    "/organisations/",
    response={200: Page[OrganisationOut], **problems(401, 422)},
    tags=ORGANISATIONS,
    summary="List organisations",
)
def organisation_list(request, filters: Query[OrganisationQuery], paging: Query[PageParams]):
    """Universities, TLOs, companies, governments, NGOs... by name."""
    found = selectors.organisation_list(q=filters.q, kind=filters.kind or "", country=filters.country)
    return paginate(request, found.order_by("name", "pk"), paging, shape=lambda org: _organisation_out(request, org))


@router.post(
    "/organisations/",
    auth=AUTH_REQUIRED,
    response={201: OrganisationOut, **problems(400, 401, 422)},
    tags=ORGANISATIONS,
    summary="Create an organisation",
)
def organisation_create(request, payload: OrganisationIn):
    """Create an organisation; you become its first admin."""
    org = services.organisation_create(actor=request.auth, data=services.OrganisationData(**payload.model_dump()))
    return Status(201, _organisation_out(request, org))


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **problems(401, 404)},
    url_name="organisation_detail",
    tags=ORGANISATIONS,
    summary="Get one organisation",
)
def organisation_detail(request, slug: str):
    return _organisation_out(request, selectors.organisation_get(slug=slug))


@router.patch(
    "/organisations/{slug}",
    auth=AUTH_REQUIRED,
    response={200: OrganisationOut, **problems(400, 401, 403, 404, 422)},
    tags=ORGANISATIONS,
    summary="Edit an organisation",
)
def organisation_update(request, slug: str, payload: OrganisationPatch):
    """Change some fields of the organisation's profile (its admins only)."""
    org = selectors.organisation_get(slug=slug)
    current = services.OrganisationData(
        **{name: getattr(org, name) for name in ("name", "kind", "country", "website", "ror_id", "description")}
    )
    org = services.organisation_update(
        actor=request.auth, organisation=org, data=replace(current, **payload.model_dump(exclude_unset=True))
    )
    return _organisation_out(request, org)


@router.get(
    "/organisations/{slug}/members",
    response={200: Page[MemberOut], **problems(401, 404, 422)},
    tags=ORGANISATIONS,
    summary="List an organisation's members",
)
def organisation_member_list(request, slug: str, paging: Query[PageParams]):
    """Active members, admins first."""
    members = selectors.organisation_members(organisation=selectors.organisation_get(slug=slug))
    return paginate(
        request,
        members,
        paging,
        shape=lambda m: {"username": m.user.username, "display_name": m.user.name, "role": m.role, "since": m.created_at},
    )


@router.post(
    "/organisations/{slug}/invitations",
    auth=AUTH_REQUIRED,
    response={201: InvitationOut, **problems(400, 401, 403, 404, 409, 422)},
    tags=ORGANISATIONS,
    summary="Invite someone to an organisation",
)
def invitation_create(request, slug: str, payload: InvitationIn):
    """E-mail an invitation link, valid for 14 days (admins only). The link's secret goes
    only to the invited address."""
    invitation, _secret = services.invitation_create(
        actor=request.auth,
        organisation=selectors.organisation_get(slug=slug),
        email=payload.email,
        role=payload.role,
        accept_url_base=_invitation_url_base(request),
    )
    return Status(
        201,
        {name: getattr(invitation, name) for name in ("id", "email", "role", "created_at", "expires_at")},
    )


# People ----------------------------------------------------------------------


@router.get("/people/", response={200: Page[PersonOut], **problems(401, 422)}, tags=PEOPLE, summary="List people")
def person_list(request, filters: Query[PersonQuery], paging: Query[PageParams]):
    """Inventors, creators, TLO staff, mentors and experts, by username."""
    collect_errors(
        {
            "sort": [] if not filters.sort or filters.sort in selectors.PERSON_ORDERS else [_("Unknown sort order.")],
            "standing": [] if not filters.standing or filters.standing in selectors.PERSON_STANDINGS
            else [_("Unknown standing.")],
        }
    )
    found = selectors.person_list(
        q=filters.q, country=filters.country, skill=filters.skill, sort=filters.sort, standing=filters.standing
    )
    return paginate(request, found, paging, shape=lambda person: _person_out(request, person))


# /people/me comes before /people/{username}: the first matching route wins.
@router.get("/people/me", auth=AUTH_REQUIRED, response={200: ProfileOut, **problems(401)}, tags=PEOPLE, summary="Get your profile")
def profile_detail(request):
    return {**_person_out(request, request.auth), "email": request.auth.email}


@router.patch(
    "/people/me",
    auth=AUTH_REQUIRED,
    response={200: ProfileOut, **problems(400, 401, 422)},
    tags=PEOPLE,
    summary="Edit your profile",
)
def profile_update(request, payload: ProfilePatch):
    """Change some fields of your public profile."""
    current = services.ProfileData(**{name: getattr(request.auth, name) for name in PROFILE_FIELDS})
    person = services.profile_update(actor=request.auth, data=replace(current, **payload.model_dump(exclude_unset=True)))
    return {**_person_out(request, person), "email": person.email}


@router.get(
    "/people/{username}",
    response={200: PersonOut, **problems(401, 404)},
    url_name="person_detail",
    tags=PEOPLE,
    summary="Get one person",
)
def person_detail(request, username: str):
    return _person_out(request, selectors.person_get(username=username))


# Tokens ----------------------------------------------------------------------


@router.get("/tokens/", auth=AUTH_REQUIRED, response={200: list[TokenOut], **problems(401)}, tags=TOKENS, summary="List your tokens")
def token_list(request):
    """Your API tokens, newest first, revoked ones included (secrets are never shown again)."""
    return [_token_out(token) for token in selectors.tokens_for_user(user=request.auth)]


@router.post(
    "/tokens/",
    auth=AUTH_REQUIRED,
    response={201: TokenCreated, **problems(400, 401, 422)},
    tags=TOKENS,
    summary="Create a token",
)
def token_create(request, payload: TokenIn):
    """A new token; its `secret` is in this answer only."""
    token, secret = services.token_create(actor=request.auth, name=payload.name)
    return Status(201, {**_token_out(token), "secret": secret})


@router.delete(
    "/tokens/{int:token_id}",
    auth=AUTH_REQUIRED,
    response={204: None, **problems(401, 404)},
    tags=TOKENS,
    summary="Revoke a token",
)
def token_revoke(request, token_id: int):
    """Revoke one of your tokens: it stops working at once."""
    services.token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)


# Notifications -----------------------------------------------------------------

NOTIFICATIONS = ["Notifications"]


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What it is about, e.g. `saved_search.match`: a new listing matching a saved search.")
    title: str
    body: str
    url: str = Field(description="The page it is about (absolute), or empty.")
    created_at: datetime
    read_at: datetime | None = Field(description="When you marked it read; null while unread.")


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many were unread and are now marked read.")


class NotificationQuery(QuerySchema):
    unread: bool = Field(False, description="Only the unread ones.")


def _notification_out(request: HttpRequest, notification: Notification) -> dict:
    data = {name: getattr(notification, name) for name in ("id", "kind", "title", "body", "created_at", "read_at")}
    data["url"] = request.build_absolute_uri(notification.url) if notification.url else ""
    return data


@router.get(
    "/notifications/",
    auth=AUTH_REQUIRED,
    response={200: Page[NotificationOut], **problems(401, 422)},
    tags=NOTIFICATIONS,
    summary="List your notifications",
)
def notification_list(request, filters: Query[NotificationQuery], paging: Query[PageParams]):
    """Your notifications, unread first, each group newest first."""
    found = selectors.notifications_for_user(user=request.auth)
    if filters.unread:
        found = found.filter(read_at__isnull=True)
    return paginate(request, found, paging, shape=lambda item: _notification_out(request, item))


@router.post(
    "/notifications/{int:notification_id}/read",
    auth=AUTH_REQUIRED,
    response={200: NotificationOut, **problems(401, 404)},
    tags=NOTIFICATIONS,
    summary="Mark a notification read",
)
def notification_read(request, notification_id: int):
    """Mark one of your notifications read (one already read stays as it was)."""
    notification = selectors.notification_get_for_user(user=request.auth, notification_id=notification_id)
    return _notification_out(request, services.notification_mark_read(actor=request.auth, notification=notification))


@router.post(
    "/notifications/read",
    auth=AUTH_REQUIRED,
    response={200: NotificationsReadOut, **problems(401)},
    tags=NOTIFICATIONS,
    summary="Mark all your notifications read",
)
def notifications_read_all(request):
    return {"marked": services.notifications_mark_all_read(actor=request.auth)}
