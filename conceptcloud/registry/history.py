"""The creative history as each viewer may read it, and an asset's timeline.

The log is public and has no gaps, but an entry names its subject and carries
its payload, and the entries of a draft or withdrawn asset hold its title. So
an entry about a subject the viewer may not see comes back *redacted*: its
sequence number, time and leaf hash only. That is enough to check the tree
and any inclusion proof, and says nothing of what happened.

    SUBJECT_RULES                     subject kind → may this viewer see that subject?
    subject_visible_to(subject=, user=)
    entries_for_user(user=, subject=) the log, oldest first, each entry whole or redacted
    entry_receipt_for_user(seq=, user=, checkpoint=)
                                      a receipt (404 when the entry is hidden), with the
                                      commitment opening for the asset's managers
    ENTRY_LABELS, entry_label(type=)  what each entry type is called on the pages
    asset_timeline_for_user(view=)    an asset's entries, oldest first, for its page

Subjects are "<kind>:<key>". The registry knows its own kinds and those of
the accounts app below it; a kind it does not know is hidden from everyone,
so an app above the registry that writes entries about a new kind of subject
adds its rule to SUBJECT_RULES (in its AppConfig.ready) or its entries stay
redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import NotFound
from conceptcloud.history import selectors as history_selectors
from conceptcloud.registry import selectors


def _found(fetch: Callable[..., Any], **kwargs: Any) -> bool:
    try:
        fetch(**kwargs)
    except NotFound:
        return False
    return True


def _asset_visible(key: str, user) -> bool:
    return key.isdigit() and _found(selectors.asset_get_for_user, asset_id=int(key), user=user)


def _need_visible(key: str, user) -> bool:
    return key.isdigit() and _found(selectors.need_get, need_id=int(key))  # every need is a public call


def _person_visible(key: str, user) -> bool:
    # People in the directory (suspended people are not), and anyone to themself.
    own = user is not None and user.is_authenticated and user.username == key
    return own or _found(account_selectors.person_get, username=key)


def _organisation_visible(key: str, user) -> bool:
    return _found(account_selectors.organisation_get, slug=key)


# Subject kind → rule(key, viewer): whether the viewer may see that subject, and so its entries.
SUBJECT_RULES: dict[str, Callable[[str, Any], bool]] = {
    "asset": _asset_visible,
    "need": _need_visible,
    "user": _person_visible,
    "org": _organisation_visible,
}


def subject_visible_to(*, subject: str, user) -> bool:
    """Whether the viewer may read entries about `subject`; unknown kinds are hidden."""
    kind, colon, key = subject.partition(":")
    rule = SUBJECT_RULES.get(kind)
    return bool(colon) and rule is not None and rule(key, user)


@dataclass(frozen=True)
class EntryRow:
    """One entry as the viewer may read it. Redacted: seq, time and leaf hash only, the rest None."""

    seq: int
    time: datetime
    leaf_hash: str
    redacted: bool
    actor: str | None = None
    type: str | None = None
    subject: str | None = None
    payload: dict[str, Any] | None = None
    entry: str | None = None  # the canonical JSON whose leaf hash this is


def _row(entry, visible: bool) -> EntryRow:
    common = {"seq": entry.seq, "time": entry.created_at, "leaf_hash": bytes(entry.leaf_hash).hex()}
    if not visible:
        return EntryRow(redacted=True, **common)
    return EntryRow(
        redacted=False,
        actor=entry.actor.username if entry.actor_id else None,
        type=entry.type,
        subject=entry.subject,
        payload=entry.payload,
        entry=bytes(entry.canonical).decode("utf-8"),
        **common,
    )


class VisibleEntries(Sequence[EntryRow]):
    """Entries of a queryset as `EntryRow`s; a slice decides each distinct subject once.

    Counting and slicing run in the database, so core.pagination pages it like
    a queryset.
    """

    def __init__(self, entries: QuerySet, user) -> None:
        self._entries = entries
        self._user = user

    def __len__(self) -> int:
        return self._entries.count()

    @overload
    def __getitem__(self, index: int) -> EntryRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[EntryRow]: ...

    def __getitem__(self, index: int | slice) -> EntryRow | list[EntryRow]:
        if isinstance(index, int):
            rows = self[index : index + 1] if index >= 0 else []
            if not rows:
                raise IndexError(index)
            return rows[0]
        entries = list(self._entries[index])
        visible = {s: subject_visible_to(subject=s, user=self._user) for s in {e.subject for e in entries}}
        return [_row(entry, visible[entry.subject]) for entry in entries]


def entries_for_user(*, user, subject: str = "") -> VisibleEntries:
    """The log oldest first, each entry whole or redacted for this viewer; gap-free.

    With `subject`, only its entries, and none at all when the viewer may not
    see it: a hidden subject answers like one that has no entries.
    """
    entries = history_selectors.log_entries()
    if subject:
        entries = entries.filter(subject=subject) if subject_visible_to(subject=subject, user=user) else entries.none()
    return VisibleEntries(entries, user)


def entry_receipt_for_user(*, seq: int, user, checkpoint) -> dict[str, Any]:
    """The receipt of entry `seq` against `checkpoint`, the stored one `checkpoint_publish()` gave the caller.

    NotFound, as for an absent entry, when the viewer may not see the entry's
    subject. The asset's managers also get the opening of its commitment.
    """
    entry = history_selectors.entry_get(seq=seq)
    if not subject_visible_to(subject=entry.subject, user=user):
        raise NotFound(_("No such entry."))
    opening = selectors.entry_commitment_for_user(seq=seq, user=user)
    return history_selectors.entry_receipt(seq=seq, checkpoint=checkpoint, commitment=opening)


# What the pages call each entry type; the types of apps above the registry
# (lineage) are named here too, so an asset's timeline reads in one voice.
ENTRY_LABELS = {
    "asset.registered": pgettext_lazy("history entry", "Registered"),
    "asset.updated": _("Updated"),
    "asset.published": pgettext_lazy("history entry", "Published"),
    "asset.unpublished": _("Returned to draft"),
    "asset.withdrawn": pgettext_lazy("history entry", "Withdrawn"),
    "asset.attachment_added": _("File attached"),
    "asset.attachment_removed": _("File removed"),
    "asset.access_granted": _("Access granted"),
    "asset.access_revoked": _("Access revoked"),
    "asset.terms_changed": _("Terms for derivatives changed"),
    "asset.shares_proposed": _("Shares proposed"),
    "asset.shares_agreed": _("Shares agreed"),
    "asset.shares_declined": _("Share proposal declined"),
    "asset.shares_changed": _("Shares changed"),
    "asset.derived_from": _("Derived from other assets"),
    "derivation.requested": _("Derivation requested"),
    "derivation.approved": _("Derivation approved"),
    "derivation.declined": _("Derivation declined"),
}


def entry_label(*, type: str) -> str:
    """The translated name of an entry type; an unnamed type reads as its words ("x.some_thing" → "Some thing")."""
    label = ENTRY_LABELS.get(type)
    if label is not None:
        return str(label)
    return type.rpartition(".")[2].replace("_", " ").capitalize() or type


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    time: datetime
    type: str
    label: str
    actor: Any  # the User who acted, or None for the platform
    actor_listed: bool  # the actor has a profile in the people directory to link to


def asset_timeline_for_user(*, view: selectors.AssetView) -> list[TimelineItem]:
    """The asset's history entries, oldest first (the first idea opens it).

    `view` comes from `asset_get_for_user`, so the viewer may see the asset and
    with it every entry about it; items carry no payload, only who did what
    and when, and the entry's number for its receipt.
    """
    entries = history_selectors.entries_for_subject(subject=f"asset:{view.asset.pk}")
    return [
        TimelineItem(
            seq=entry.seq,
            time=entry.created_at,
            type=entry.type,
            label=entry_label(type=entry.type),
            actor=entry.actor,
            actor_listed=entry.actor is not None and entry.actor.is_active,
        )
        for entry in entries
    ]
