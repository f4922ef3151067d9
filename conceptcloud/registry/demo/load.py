"""demo_load: write the demo data through the services, idempotently.

Order: accounts, organisations (each held by its demo admin), assets, needs.
Every write is a service call, so every record gets its history entry. Records
are written in batches, one transaction per batch; a record the services refuse
is reported and the rest of its batch goes on. What is already there (accounts
by username, organisations by slug, assets and needs by owner and reference)
is left as it is, so running the loader twice creates nothing twice.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.models import User
from conceptcloud.accounts.services import organisation_create, profile_update, user_set_operator, user_signup
from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.registry import selectors as registry_selectors
from conceptcloud.registry.demo.content import (
    ACCOUNTS,
    DEMO_ASSETS,
    DEMO_PASSWORD,
    ORGANISATIONS,
    DemoOrganisation,
    demo_needs,
)
from conceptcloud.registry.demo.sources import (
    DemoAsset,
    DemoNeed,
    merge_by_reference,
    nasa_patents,
    nasa_software,
    nasa_technologies,
    sbir_needs,
)
from conceptcloud.registry.services import asset_register, need_create, need_set_status

# Records per transaction: large enough to make the load fast, small enough that
# a reader of the SQLite file never waits long for the writer.
BATCH = 200

_LABELS = {
    "accounts": ("account", "accounts"),
    "organisations": ("organisation", "organisations"),
    "nasa-technologies": ("NASA technology for licence", "NASA technologies for licence"),
    "nasa-software": ("NASA software release", "NASA software releases"),
    "nasa-patents": ("NASA patent or application", "NASA patents and applications"),
    "ip-records": ("IP record", "IP records"),
    "demo-assets": ("hand-written demo asset", "hand-written demo assets"),
    "sbir-topics": ("SBIR/STTR topic as a need", "SBIR/STTR topics as needs"),
    "demo-needs": ("hand-written demo need", "hand-written demo needs"),
}

T = TypeVar("T")


@dataclass
class DemoReport:
    """What one run created, found already there, and had refused."""

    created: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One paragraph for the command line."""
        made = [
            f"{self.created[key]:,} {_LABELS[key][self.created[key] != 1]}"
            for key in _LABELS
            if self.created[key]
        ]
        made_text = ", ".join(made[:-1]) + f" and {made[-1]}" if len(made) > 1 else (made[0] if made else "nothing new")
        text = f"Demo data loaded in {self.seconds:.1f} s: created {made_text}."
        present = sum(self.present.values())
        if present:
            text += f" {present:,} records were already there and were left as they are."
        if self.refused:
            more = " …" if len(self.refused) > 3 else ""
            text += f" {len(self.refused):,} records were refused: {'; '.join(self.refused[:3])}{more}."
        text += (
            " Sign in as demo-tlo, demo-company, demo-inventor or demo-operator with the password "
            f"{DEMO_PASSWORD} (a local demo only)."
        )
        return text


def _first_of_each_source(records: list[T], limit: int | None) -> list[T]:
    if limit is None:
        return records
    taken: Counter[str] = Counter()
    chosen = []
    for record in records:
        if taken[record.source] < limit:
            taken[record.source] += 1
            chosen.append(record)
    return chosen


def _reasons(error: ApplicationError) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items()) or error.message


def _in_batches(records: list[T], write: Callable[[T], None], report: DemoReport, name: Callable[[T], str]) -> None:
    for start in range(0, len(records), BATCH):
        with transaction.atomic():
            for record in records[start : start + BATCH]:
                try:
                    write(record)
                except ApplicationError as error:
                    # Services validate before writing and run in their own savepoint:
                    # a refusal undoes only this record, and the batch goes on.
                    report.refused.append(f"{name(record)} ({_reasons(error)})")


def _actor(users: dict[str, User], username: str) -> User:
    if username not in users:
        raise NotFound(f"the account {username} is suspended or not the demo's")
    return users[username]


def _load_accounts(report: DemoReport) -> dict[str, User]:
    """The demo accounts that can act: found active, or created now."""
    users = {}
    for account in ACCOUNTS:
        try:
            users[account.username] = account_selectors.person_get(username=account.username)
            report.present["accounts"] += 1
            continue
        except NotFound:
            pass
        password = DEMO_PASSWORD if account.can_sign_in else secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                user = user_signup(
                    username=account.username,
                    email=f"{account.username}@example.org",
                    password=password,
                    display_name=account.profile.display_name,
                )
                user = profile_update(actor=user, data=account.profile)
                if account.operator:
                    user = user_set_operator(actor=None, user=user, operator=True)
        except ApplicationError as error:  # e.g. the operator suspended this demo account
            report.refused.append(f"account {account.username} ({_reasons(error)})")
            continue
        users[account.username] = user
        report.created["accounts"] += 1
    return users


def _load_organisations(users: dict[str, User], report: DemoReport) -> None:
    existing = set(account_selectors.organisation_list().values_list("slug", flat=True))

    def write(org: DemoOrganisation) -> None:
        if org.slug in existing:
            report.present["organisations"] += 1
            return
        organisation_create(actor=_actor(users, org.admin), data=org.data, slug=org.slug)
        report.created["organisations"] += 1

    _in_batches(ORGANISATIONS, write, report, lambda org: f"organisation {org.slug}")


def _load_assets(records: list[DemoAsset], users: dict[str, User], report: DemoReport) -> None:
    existing: set[tuple[str, str]] = set()
    for user in {users[r.actor] for r in records if r.actor in users}:
        rows = registry_selectors.assets_for_dashboard(user=user).values_list("owner_org__slug", "reference")
        existing.update((slug or "", reference) for slug, reference in rows)

    def write(record: DemoAsset) -> None:
        key = (record.data.owner_org, record.data.reference)
        if key in existing:
            report.present[record.source] += 1
            return
        asset_register(actor=_actor(users, record.actor), data=record.data)
        existing.add(key)
        report.created[record.source] += 1
        report.created["ip-records"] += len(record.data.ip_records)

    _in_batches(records, write, report, lambda r: f"asset {r.data.reference}")


def _load_needs(records: list[DemoNeed], users: dict[str, User], report: DemoReport) -> None:
    existing: set[tuple[str, str]] = set()
    for user in {users[r.actor] for r in records if r.actor in users}:
        existing.update(registry_selectors.needs_for_dashboard(user=user).values_list("seeker_org__slug", "reference"))

    def write(record: DemoNeed) -> None:
        key = (record.data.seeker_org, record.data.reference)
        if key in existing:
            report.present[record.source] += 1
            return
        with transaction.atomic():  # a need and its closing stand or fall together
            actor = _actor(users, record.actor)
            need = need_create(actor=actor, data=record.data)
            if record.status != need.status:
                need_set_status(actor=actor, need=need, status=record.status)
        existing.add(key)
        report.created[record.source] += 1

    _in_batches(records, write, report, lambda r: f"need {r.data.reference}")


def demo_load(*, limit: int | None = None) -> DemoReport:
    """Load the demo data; `limit` caps each bundled source at its first N records
    (the hand-written demo content is always loaded). Safe to run again."""
    started = time.monotonic()
    today = timezone.localdate()
    report = DemoReport()
    users = _load_accounts(report)
    # An organisation that exists under another admin makes the services refuse
    # its records (reported), as they would for anyone not in it.
    _load_organisations(users, report)
    assets: list[DemoAsset] = merge_by_reference(nasa_technologies() + nasa_software() + nasa_patents(today=today))
    _load_assets(_first_of_each_source(assets, limit) + DEMO_ASSETS, users, report)
    needs = _first_of_each_source(sbir_needs(), limit) + demo_needs(today=today)
    _load_needs(needs, users, report)
    report.seconds = time.monotonic() - started
    return report
