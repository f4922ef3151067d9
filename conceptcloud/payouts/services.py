"""Every write of revenue, the ledger and payouts.

    revenue_record(actor=, asset=, amount=, currency=, date=, idempotency_key=, source=, deal_id=, note=)
                         money an asset earned (its managers only); distributed at once, or by the
                         task payouts.revenue_distribute when the ancestor graph is large
    revenue_distribute(event_id=)
                         allocate a recorded event over the ancestor graph and post its lines
                         (idempotent: an event is distributed once)
    revenue_refund(actor=, event=, amount=, date=, idempotency_key=, ...)
                         give back part or all of an event: a negative event whose lines reverse
                         the original's, apportioned over what remains of each
    payout_record(actor=, account_key=, amount=, currency=, idempotency_key=, reference=)
                         money paid out of a person's balance (the operator) or an organisation's
                         (its admins or the operator); never more than the balance

Invariants held here:
    - an event's or a payout's lines sum to zero (double entry), so the ledger sums to
      zero per currency; a distribution's recipient lines sum exactly to the revenue
    - an idempotency key is used once per asset (per account for payouts): the same
      call again returns the first result and posts nothing (a unique constraint decides
      between concurrent twins); the same key with other values is a Conflict
    - a refund never exceeds what remains of its event; the last refund takes exactly
      what remains of every line, so all refunds together restore every balance
    - amounts are integers in minor units from 1 to MAX_AMOUNT (2**53 − 1), in an
      ISO 4217 currency Babel knows; a refund is in its event's currency

Each function checks its input and the caller's rights before it writes (bad
input changes nothing) and runs in one transaction with its history entries.
Amounts and recipients are private, so the entries are about subjects the public
log shows to nobody ("revenue:<event id>", "payout:<payout id>"; registry/history.py
hides kinds it has no rule for); their payloads hold ids, amounts and a SHA-256 of
the posted lines, never names.

    entry type            subject              written by
    revenue.recorded      revenue:<event>      revenue_record; with "lines" and "ledger_sha256"
                                               when it is distributed at once
    revenue.distributed   revenue:<event>      revenue_distribute (the task): "lines", "ledger_sha256"
    revenue.refunded      revenue:<refund>     revenue_refund (its lines posted at once)
    payout.recorded       payout:<payout>      payout_record

Large distributions: the event row and its "revenue.recorded" entry are written
in the request; when the ancestor graph has more than
settings.CC_PAYOUTS_TASK_ASSETS assets, the allocation and its lines are left to
the task, which runs inline after the commit or in a worker and writes its own
"revenue.distributed" entry. Either way the same function (`_distribute`) posts
the same lines, over the lineage as it stands when it runs. An event waiting for
its task has `distributed_at` unset and cannot be refunded yet.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.db import rows_insert
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, collect_errors
from conceptcloud.core.tasks import task_enqueue
from conceptcloud.history.canonical import canonical_bytes
from conceptcloud.history.services import entry_append
from conceptcloud.payouts import selectors
from conceptcloud.payouts.allocation import Allocation, AllocationError, Graph, Source, allocate, apportion
from conceptcloud.payouts.models import MAX_AMOUNT, Account, LedgerLine, Payout, RevenueEvent
from conceptcloud.payouts.money import currency_problem, money, ratio_percent
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_access

# Graphs with more assets than this are distributed by the task (see the module docstring).
DEFAULT_TASK_ASSETS = 2000
# A long path is shown by its first and last hops.
PATH_ENDS = 3
# Diamonds multiply paths; counts above this are stored as this ("at least").
PATHS_CAP = 10**12
# A line names at most this many assets it came through (the nearest).
MAX_SOURCES = 50
# Exact fractions are stored as "n/d" up to this many generations (10000**4 = 10**16).
EXACT_DEPTH = 4
MAX_KEY_LENGTH = 100
MAX_NOTE_LENGTH = 300
MAX_REFERENCE_LENGTH = 200


def _task_assets() -> int:
    return getattr(settings, "CC_PAYOUTS_TASK_ASSETS", DEFAULT_TASK_ASSETS)


def _require_manager(actor, asset: Asset) -> None:
    """NotFound for those who may not see the asset, PermissionDenied for those who only see it."""
    access = asset_access(asset=asset, user=actor)
    if access == Access.NONE:
        raise NotFound(_("No such asset."))
    if access != Access.MANAGE:
        raise PermissionDenied(_("Only the asset's owners can record its revenue."))


# Checks ------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return type(value) is int


def _amount_problems(amount: Any) -> list[str]:
    if not _is_int(amount):
        return [_("Give the amount as a whole number of the currency's smallest unit (e.g. cents).")]
    if amount < 1:
        return [_("The amount must be more than zero.")]
    if amount > MAX_AMOUNT:
        return [_("The amount is too large: at most %(max)s minor units.") % {"max": f"{MAX_AMOUNT:,}"}]
    return []


def _currency_problems(currency: Any) -> list[str]:
    problem = currency_problem(currency)
    if problem == "format":
        return [_("Give the currency as its three-letter ISO 4217 code, e.g. EUR or JPY.")]
    if problem == "unknown":
        return [_("Unknown currency code: %(code)s.") % {"code": currency}]
    return []


def _date_problems(date: Any) -> list[str]:
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        return [_("Give the date the money was received.")]
    if date > timezone.localdate():
        return [_("The date cannot be in the future.")]
    return []


def _key_problems(key: Any) -> list[str]:
    if not isinstance(key, str) or not key.strip():
        return [_("Give an idempotency key: any text unique to this payment, e.g. the bank transaction number.")]
    if len(key) > MAX_KEY_LENGTH:
        return [_("An idempotency key has at most %(limit)d characters.") % {"limit": MAX_KEY_LENGTH}]
    return []


def _text_problems(text: Any, limit: int) -> list[str]:
    if not isinstance(text, str):
        return [_("Give text.")]
    if len(text) > limit:
        return [_("At most %(limit)d characters.") % {"limit": limit}]
    return []


def _source_problems(source: Any, deal_id: Any) -> list[str]:
    if source == RevenueEvent.Source.MANUAL:
        return [] if deal_id is None else [_("Only revenue from a deal names a deal.")]
    if source == RevenueEvent.Source.DEAL:
        if _is_int(deal_id) and 0 < deal_id <= MAX_AMOUNT:
            return []
        return [_("Revenue from a deal names the deal by its number.")]
    return [_("The source is a deal or a manual entry.")]


# Idempotency ---------------------------------------------------------------------------


def _same(existing: Any, fields: dict[str, Any]) -> bool:
    return all(getattr(existing, name) == value for name, value in fields.items())


def _replayed(existing, fields: dict[str, Any], what: str):
    """The first result for a key used again; Conflict when the new call differs from it."""
    if not _same(existing, fields):
        raise Conflict(
            _("This idempotency key was used for another %(what)s (#%(id)d); use a new key for a new one.")
            % {"what": what, "id": existing.pk}
        )
    return existing, False


def _insert(model, *, lookup: dict[str, Any], fields: dict[str, Any], extra: dict[str, Any], what: str):
    """Create a row unique by `lookup`, or return the existing one when `fields` match it.

    One plain `INSERT ... ON CONFLICT (lookup) DO NOTHING RETURNING id` (SQLite and
    PostgreSQL alike): the unique constraint decides, also between concurrent calls
    (PostgreSQL makes the second wait for the first to commit), and no savepoint is
    needed. A key used before gets the row already there, as if this call had come
    second. Values go through the fields' own conversions, as the ORM's would.
    """
    row = model(**lookup, **fields, **extra)
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in columns]
    conflict = ", ".join(quote(meta.get_field(name).column) for name in lookup)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({conflict}) DO NOTHING "
            f"RETURNING {quote(meta.pk.column)}",
            values,
        )
        inserted = cursor.fetchone()
    if inserted is not None:
        row.pk = inserted[0]
        row._state.adding, row._state.db = False, connection.alias
        return row, True
    existing = model.objects.filter(**lookup).first()
    return _replayed(existing, fields, what)


# Posting -------------------------------------------------------------------------------


def _new_account(key: str) -> Account:
    kind, _colon, number = key.partition(":")
    if kind == Account.Kind.PERSON:
        return Account(key=key, kind=kind, user_id=int(number))
    if kind == Account.Kind.ORGANISATION:
        return Account(key=key, kind=kind, organisation_id=int(number))
    if kind == Account.Kind.ASSET:
        return Account(key=key, kind=kind, asset_id=int(number))
    if key == selectors.PAID_OUT:
        return Account(key=key, kind=Account.Kind.PAID_OUT)
    raise ValueError(f"not an account key: {key!r}")


def _account_ids(keys: list[str]) -> dict[str, int]:
    """Account ids by key, creating the missing accounts (concurrent creators agree)."""
    found = selectors.account_ids_by_key(keys=keys)
    missing = sorted(set(keys) - set(found))
    if missing:
        Account.objects.bulk_create([_new_account(key) for key in missing], ignore_conflicts=True)
        found.update(selectors.account_ids_by_key(keys=missing))
    return found


@dataclass
class _Line:
    key: str
    amount: int
    sources: list[dict] = field(default_factory=list)
    more_sources: int = 0
    refunds: int | None = None  # the id of the line it refunds


_LINE_COLUMNS = ("account", "event", "payout", "currency", "amount", "refunds", "more_sources", "sources", "created_at")
_LINES_PER_STATEMENT = 500


def _insert_lines(rows: list[tuple]) -> None:
    """Plain multi-row INSERTs of ledger lines (values in _LINE_COLUMNS order): every
    revenue event pays for them, and the ORM's per-object work cost more than the
    database's (as in history.services)."""
    rows_insert(LedgerLine, columns=_LINE_COLUMNS, rows=rows, prepare=("sources",), per_statement=_LINES_PER_STATEMENT)


def _post(lines: list[_Line], *, currency: str, event: RevenueEvent | None = None, payout: Payout | None = None) -> str:
    """Write balanced lines (zero amounts are left out); return the SHA-256 of what was
    posted: the canonical JSON of [[account key, amount], ...] in posting order."""
    lines = [line for line in lines if line.amount]
    if sum(line.amount for line in lines) != 0:
        raise AssertionError("unbalanced posting")  # the allocation and apportion guarantee it
    ids = _account_ids([line.key for line in lines])
    now = LedgerLine._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    event_id, payout_id = (event.pk if event else None), (payout.pk if payout else None)
    _insert_lines(
        [
            (
                ids[line.key],
                event_id,
                payout_id,
                currency,
                line.amount,
                line.refunds,
                line.more_sources,
                line.sources,
                now,
            )
            for line in lines
        ]
    )
    return hashlib.sha256(canonical_bytes([[line.key, line.amount] for line in lines])).hexdigest()


# Explaining a line -------------------------------------------------------------------------


class _Paths:
    """The heaviest path from the earning asset to each source asset, summarised: its
    length and its hops (asset, royalty_bp), the middle of a long one left out.

    One allocation's sources share the map of each asset's last link (`Source.last_links`:
    asset → (child, royalty_bp)); the first hops of each asset's path are memoised
    along it, so summarising every source of a chain of n assets costs O(n), where
    `Source.path` would walk each path whole (O(n²)).
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}

    def summary(self, source: Source) -> tuple[int, list[list[int]]]:
        trail = source.last_links
        climb, asset = [], source.asset_id
        while asset not in self._memo and asset in trail:
            climb.append(asset)
            asset = trail[asset][0]
        self._memo.setdefault(asset, (0, ()))
        for step in reversed(climb):
            child, royalty_bp = trail[step]
            length, first = self._memo[child]
            self._memo[step] = (length + 1, first + ((step, royalty_bp),) if length < PATH_ENDS else first)
        length, first = self._memo[source.asset_id]
        last, asset = [], source.asset_id
        while asset in trail and len(last) < min(length, PATH_ENDS * 2):
            child, royalty_bp = trail[asset]
            last.append((asset, royalty_bp))
            asset = child
        last.reverse()
        hops = last if length <= PATH_ENDS * 2 else [*first, *last[-PATH_ENDS:]]
        return length, [[asset, royalty_bp] for asset, royalty_bp in hops]


def _source_json(source: Source, paths: _Paths) -> dict[str, Any]:
    length, hops = paths.summary(source)
    described = {
        "asset": source.asset_id,
        "percent": ratio_percent(source.numerator, tens=4 * source.depth),
        "kept_bp": source.kept_bp,
        "share_bp": source.share_bp,
        "path": hops,
        "path_length": length,
        "paths": min(source.paths, PATHS_CAP),
    }
    if source.depth <= EXACT_DEPTH:
        fraction = source.fraction
        described["fraction"] = f"{fraction.numerator}/{fraction.denominator}"
    return described


def _line(allocation: Allocation, paths: _Paths) -> _Line:
    """A recipient's line, explained by the MAX_SOURCES assets nearest the earning asset
    it was paid through (a person in many generations of a long chain is paid through
    hundreds; the nearest carry the most, and the rest are counted)."""
    sources = allocation.sources
    return _Line(
        key=allocation.recipient,
        amount=allocation.amount,
        sources=[_source_json(source, paths) for source in sources[:MAX_SOURCES]],
        more_sources=max(0, len(sources) - MAX_SOURCES),
    )


# Revenue ---------------------------------------------------------------------------------


def _subject(event: RevenueEvent) -> str:
    return f"revenue:{event.pk}"


def _event_payload(event: RevenueEvent) -> dict[str, Any]:
    return {
        "event": event.pk,
        "asset": event.asset_id,
        "amount": event.amount,
        "currency": event.currency,
        "date": event.date.isoformat(),
        "source": event.source,
        "deal": event.deal_ref,
        "refund_of": event.refund_of_id,
        "idempotency_key": event.idempotency_key,
    }


def _distribute(event: RevenueEvent, graph: Graph) -> dict[str, Any]:
    """Allocate a positive event over `graph` and post its lines, in the caller's
    transaction; returns what the history entry says of them ({"lines", "ledger_sha256"})."""
    try:
        allocations = allocate(asset_id=event.asset_id, amount=event.amount, graph=graph)
    except AllocationError as error:
        raise Conflict(_("The lineage of this asset cannot be paid out: %(reason)s") % {"reason": error}) from None
    paths = _Paths()
    lines = [_Line(key=f"asset:{event.asset_id}", amount=-event.amount)]
    lines += [_line(allocation, paths) for allocation in allocations if allocation.amount]
    return {"lines": len(lines), "ledger_sha256": _post(lines, currency=event.currency, event=event)}


def revenue_record(
    *,
    actor,
    asset: Asset,
    amount: int,
    currency: str,
    date: datetime.date,
    idempotency_key: str,
    source: str = RevenueEvent.Source.MANUAL,
    deal_id: int | None = None,
    note: str = "",
) -> tuple[RevenueEvent, bool]:
    """Record revenue of an asset; returns (event, created).

    Only the asset's managers may (the same rule as everywhere: registry's
    asset_access == MANAGE); PermissionDenied for others who can see the asset,
    NotFound for those who cannot. `amount` is in minor units of `currency`
    (1..MAX_AMOUNT). `source` "deal" names the licensing deal by number
    (`deal_id`); "manual" is the owner's own entry. Recording the same
    `idempotency_key` on the same asset again returns the first event and posts
    nothing (created False); with other values it is a Conflict.

    The event is distributed over the asset's approved ancestor graph in the same
    transaction, or by the task payouts.revenue_distribute right after the commit
    when the graph is larger than settings.CC_PAYOUTS_TASK_ASSETS.
    """
    _require_manager(actor, asset)
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else idempotency_key
    collect_errors(
        {
            "amount": _amount_problems(amount),
            "currency": _currency_problems(currency),
            "date": _date_problems(date),
            "idempotency_key": _key_problems(key),
            "source": _source_problems(source, deal_id),
            "note": _text_problems(note, MAX_NOTE_LENGTH),
        }
    )
    fields = {
        "amount": amount,
        "currency": currency,
        "date": date,
        "source": source,
        "deal_ref": deal_id,
        "refund_of": None,
    }
    with transaction.atomic():
        # A key sent again is answered before the lineage is read (the insert below
        # still settles a race between two first sendings).
        existing = RevenueEvent.objects.filter(asset=asset, idempotency_key=key).first()
        if existing is not None:
            return _replayed(existing, fields, _("revenue event"))
        # The graph is read first, so an event shared out at once is written distributed.
        graph = selectors.ancestor_graph(asset_id=asset.pk)
        now = len(graph.contributors) <= _task_assets()
        event, created = _insert(
            RevenueEvent,
            lookup={"asset": asset, "idempotency_key": key},
            fields=fields,
            extra={"note": note, "recorded_by": actor, "distributed_at": timezone.now() if now else None},
            what=_("revenue event"),
        )
        if not created:
            return event, False
        payload = _event_payload(event)
        if now:
            payload.update(_distribute(event, graph))
        else:
            task_enqueue("payouts.revenue_distribute", event_id=event.pk)
        entry_append(actor=actor, type="revenue.recorded", subject=_subject(event), payload=payload)
    return event, True


def revenue_distribute(*, event_id: int) -> RevenueEvent | None:
    """Distribute a recorded event that is still waiting (the task's work); an event
    distributed already, or absent, is left as it is. Safe to run twice at once: the
    event row is locked while its lines are posted."""
    with transaction.atomic():
        event = RevenueEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.distributed:
            return event
        posted = _distribute(event, selectors.ancestor_graph(asset_id=event.asset_id))
        event.distributed_at = timezone.now()
        event.save(update_fields=["distributed_at"])
        entry_append(
            actor=event.recorded_by,
            type="revenue.distributed",
            subject=_subject(event),
            payload={"event": event.pk, **posted},
        )
    return event


def revenue_refund(
    *,
    actor,
    event: RevenueEvent,
    amount: int,
    date: datetime.date,
    idempotency_key: str,
    currency: str | None = None,
    source: str | None = None,
    deal_id: int | None = None,
    note: str = "",
) -> tuple[RevenueEvent, bool]:
    """Refund `amount` (minor units, > 0) of a revenue event; returns (refund event, created).

    The refund is an event of the same asset with amount −`amount`, naming the
    event it refunds. Refused: a refund of a refund (Conflict), of an event whose
    distribution is still waiting for its task (Conflict), of more than remains
    unrefunded (under "amount"), or in another currency than the event's (under
    "currency"; leave `currency` None to take the event's). Its lines take back
    from each of the event's lines its part of what remains of it (apportion:
    largest remainder), and the refund of all that remains takes exactly what
    remains of each, so a fully refunded event leaves every balance as before it.
    The same managers as for recording; the idempotency key works the same way.
    With `source` None the refund has the event's own source (a deal payment's
    refund counts against that deal's income).
    """
    _require_manager(actor, event.asset)
    if source is None:
        source, deal_id = event.source, event.deal_ref
    if event.refund_of_id is not None:
        raise Conflict(_("A refund cannot be refunded."))
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else idempotency_key
    currency_errors = []
    if currency is not None and currency != event.currency:
        currency_errors = _currency_problems(currency) or [
            _("This revenue was in %(currency)s; refund it in the same currency.") % {"currency": event.currency}
        ]
    collect_errors(
        {
            "amount": _amount_problems(amount),
            "currency": currency_errors,
            "date": _date_problems(date),
            "idempotency_key": _key_problems(key),
            "source": _source_problems(source, deal_id),
            "note": _text_problems(note, MAX_NOTE_LENGTH),
        }
    )
    fields = {
        "amount": -amount,
        "currency": event.currency,
        "date": date,
        "source": source,
        "deal_ref": deal_id,
        "refund_of": event,
    }
    lookup = {"asset_id": event.asset_id, "idempotency_key": key}
    with transaction.atomic():
        # Refunds of one event wait for each other here, so "what remains" is exact.
        original = RevenueEvent.objects.select_for_update().get(pk=event.pk)
        existing = RevenueEvent.objects.filter(**lookup).first()
        if existing is not None:
            return _replayed(existing, fields, _("revenue event"))
        if not original.distributed:
            raise Conflict(_("This revenue is still being distributed; it can be refunded once that is done."))
        remaining = selectors.refundable(event=original)
        if amount > remaining:
            message = (
                _("At most %(amount)s of this revenue remains to be refunded.")
                % {"amount": money(remaining, original.currency)}
                if remaining
                else _("This revenue has been refunded in full.")
            )
            raise InvalidInput.field("amount", message)
        refund, created = _insert(
            RevenueEvent,
            lookup=lookup,
            fields=fields,
            extra={"note": note, "recorded_by": actor, "distributed_at": timezone.now()},
            what=_("revenue event"),
        )
        if not created:
            return refund, False
        paid = list(
            LedgerLine.objects.filter(event=original, amount__gt=0)
            .annotate(refunded=Sum("refund_lines__amount", default=0))
            .select_related("account")
            .order_by("id")
        )
        left = [line.amount + line.refunded for line in paid]
        parts = left if amount == remaining else apportion(amount=amount, weights=left)
        lines = [_Line(key=f"asset:{original.asset_id}", amount=amount)]
        lines += [
            _Line(
                key=line.account.key,
                amount=-part,
                sources=line.sources,
                more_sources=line.more_sources,
                refunds=line.pk,
            )
            for line, part in zip(paid, parts, strict=True)
        ]
        digest = _post(lines, currency=original.currency, event=refund)
        entry_append(
            actor=actor,
            type="revenue.refunded",
            subject=_subject(refund),
            payload={
                **_event_payload(refund),
                "lines": len([line for line in lines if line.amount]),
                "ledger_sha256": digest,
            },
        )
    return refund, True


# Payouts -----------------------------------------------------------------------------------


def _require_payer(actor, account_key: str) -> None:
    """The operator pays anyone out but themselves (separation of duties); an
    organisation's admins pay out its balance."""
    kind, _colon, number = account_key.partition(":")
    if kind not in (Account.Kind.PERSON, Account.Kind.ORGANISATION) or not number.isdigit():
        raise NotFound(_("No such account."))
    if kind == Account.Kind.PERSON and int(number) == actor.pk:
        raise PermissionDenied(_("Another operator records payouts from your own balance."))
    if actor.is_staff and actor.is_active:
        return
    if kind == Account.Kind.ORGANISATION and int(number) in account_selectors.organisation_admin_ids_for_user(
        user=actor
    ):
        return
    raise PermissionDenied(_("Only the operator, or an organisation's admins for its account, record payouts."))


def payout_record(
    *,
    actor,
    account_key: str,
    amount: int,
    currency: str,
    idempotency_key: str,
    reference: str = "",
) -> tuple[Payout, bool]:
    """Record money paid out of a person's ("user:<id>") or organisation's ("org:<id>")
    balance; returns (payout, created).

    The operator (staff) records payouts for anyone, an organisation's admins for
    the organisation. Never more than the account's balance in that currency
    (under "amount"); the account row is locked, so two payouts at once cannot
    overdraw it together. The idempotency key is unique per account, as for revenue.
    """
    _require_payer(actor, account_key)
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else idempotency_key
    collect_errors(
        {
            "amount": _amount_problems(amount),
            "currency": _currency_problems(currency),
            "idempotency_key": _key_problems(key),
            "reference": _text_problems(reference, MAX_REFERENCE_LENGTH),
        }
    )
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(key=account_key).first()
        fields = {"amount": amount, "currency": currency}
        if account is not None:
            existing = Payout.objects.filter(account=account, idempotency_key=key).first()
            if existing is not None:
                return _replayed(existing, fields, _("payout"))
        available = selectors.balance(account=account, currency=currency) if account is not None else 0
        if amount > available:
            message = (
                _("Only %(amount)s is available to pay out.") % {"amount": money(available, currency)}
                if available > 0
                else _("There is nothing to pay out in %(currency)s.") % {"currency": currency}
            )
            raise InvalidInput.field("amount", message)
        payout, created = _insert(
            Payout,
            lookup={"account": account, "idempotency_key": key},
            fields=fields,
            extra={"reference": reference, "recorded_by": actor},
            what=_("payout"),
        )
        if not created:
            return payout, False
        digest = _post(
            [_Line(key=account.key, amount=-amount), _Line(key=selectors.PAID_OUT, amount=amount)],
            currency=currency,
            payout=payout,
        )
        entry_append(
            actor=actor,
            type="payout.recorded",
            subject=f"payout:{payout.pk}",
            payload={
                "payout": payout.pk,
                "account": account.key,
                "amount": amount,
                "currency": currency,
                "ledger_sha256": digest,
            },
        )
    return payout, True
