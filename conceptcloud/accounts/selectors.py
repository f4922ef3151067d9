"""Reads of people, organisations, memberships and tokens.

    login_username, account_is_suspended        sign-in helpers
    organisation_*                  directory of organisations, admin checks
    membership_pairs                (person, organisation) ids of every membership, in bulk
    organisation_members, membership_get
    person_list, person_get, person_countries   the people directory (active people only)
    tokens_for_user, token_get_by_secret        API tokens (only hashes are stored)
    invitation_get_by_token, invitation_get_for_admin, invitations_pending
    notifications_for_user, notification_get_for_user, notifications_unread_count
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import check_password
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Notification, Organisation, User
from conceptcloud.core.errors import NotFound


def login_username(*, identifier: str) -> str:
    """The stored username for what a person typed at sign-in: a username or an
    e-mail address, in any letter case or width (ｈａｎａｋｏ is hanako: usernames are
    stored in NFKC form). Unknown identifiers come back normalised, so that failed
    attempts are counted against one spelling of what was typed.
    """
    identifier = User.normalize_username(identifier.strip())
    field = "email__iexact" if "@" in identifier else "username__iexact"
    usernames = list(User.objects.filter(**{field: identifier}).values_list("username", flat=True)[:2])
    return usernames[0] if len(usernames) == 1 else identifier


def account_is_suspended(*, username: str, password: str) -> bool:
    """True if this username is a suspended account and the password is its own."""
    user = User.objects.filter(username=username, is_active=False).first()
    # The plain hasher check: it never rehashes (writes) the stored password.
    return user is not None and check_password(password, user.password)


def membership_pairs() -> list[tuple[int, int]]:
    """(person id, organisation id) of every membership, in bulk."""
    return list(Membership.objects.order_by().values_list("user_id", "organisation_id"))


def organisation_ids_for_user(*, user) -> set[int]:
    """Ids of the organisations the user belongs to (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_cc_org_ids", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        user._cc_org_ids = cached
    return cached


def organisation_admin_ids_for_user(*, user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values_list("organisation_id", flat=True)
    )


def organisations_for_user(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_list(*, q: str = "", kind: str = "", country: str = "") -> QuerySet[Organisation]:
    """Organisations matching the filters, by name, each with its `member_count`."""
    qs = Organisation.objects.annotate(member_count=Count("memberships"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(slug__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country)
    return qs.order_by("name", "pk")


def organisation_countries() -> list[str]:
    """Country codes that at least one organisation has (for the directory filter)."""
    return sorted(set(Organisation.objects.values_list("country", flat=True)) - {""})


def organisations_by_id(*, ids: set[int]) -> dict[int, Organisation]:
    """Organisations by primary key (public profiles), for labelling counts."""
    return {org.pk: org for org in Organisation.objects.filter(pk__in=ids).only("slug", "name")}


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise NotFound(_("No such organisation.")) from None


def organisation_get_for_admin(*, slug: str, user) -> Organisation:
    """The organisation, if the user is one of its admins; otherwise NotFound."""
    org = organisation_get(slug=slug)
    if org.pk not in organisation_admin_ids_for_user(user=user):
        raise NotFound(_("No such organisation."))
    return org


def organisation_members(*, organisation: Organisation, include_suspended: bool = False) -> QuerySet[Membership]:
    """Memberships, admins first. The public directory leaves suspended people out."""
    qs = organisation.memberships.select_related("user")
    if not include_suspended:
        qs = qs.filter(user__is_active=True)
    return qs.order_by("role", "user__username")


def membership_get(*, organisation: Organisation, username: str) -> Membership:
    try:
        return organisation.memberships.select_related("user").get(user__username=username)
    except Membership.DoesNotExist:
        raise NotFound(_("This person is not a member.")) from None


def _json_text_contains(field: str, text: str) -> Q:
    """Case-insensitive substring match inside a JSON list stored as text.

    SQLite stores JSON with non-ASCII characters escaped (\\uXXXX), PostgreSQL
    stores them as they are: match both spellings so Japanese skills are found.
    """
    escaped = json.dumps(text)[1:-1]
    return Q(**{f"{field}__icontains": text}) | Q(**{f"{field}__icontains": escaped})


# What a higher app adds to the people directory (evaluation, in its AppConfig.ready):
# orders (key → (label, queryset → ordered queryset)) and standing filters (key →
# (label, queryset → filtered queryset)).
PERSON_ORDERS: dict[str, tuple[Any, Callable[[QuerySet], QuerySet]]] = {}
PERSON_STANDINGS: dict[str, tuple[Any, Callable[[QuerySet], QuerySet]]] = {}


def person_list(
    *, q: str = "", country: str = "", skill: str = "", sort: str = "", standing: str = ""
) -> QuerySet[User]:
    """Active people matching the filters, by username (or by a PERSON_ORDERS order)."""
    qs = User.objects.filter(is_active=True)
    if q:
        qs = qs.filter(
            Q(display_name__icontains=q) | Q(username__icontains=q) | Q(affiliation__icontains=q)
            | _json_text_contains("skills", q)
        )
    if country:
        qs = qs.filter(country=country)
    if skill:
        # Skills are a short JSON list; a text match is enough for browsing.
        qs = qs.filter(_json_text_contains("skills", skill))
    if standing in PERSON_STANDINGS:
        qs = PERSON_STANDINGS[standing][1](qs)
    if sort in PERSON_ORDERS:
        return PERSON_ORDERS[sort][1](qs)
    return qs.order_by("username")


def person_countries() -> list[str]:
    """Country codes that at least one active person has given (for the directory filter)."""
    return sorted(set(User.objects.filter(is_active=True).values_list("country", flat=True)) - {""})


def person_get(*, username: str) -> User:
    """An active person's public profile (suspended people are not shown)."""
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise NotFound(_("No such person.")) from None


def tokens_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_get_by_secret(*, secret: str) -> ApiToken | None:
    """The unrevoked token with this secret whose owner is active, or None."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def invitation_get_by_token(*, token: str) -> Invitation:
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:
        return Invitation.objects.select_related("organisation").get(token_hash=digest)
    except Invitation.DoesNotExist:
        raise NotFound(_("This invitation link is not valid.")) from None


def invitation_get_for_admin(*, organisation: Organisation, invitation_id: int) -> Invitation:
    """One of the organisation's invitations (the caller has checked the admin role)."""
    try:
        return organisation.invitations.select_related("organisation").get(pk=invitation_id)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such invitation.")) from None


def invitations_pending(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by").order_by("-created_at")


# --- Notifications ----------------------------------------------------------


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """The user's notifications, unread first, each group newest first."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(recipient=user).order_by(unread.desc(), "-created_at", "-id")


def notification_get_for_user(*, user, notification_id: int) -> Notification:
    """One of the user's own notifications; anyone else's is NotFound, like an absent one."""
    try:
        return Notification.objects.get(pk=notification_id, recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such notification.")) from None


def notifications_unread_count(*, user) -> int:
    """How many notifications the user has not read (0 for anonymous visitors); one indexed count."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
