"""Every read of revenue, the ledger and statements.

    ancestor_graph(asset_id=)               the approved ancestor graph of an asset as an
                                            allocation.Graph (one statement, any depth)
    asset_revenue_view(asset_id=, user=)    the asset, for its managers (the revenue pages)
    revenue_events_for_asset(asset=)        its events, newest first, with what was refunded
    revenue_event_get_for_user(asset_id=, event_id=, user=)
    refundable(event=)                      what remains of an event to refund
    event_lines(event=)                     the recipients' lines of an event (RecipientLine)
    statement_owner_get_for_user(account=, user=)
                                            "me", "user:<username>", "org:<slug>" → StatementOwner
    statement_owners_for_user(user=)        the statements a person may open
    statement_for_user(owner=)              balances and lines (a lazy Sequence of StatementLine)
    balance(account=, currency=)            an account's balance in one currency
    ledger_totals()                         the sum of all lines per currency (0 when balanced)

Who reads what: an asset's revenue and its lines reach only the asset's managers
(registry's one rule, `asset_access` == MANAGE: the owner person or members of the
owning organisation); a person's statement reaches the person and the operator
(staff); an organisation's statement its admins and the operator. Anyone else
gets NotFound, the same answer as for something absent. On a statement, every
asset a line came through is named only as far as the reader may see it
(`registry.selectors.asset_access`): an asset they may not see is a number
without a title.

Recipients: the contributors of each asset by their shares ("user:<id>"); an
asset without recorded contributions pays its owner: the owning organisation
("org:<id>") or, for an asset a person owns, that person.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import overload

from django.db import connection
from django.db.models import QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import NotFound
from conceptcloud.lineage.models import Contribution, Derivation
from conceptcloud.payouts.allocation import Graph
from conceptcloud.payouts.models import Account, LedgerLine, Payout, RevenueEvent
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, AssetView, asset_access, asset_get_for_user

# At most this many values in one IN (...) list (SQLite's limit on parameters).
CHUNK = 500
PAID_OUT = "paid-out"


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# The ancestor graph --------------------------------------------------------------


@functools.cache
def _graph_sql(vendor: str) -> str:
    """The ancestor-graph statement (the same on SQLite and PostgreSQL; cached per vendor for quoting)."""
    d, c, a = Derivation._meta, Contribution._meta, Asset._meta

    def col(meta, name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    dt, ct, at = (connection.ops.quote_name(m.db_table) for m in (d, c, a))
    # The ancestors, by a recursive walk up the approved links; then, tagged, the
    # links out of them, their contributions, and the owners of those without any.
    return f"""
        WITH RECURSIVE anc(id) AS (
            SELECT CAST(%s AS bigint)
            UNION
            SELECT l.{col(d, "parent")} FROM {dt} l JOIN anc ON l.{col(d, "child")} = anc.id
            WHERE l.{col(d, "status")} = %s
        )
        SELECT 0, l.{col(d, "child")}, l.{col(d, "parent")}, l.{col(d, "royalty_bp")} FROM {dt} l
            WHERE l.{col(d, "status")} = %s AND l.{col(d, "child")} IN (SELECT id FROM anc)
        UNION ALL
        SELECT 1, k.{col(c, "asset")}, k.{col(c, "user")}, k.{col(c, "share_bp")} FROM {ct} k
            WHERE k.{col(c, "asset")} IN (SELECT id FROM anc)
        UNION ALL
        SELECT 2, s.{col(a, "id")}, s.{col(a, "owner_org")}, s.{col(a, "owner_user")} FROM {at} s
            WHERE s.{col(a, "id")} IN (SELECT id FROM anc)
            AND NOT EXISTS (SELECT 1 FROM {ct} k2 WHERE k2.{col(c, "asset")} = s.{col(a, "id")})
    """


def ancestor_graph(*, asset_id: int) -> Graph:
    """The asset and all its ancestors over APPROVED links, with their royalties and
    recipients, as the pure allocation core takes them.

    One statement whatever the depth (a recursive query, the same SQL on SQLite and
    PostgreSQL), so a chain of 100,000 generations costs one round trip. Pending and
    declined links carry no money. An asset without recorded contributions pays its
    owner (see the module docstring). Lists are sorted, so the graph, and with it the
    allocation, does not depend on the order rows come back in.
    """
    approved = Derivation.Status.APPROVED
    parents: dict[int, list[tuple[int, int]]] = {}
    contributors: dict[int, list[tuple[str, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_graph_sql(connection.vendor), [asset_id, approved, approved])
        rows = cursor.fetchall()
    for tag, node, other, value in rows:
        if tag == 0:
            parents.setdefault(node, []).append((other, value))
        elif tag == 1:
            contributors.setdefault(node, []).append((f"user:{other}", value))
        else:
            owner_org, owner_user = other, value
            key = f"org:{owner_org}" if owner_org is not None else f"user:{owner_user}"
            contributors[node] = [(key, 10_000)]
    for items in (*parents.values(), *contributors.values()):
        items.sort()
    return Graph(parents=parents, contributors=contributors)


# Revenue of an asset -------------------------------------------------------------


def asset_revenue_view(*, asset_id: int, user) -> AssetView:
    """The asset, for its managers; NotFound for everyone else (the revenue pages and API).

    Services that record revenue tell "not yours" (PermissionDenied) from "not
    visible"; a read of revenue does not need to.
    """
    view = asset_get_for_user(asset_id=asset_id, user=user)
    if not view.can_manage:
        raise NotFound(_("No such asset."))
    return view


def revenue_events_for_asset(*, asset: Asset) -> QuerySet[RevenueEvent]:
    """The asset's events, newest first; each with `refunded` (the sum of its refunds, ≤ 0)."""
    return (
        RevenueEvent.objects.filter(asset=asset)
        .select_related("recorded_by", "refund_of")
        .annotate(refunded=Sum("refunds__amount", default=0))
        .order_by("-date", "-id")
    )


def revenue_event_get_for_user(*, asset_id: int, event_id: int, user) -> RevenueEvent:
    view = asset_revenue_view(asset_id=asset_id, user=user)
    event = revenue_events_for_asset(asset=view.asset).filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("No such revenue event."))
    return event


def refundable(*, event: RevenueEvent) -> int:
    """What remains of a (positive) event to refund: its amount plus its refunds so far."""
    refunded = RevenueEvent.objects.filter(refund_of=event).aggregate(total=Sum("amount", default=0))["total"]
    return event.amount + refunded


# Who an account belongs to -------------------------------------------------------


@dataclass(frozen=True)
class StatementOwner:
    """Whose statement: a person or an organisation, as the reader may name it."""

    key: str  # the ledger account key: "user:12", "org:3"
    param: str  # how pages and the API name it: "me", "user:<username>", "org:<slug>"
    label: str
    kind: str  # "user" or "org"
    may_pay_out: bool  # the reader may record payouts from it (operator; an organisation's admins)


def _person_owner(person, *, reader) -> StatementOwner:
    own = person.pk == reader.pk
    return StatementOwner(
        key=f"user:{person.pk}",
        param="me" if own else f"user:{person.username}",
        label=person.name,
        kind="user",
        may_pay_out=reader.is_staff,
    )


def _org_owner(org, *, reader, admin: bool) -> StatementOwner:
    return StatementOwner(
        key=f"org:{org.pk}", param=f"org:{org.slug}", label=org.name, kind="org", may_pay_out=admin or reader.is_staff
    )


def statement_owner_get_for_user(*, account: str, user) -> StatementOwner:
    """Whose statement `account` names, if `user` may read it.

    "me" (or "" or the reader's own "user:<username>"): the reader. "user:<username>":
    anyone, for the operator. "org:<slug>": for the organisation's admins and the
    operator. NotFound otherwise, the same as for an absent person or organisation.
    """
    if not _is_active(user):
        raise NotFound(_("No such statement."))
    kind, _colon, name = (account or "me").partition(":")
    if kind == "me" and not name:
        return _person_owner(user, reader=user)
    if kind == "user" and name:
        if name == user.username:
            return _person_owner(user, reader=user)
        if user.is_staff:
            return _person_owner(account_selectors.person_get(username=name), reader=user)
    if kind == "org" and name:
        org = account_selectors.organisation_get(slug=name)
        admin = org.pk in account_selectors.organisation_admin_ids_for_user(user=user)
        if admin or user.is_staff:
            return _org_owner(org, reader=user, admin=admin)
    raise NotFound(_("No such statement."))


def statement_owners_for_user(*, user) -> list[StatementOwner]:
    """The reader's own statement, then those of the organisations they administer."""
    if not _is_active(user):
        return []
    admin_ids = account_selectors.organisation_admin_ids_for_user(user=user)
    orgs = sorted(account_selectors.organisations_by_id(ids=admin_ids).values(), key=lambda o: o.name.lower())
    return [_person_owner(user, reader=user), *(_org_owner(org, reader=user, admin=True) for org in orgs)]


# Balances --------------------------------------------------------------------------


def _balances(lines: QuerySet[LedgerLine]) -> dict[str, int]:
    rows = lines.order_by().values("currency").annotate(total=Sum("amount"))
    return {row["currency"]: row["total"] for row in sorted(rows, key=lambda r: r["currency"])}


def balances(*, key: str) -> dict[str, int]:
    """An account's balance in each currency it has lines in (currency → minor units)."""
    return _balances(LedgerLine.objects.filter(account__key=key))


def balance(*, account: Account, currency: str) -> int:
    return LedgerLine.objects.filter(account=account, currency=currency).aggregate(total=Sum("amount", default=0))[
        "total"
    ]


def ledger_totals() -> dict[str, int]:
    """Every line summed per currency: all zero while the ledger balances."""
    return _balances(LedgerLine.objects.all())


# Statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetRef:
    """An asset named for one reader: `title` is None when they may not see it."""

    asset_id: int
    title: str | None

    @property
    def visible(self) -> bool:
        return self.title is not None


@dataclass(frozen=True)
class Hop:
    asset: AssetRef
    royalty_bp: int  # the royalty of the link this hop went up


@dataclass(frozen=True)
class Explanation:
    """One asset through which a line's amount came."""

    asset: AssetRef  # the asset whose contributors were paid (the recipient's share is of it)
    direct: bool  # it is the asset that earned the revenue
    percent: str  # the percentage of the event's revenue that reached it, 6 significant digits
    fraction: str | None  # the same exactly, "n/d", when short enough to show
    kept_bp: int  # what its contributors keep of what reaches it
    share_bp: int  # the recipient's share of that
    path: list[Hop]  # one path up from the earning asset (heaviest), without the earning asset
    path_length: int  # hops on that path; `path` leaves out the middle of a long one
    paths: int  # how many paths reach the asset


@dataclass(frozen=True)
class StatementLine:
    line_id: int
    kind: str  # "revenue", "refund" or "payout"
    date: date
    created_at: datetime
    amount: int  # minor units: > 0 paid to the account, < 0 taken from it
    currency: str
    earning_asset: AssetRef | None  # the asset that earned it (None for a payout)
    event_id: int | None
    payout_reference: str
    explanations: list[Explanation]
    more_sources: int  # further assets it came through, not named (services.MAX_SOURCES)


def _refs(asset_ids: set[int], reader) -> dict[int, AssetRef]:
    refs = {}
    ids = sorted(asset_ids)
    for part in chunks(ids):
        for asset in Asset.objects.filter(pk__in=part).select_related("owner_org", "owner_user").defer("details"):
            visible = asset_access(asset=asset, user=reader) != Access.NONE
            refs[asset.pk] = AssetRef(asset_id=asset.pk, title=asset.title if visible else None)
    return {i: refs.get(i, AssetRef(asset_id=i, title=None)) for i in asset_ids}


def _source_asset_ids(sources: list[dict]) -> set[int]:
    ids = set()
    for source in sources:
        ids.add(source["asset"])
        ids.update(hop[0] for hop in source["path"])
    return ids


def _explanations(sources: list[dict], refs: dict[int, AssetRef], earning: int | None) -> list[Explanation]:
    out = []
    for s in sources:
        out.append(
            Explanation(
                asset=refs[s["asset"]],
                direct=s["asset"] == earning,
                percent=s["percent"],
                fraction=s.get("fraction"),
                kept_bp=s["kept_bp"],
                share_bp=s["share_bp"],
                path=[Hop(asset=refs[a], royalty_bp=bp) for a, bp in s["path"]],
                path_length=s["path_length"],
                paths=s["paths"],
            )
        )
    return out


def _lines_shaped(lines: list[LedgerLine], reader) -> list[StatementLine]:
    ids = set()
    for line in lines:
        if line.event_id:
            ids.add(line.event.asset_id)
        ids |= _source_asset_ids(line.sources)
    refs = _refs(ids, reader)
    rows = []
    for line in lines:
        event = line.event
        if event is not None:
            kind = "refund" if event.refund_of_id else "revenue"
            rows.append(
                StatementLine(
                    line_id=line.pk,
                    kind=kind,
                    date=event.date,
                    created_at=line.created_at,
                    amount=line.amount,
                    currency=line.currency,
                    earning_asset=refs[event.asset_id],
                    event_id=event.pk,
                    payout_reference="",
                    explanations=_explanations(line.sources, refs, event.asset_id),
                    more_sources=line.more_sources,
                )
            )
        else:
            rows.append(
                StatementLine(
                    line_id=line.pk,
                    kind="payout",
                    date=line.created_at.date(),
                    created_at=line.created_at,
                    amount=line.amount,
                    currency=line.currency,
                    earning_asset=None,
                    event_id=None,
                    payout_reference=line.payout.reference,
                    explanations=[],
                    more_sources=0,
                )
            )
    return rows


class StatementLines(Sequence[StatementLine]):
    """An account's lines, newest first, as StatementLines; counted and sliced in the
    database, so pages (API and web) and the CSV export fetch only what they show."""

    def __init__(self, lines: QuerySet[LedgerLine], reader) -> None:
        self._lines = lines
        self._reader = reader

    def __len__(self) -> int:
        return self._lines.count()

    @overload
    def __getitem__(self, index: int) -> StatementLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[StatementLine]: ...

    def __getitem__(self, index):
        if isinstance(index, int):
            rows = self[index : index + 1] if index >= 0 else []
            if not rows:
                raise IndexError(index)
            return rows[0]
        return _lines_shaped(list(self._lines[index]), self._reader)

    def __iter__(self):
        start = 0
        while True:
            rows = self[start : start + CHUNK]
            yield from rows
            if len(rows) < CHUNK:
                return
            start += CHUNK


@dataclass(frozen=True)
class Statement:
    owner: StatementOwner
    balances: dict[str, int]
    lines: StatementLines


def statement_for_user(*, owner: StatementOwner, user) -> Statement:
    """The statement of an owner `statement_owner_get_for_user` gave this reader:
    balances per currency and every line, newest first, each with its explanation."""
    lines = (
        LedgerLine.objects.filter(account__key=owner.key)
        .select_related("event", "payout")
        .order_by("-created_at", "-id")
    )
    return Statement(owner=owner, balances=balances(key=owner.key), lines=StatementLines(lines, user))


# An event's lines, for the asset's managers ------------------------------------------


@dataclass(frozen=True)
class RecipientLine:
    line_id: int
    recipient: str  # the person's or organisation's name
    recipient_key: str
    amount: int
    remaining: int  # what is left of it after refunds (for an event's own lines)
    explanations: list[Explanation]
    more_sources: int


def event_lines(*, event: RevenueEvent, user) -> list[RecipientLine]:
    """The recipients' lines of an event (not the asset's own revenue line), largest first."""
    lines = list(
        LedgerLine.objects.filter(event=event)
        .exclude(account__kind=Account.Kind.ASSET)
        .select_related("account__user", "account__organisation")
        .annotate(refunded=Sum("refund_lines__amount", default=0))
        .order_by("-amount", "account__key")
    )
    ids: set[int] = {event.asset_id}
    for line in lines:
        ids |= _source_asset_ids(line.sources)
    refs = _refs(ids, user)
    rows = []
    for line in lines:
        account = line.account
        name = account.user.name if account.user_id else account.organisation.name if account.organisation_id else ""
        rows.append(
            RecipientLine(
                line_id=line.pk,
                recipient=name,
                recipient_key=account.key,
                amount=line.amount,
                remaining=line.amount + line.refunded,
                explanations=_explanations(line.sources, refs, event.asset_id),
                more_sources=line.more_sources,
            )
        )
    return rows


def payouts_for_account(*, key: str) -> QuerySet[Payout]:
    return Payout.objects.filter(account__key=key).order_by("-created_at", "-id")


def account_ids_by_key(*, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the accounts that exist among these keys. Plain SQL: every revenue
    event asks, and building the ORM query cost more than running it."""
    meta = Account._meta
    quote = connection.ops.quote_name
    key, table = quote(meta.get_field("key").column), quote(meta.db_table)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for part in chunks(sorted(set(keys))):
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT {key}, {quote(meta.pk.column)} FROM {table} WHERE {key} IN ({marks})", list(part))
            found.update(cursor.fetchall())
    return found


def revenue_totals_by_year(*, assets: QuerySet[Asset], first_year: int, last_year: int) -> list[tuple[int, str, str, int]]:
    """(year, currency, source, total) of the revenue events on `assets` dated
    first_year..last_year: one grouped query, net of refunds (negative events).
    For reports over assets the caller has already authorised (a TLO dashboard)."""
    return list(
        RevenueEvent.objects.filter(
            asset__in=assets.order_by().values("pk"), date__year__gte=first_year, date__year__lte=last_year
        )
        .annotate(year=ExtractYear("date"))
        .order_by()
        .values_list("year", "currency", "source")
        .annotate(total=Sum("amount"))
    )
