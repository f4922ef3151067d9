"""The one write path into the creative history.

Every service that changes state calls `entry_append` inside its own
`transaction.atomic()` block, so the change and its entry commit or roll back
together.

An append is a handful of plain SQL statements on one cursor, since it runs
with every change and the ORM's query building cost more than the database
work:

1. advance the log head and read the new size (the lock, see `_head_advance`);
2. insert the entry (`_entry_insert`), and its commitment salt if it has one;
3. read the left siblings the new leaf completes, if any, and insert the leaf
   and the subtree hashes it completes (`_subtrees_append`).

The SQL is the same on SQLite (>= 3.35, for RETURNING) and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from conceptcloud.history.canonical import canonical_bytes, commitment, leaf_hash, new_salt
from conceptcloud.history.merkle import node_hash
from conceptcloud.history.models import Entry


def entry_append(
    *,
    actor,
    type: str,
    subject: str,
    payload: dict[str, Any],
    confidential: dict[str, Any] | None = None,
) -> Entry:
    """Append one entry; must run inside the caller's transaction.

    `confidential` content is never stored in the entry: the payload gets its
    salted commitment under "commitment", and the salt is kept for the owner.
    The first statement moves the log head on and takes its row lock until the
    caller's transaction ends, so sequence numbers have no gaps and no
    duplicates, and entry times follow sequence order.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("entry_append must run inside the caller's transaction")
    payload = dict(payload)
    salt = None
    if confidential is not None:
        salt = new_salt()
        payload["commitment"] = {"alg": "sha256-salted-jcs", "value": commitment(confidential, salt)}
    with connection.cursor() as cursor:
        seq = _head_advance(cursor) - 1
        now = timezone.now()
        document = {
            "seq": seq,
            "time": now.isoformat().replace("+00:00", "Z"),
            "actor": actor.username if actor is not None else None,
            "type": type,
            "subject": subject,
            "payload": payload,
        }
        data = canonical_bytes(document)
        entry = Entry(
            seq=seq,
            created_at=now,
            actor=actor,
            type=type,
            subject=subject,
            payload=payload,
            canonical=data,
            leaf_hash=leaf_hash(data),
        )
        _entry_insert(cursor, entry)
        if salt is not None:
            cursor.execute("INSERT INTO history_commitmentsalt (entry_id, salt) VALUES (%s, %s)", [seq, salt])
        _subtrees_append(cursor, index=seq, leaf=entry.leaf_hash)
    # The row is in the database now: the instance is a loaded one, not a new one.
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _head_advance(cursor) -> int:
    """Add one to the log size and return the new size, locking the head row.

    One statement both reads and moves the head, so no other writer can take
    the same number: PostgreSQL holds the row lock of the update until the
    transaction ends (a second writer waits, then sees the new size), and
    SQLite serialises writers with `BEGIN IMMEDIATE`. A rollback undoes the
    step, so no gap appears. Migration 0004 creates the head row; the insert
    half only recreates it where a test flush emptied the table.
    """
    cursor.execute(
        "INSERT INTO history_loghead (id, size) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET size = history_loghead.size + 1 "
        "RETURNING size"
    )
    return cursor.fetchone()[0]


def _entry_insert(cursor, entry: Entry) -> None:
    """Insert `entry` as the ORM would store it (time and JSON adapted to the backend)."""
    connection = cursor.db
    cursor.execute(
        "INSERT INTO history_entry (seq, created_at, actor_id, type, subject, payload, canonical, leaf_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            entry.seq,
            connection.ops.adapt_datetimefield_value(entry.created_at),
            entry.actor_id,
            entry.type,
            entry.subject,
            Entry._meta.get_field("payload").get_db_prep_save(entry.payload, connection),
            entry.canonical,
            entry.leaf_hash,
        ],
    )


def _subtrees_append(cursor, *, index: int, leaf: bytes) -> None:
    """Store leaf `index` as (0, index) and every subtree it completes.

    Leaf i completes one subtree per trailing 1 bit of i (a carry in binary
    addition): at level l the new node is (l + 1, i >> (l + 1)), from its left
    sibling (l, (i >> l) - 1) and the node just made. The left siblings are
    read in one query, made only for odd i; one carry is made on average.
    """
    carries = (index ^ (index + 1)).bit_length() - 1  # trailing 1 bits of index
    lefts = {}
    if carries:
        siblings = [(level, (index >> level) - 1) for level in range(carries)]
        cursor.execute(
            'SELECT level, "index", hash FROM history_subtreehash WHERE '
            + " OR ".join(['(level = %s AND "index" = %s)'] * carries),
            [number for sibling in siblings for number in sibling],
        )
        lefts = {(level, position): bytes(value) for level, position, value in cursor.fetchall()}
    rows = [(0, index, leaf)]
    value = leaf
    for level in range(carries):
        value = node_hash(lefts[(level, (index >> level) - 1)], value)
        rows.append((level + 1, index >> (level + 1), value))
    cursor.execute(
        'INSERT INTO history_subtreehash (level, "index", hash) VALUES ' + ", ".join(["(%s, %s, %s)"] * len(rows)),
        [number for row in rows for number in row],
    )
