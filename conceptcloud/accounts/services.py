"""Every write to people, organisations, memberships, invitations, tokens and
notifications.

Each service runs in one transaction and appends its creative-history entry in
it (notifications excepted: messages, not history; see their section). Entries
carry no e-mail addresses or secrets: the log is public and permanent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors
from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Notification, Organisation, User
from conceptcloud.accounts.orcid import orcid_is_valid, ror_is_valid
from conceptcloud.core.codes import check_countries, language_names
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, collect_errors
from conceptcloud.core.tasks import task_enqueue
from conceptcloud.history.services import entry_append

TOKEN_PREFIX = "cc_"
INVITATION_DAYS = 14
# Slugs that are paths of the directory itself (/organisations/new/).
RESERVED_SLUGS = frozenset({"new"})


def _subject_user(user: User) -> str:
    return f"user:{user.username}"


def _subject_org(org: Organisation) -> str:
    return f"org:{org.slug}"


# Names that address the platform or its API rather than a person ("/api/v1/people/me").
RESERVED_USERNAMES = frozenset({"me", "api", "conceptcloud"})


def user_signup(*, username: str, email: str, password: str, display_name: str = "") -> User:
    """Create an account. Usernames are unique case-insensitively; e-mails too."""
    errors: dict[str, list[str]] = {"username": [], "email": [], "password": []}
    # The same NFKC form create_user stores: "ｏｗｎｅｒ" is "owner", so it is checked as such.
    username = User.normalize_username(username.strip())
    email = email.strip().lower()
    if not username:
        errors["username"].append(_("Choose a username."))
    elif not all(c.isalnum() or c in "._-" for c in username) or len(username) > 40:
        errors["username"].append(_("Use up to 40 letters, digits, dots, hyphens or underscores."))
    elif username.lower() in RESERVED_USERNAMES or User.objects.filter(username__iexact=username).exists():
        errors["username"].append(_("This username is taken."))
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"].append(_("Enter a valid e-mail address."))
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"].append(_("An account with this e-mail address exists. Sign in or reset the password."))
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except DjangoValidationError as error:
        errors["password"].extend(error.messages)
    collect_errors(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, email=email, password=password, display_name=display_name.strip()[:120]
        )
        entry_append(actor=user, type="account.created", subject=_subject_user(user), payload={"username": username})
    return user


@dataclass(frozen=True)
class ProfileData:
    display_name: str = ""
    affiliation: str = ""
    country: str = ""
    languages: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    bio: str = ""
    orcid: str = ""
    show_praise: bool = True


def _check_profile(data: ProfileData) -> None:
    errors = {
        "display_name": [_("At most 120 characters.")] if len(data.display_name) > 120 else [],
        "affiliation": [_("At most 200 characters.")] if len(data.affiliation) > 200 else [],
        "country": check_countries([data.country]) if data.country else [],
        "languages": [
            _("Unknown language code: %(value)s.") % {"value": code}
            for code in data.languages
            if code not in language_names()
        ],
        "skills": [_("At most 30 skills of 60 characters each.")]
        if len(data.skills) > 30 or any(len(s) > 60 for s in data.skills)
        else [],
        "bio": [_("At most 2,000 characters.")] if len(data.bio) > 2000 else [],
        "orcid": [_("Not a valid ORCID iD (format 0000-0000-0000-000X, with a correct check digit).")]
        if data.orcid and not orcid_is_valid(data.orcid)
        else [],
    }
    collect_errors(errors)


def profile_update(*, actor: User, data: ProfileData) -> User:
    _check_profile(data)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        for name in ("display_name", "affiliation", "country", "bio", "orcid"):
            setattr(user, name, getattr(data, name).strip())
        user.languages = list(dict.fromkeys(data.languages))
        user.skills = list(dict.fromkeys(s.strip() for s in data.skills if s.strip()))
        user.show_praise = bool(data.show_praise)
        user.save()
        entry_append(
            actor=user,
            type="account.profile_updated",
            subject=_subject_user(user),
            payload={
                "display_name": user.display_name,
                "affiliation": user.affiliation,
                "country": user.country,
                "languages": user.languages,
                "skills": user.skills,
                "orcid": user.orcid,
                "show_praise": user.show_praise,
            },
        )
        task_enqueue("discovery.person_index", user_id=user.pk)
    return user


def user_password_change(*, actor: User, old_password: str, new_password: str) -> None:
    errors: dict[str, list[str]] = {"old_password": [], "new_password": []}
    if not actor.check_password(old_password):
        errors["old_password"].append(_("Your current password is not correct."))
    try:
        password_validation.validate_password(new_password, actor)
    except DjangoValidationError as error:
        errors["new_password"].extend(error.messages)
    collect_errors(errors)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        entry_append(actor=actor, type="account.password_changed", subject=_subject_user(actor), payload={})


def user_password_reset_complete(*, user: User, new_password: str) -> None:
    """Set a new password after a verified reset link (the link is checked by the view)."""
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as error:
        raise InvalidInput(error.messages[0], errors={"new_password1": error.messages}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        entry_append(actor=user, type="account.password_reset", subject=_subject_user(user), payload={})
    # Whoever followed the e-mailed link controls the account: lift a login lockout.
    axes_reset(username=user.username)


def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Suspend or reinstate a person (operator moderation). Suspension revokes sessions' use."""
    if not actor.is_staff:
        raise PermissionDenied(_("Only the operator can suspend people."))
    if not active and actor.pk == user.pk:
        raise Conflict(_("You cannot suspend your own account."))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        entry_append(
            actor=actor,
            type="moderation.user_reinstated" if active else "moderation.user_suspended",
            subject=_subject_user(user),
            payload={"reason": reason[:300]},
        )
    return user


def user_set_operator(*, actor: User | None, user: User, operator: bool) -> User:
    """Give or take operator rights (staff and superuser: the Django admin).

    `actor` is an operator, or None when the platform's own command line does it
    (the demo data), which holds the database anyway.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only an operator can appoint operators."))
    with transaction.atomic():
        user.is_staff = user.is_superuser = operator
        user.save(update_fields=["is_staff", "is_superuser"])
        entry_append(
            actor=actor,
            type="moderation.operator_appointed" if operator else "moderation.operator_dismissed",
            subject=_subject_user(user),
            payload={},
        )
    return user


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str
    country: str
    website: str = ""
    ror_id: str = ""
    description: str = ""


def _check_organisation(data: OrganisationData) -> None:
    website_errors: list[str] = []
    if data.website:
        try:
            URLValidator(schemes=["http", "https"])(data.website)
        except DjangoValidationError:
            website_errors.append(_("Enter a valid web address starting with http:// or https://."))
    errors = {
        "name": [_("Enter a name.")] if not data.name.strip() else ([_("At most 200 characters.")] if len(data.name) > 200 else []),
        "kind": [_("Choose a type.")] if data.kind not in Organisation.Kind.values else [],
        "country": [_("Choose a country.")] if not data.country else check_countries([data.country]),
        "website": website_errors,
        "ror_id": [_("Not a valid ROR id (9 characters, e.g. 057zh3y96).")]
        if data.ror_id and not ror_is_valid(data.ror_id)
        else [],
        "description": [_("At most 5,000 characters.")] if len(data.description) > 5000 else [],
    }
    collect_errors(errors)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "organisation"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _organisation_payload(org: Organisation) -> dict:
    return {
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "website": org.website,
        "ror_id": org.ror_id,
    }


def organisation_create(*, actor: User, data: OrganisationData, slug: str = "") -> Organisation:
    """Create an organisation; its creator becomes its first admin."""
    _check_organisation(data)
    with transaction.atomic():
        org = Organisation.objects.create(
            name=data.name.strip(),
            slug=slug or _unique_slug(data.name),
            kind=data.kind,
            country=data.country,
            website=data.website,
            ror_id=data.ror_id,
            description=data.description,
        )
        Membership.objects.create(user=actor, organisation=org, role=Membership.Role.ADMIN)
        entry_append(actor=actor, type="organisation.created", subject=_subject_org(org), payload=_organisation_payload(org))
    actor.__dict__.pop("_cc_org_ids", None)
    return org


def _require_admin(actor: User, org: Organisation) -> None:
    if not Membership.objects.filter(user=actor, organisation=org, role=Membership.Role.ADMIN).exists():
        raise PermissionDenied(_("Only an admin of this organisation can do that."))


def organisation_update(*, actor: User, organisation: Organisation, data: OrganisationData) -> Organisation:
    _require_admin(actor, organisation)
    _check_organisation(data)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        org.name = data.name.strip()
        org.kind, org.country, org.website = data.kind, data.country, data.website
        org.ror_id, org.description = data.ror_id, data.description
        org.save()
        entry_append(actor=actor, type="organisation.updated", subject=_subject_org(org), payload=_organisation_payload(org))
    return org


def membership_set_role(*, actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    _require_admin(actor, organisation)
    if role not in Membership.Role.values:
        raise InvalidInput.field("role", _("Choose admin or member."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
        if membership is None:
            raise NotFound(_("This person is not a member."))
        if role != Membership.Role.ADMIN and _is_last_admin(membership):
            raise Conflict(_("An organisation needs at least one admin."))
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        entry_append(
            actor=actor,
            type="membership.role_changed",
            subject=_subject_org(organisation),
            payload={"user": user.username, "role": role},
        )
    return membership


def _is_last_admin(membership: Membership) -> bool:
    return (
        membership.role == Membership.Role.ADMIN
        and not Membership.objects.filter(organisation=membership.organisation, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_remove(*, actor: User, organisation: Organisation, user: User) -> None:
    """An admin removes a member, or a member leaves."""
    if actor.pk != user.pk:
        _require_admin(actor, organisation)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
        if membership is None:
            raise NotFound(_("This person is not a member."))
        if _is_last_admin(membership):
            raise Conflict(_("An organisation needs at least one admin."))
        membership.delete()
        entry_append(
            actor=actor, type="membership.removed", subject=_subject_org(organisation), payload={"user": user.username}
        )
    user.__dict__.pop("_cc_org_ids", None)


def invitation_create(*, actor: User, organisation: Organisation, email: str, role: str, accept_url_base: str) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and its one-time secret.

    The secret is e-mailed as part of `accept_url_base + secret` and stored hashed.
    """
    _require_admin(actor, organisation)
    email = email.strip().lower()
    errors: dict[str, list[str]] = {"email": [], "role": []}
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"].append(_("Enter a valid e-mail address."))
    if role not in Membership.Role.values:
        errors["role"].append(_("Choose admin or member."))
    collect_errors(errors)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise Conflict(_("This person is already a member."), errors={"email": [_("This person is already a member.")]})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=actor,
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        entry_append(actor=actor, type="invitation.created", subject=_subject_org(organisation), payload={"role": role})
        # A subject is one line: a name holding a line break would make the mail unsendable.
        subject_name = " ".join(organisation.name.split())
        transaction.on_commit(
            lambda: send_mail(
                _("Invitation to join %(org)s on Concept Cloud") % {"org": subject_name},
                _("%(who)s invites you to join %(org)s. Accept within %(days)d days: %(url)s")
                % {"who": actor.name, "org": organisation.name, "days": INVITATION_DAYS, "url": accept_url_base + secret},
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
        )
    return invitation, secret


def invitation_accept(*, actor: User, invitation: Invitation) -> Membership:
    if not invitation.is_open:
        raise Conflict(_("This invitation has expired or was already used."))
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=actor, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_by, invitation.accepted_at = actor, timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at", "updated_at"])
        entry_append(
            actor=actor,
            type="membership.joined",
            subject=_subject_org(invitation.organisation),
            payload={"user": actor.username, "role": membership.role},
        )
    actor.__dict__.pop("_cc_org_ids", None)
    return membership


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    _require_admin(actor, invitation.organisation)
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        entry_append(actor=actor, type="invitation.revoked", subject=_subject_org(invitation.organisation), payload={})


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the returned secret is shown once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput.field("name", _("Name the token, e.g. after the script that uses it."))
    if len(name) > 100:
        raise InvalidInput.field("name", _("At most 100 characters."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        try:
            token = ApiToken.objects.create(
                user=actor, name=name, prefix=secret[:10], token_hash=hashlib.sha256(secret.encode()).hexdigest()
            )
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            raise Conflict(_("Try again.")) from None
        entry_append(actor=actor, type="token.created", subject=_subject_user(actor), payload={"name": name, "prefix": token.prefix})
    return token, secret


def token_authenticate(*, secret: str) -> User | None:
    """The owner of a valid token, or None; notes when the token was last used.

    The note is bookkeeping for the token list (at most one write a minute per
    token), not a change of anyone's work, so it appends no history entry.
    """
    token = selectors.token_get_by_secret(secret=secret)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            entry_append(actor=actor, type="token.revoked", subject=_subject_user(actor), payload={"prefix": token.prefix})
    return token


# --- Notifications ----------------------------------------------------------
#
# A notification is a message about something already recorded (a new listing
# that matches a saved search, ...), like an e-mail: sending or reading one
# changes no one's work, so these services append no history entry.


def _site_url(path: str) -> str:
    """`path` as an absolute address for an e-mail (CC_SITE_URL)."""
    base = settings.CC_SITE_URL
    return f"{base}{path}" if path.startswith("/") else path


def _notification_mail(notification: Notification) -> None:
    recipient = notification.recipient
    context = {"notification": notification, "user": recipient, "link": _site_url(notification.url)}
    send_mail(
        # A subject is one line: a title holding a line break would make the mail unsendable.
        " ".join(notification.title.split()),
        render_to_string("accounts/email/notification.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
    )


def notification_send(
    *, recipient: User, kind: str, title: str, body: str = "", url: str = "", email: bool = False
) -> Notification:
    """Put a message in the recipient's notifications; also e-mail it when `email`
    is asked for and the recipient is active with an address.

    No history entry: a notification reports a recorded event and is not itself
    creative-history state. The e-mail leaves after the caller's transaction
    commits (never after a rollback); a failing mail server is logged by Django's
    on_commit and does not undo the notification. The caller decides what the
    recipient may read: title and body must hold nothing hidden from them.
    """
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient, kind=kind[:40], title=title[:300], body=body[:2000], url=url[:300]
        )
        if email and recipient.is_active and recipient.email:
            transaction.on_commit(lambda: _notification_mail(notification), robust=True)
    return notification


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (a read one stays as it is).
    Someone else's notification is NotFound, like an absent one."""
    if notification.recipient_id != actor.pk:
        raise NotFound(_("No such notification."))
    with transaction.atomic():
        if notification.read_at is None:
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
