"""Reads of people, organisations, memberships and tokens."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from conceptcloud.core.errors import NotFound


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
    qs = Organisation.objects.all()
    if q:
        qs = qs.filter(name__icontains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country)
    return qs


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise NotFound("No such organisation.") from None


def organisation_get_for_admin(*, slug: str, user) -> Organisation:
    """The organisation, if the user is one of its admins; otherwise NotFound."""
    org = organisation_get(slug=slug)
    if org.pk not in organisation_admin_ids_for_user(user=user):
        raise NotFound("No such organisation.")
    return org


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def person_list(*, q: str = "", country: str = "", skill: str = "") -> QuerySet[User]:
    qs = User.objects.filter(is_active=True)
    if q:
        qs = qs.filter(display_name__icontains=q) | qs.filter(username__icontains=q)
    if country:
        qs = qs.filter(country=country)
    if skill:
        # Skills are a short JSON list; a text match is enough for browsing.
        qs = qs.filter(skills__icontains=skill)
    return qs.order_by("username")


def person_get(*, username: str) -> User:
    """An active person's public profile (suspended people are not shown)."""
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise NotFound("No such person.") from None


def tokens_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_authenticate(*, secret: str) -> User | None:
    """The active user owning an unrevoked token with this secret, or None."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def invitation_get_by_token(*, token: str) -> Invitation:
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:
        return Invitation.objects.select_related("organisation").get(token_hash=digest)
    except Invitation.DoesNotExist:
        raise NotFound("This invitation link is not valid.") from None


def invitations_pending(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
