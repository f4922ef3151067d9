"""Appends from several OS processes at once, against the test database.

Each writer is a spawned process that sets Django up on the same test database
and data folder (so the same log key) as the test, waits until every writer
is ready, then appends its entries one transaction each, publishing a signed
checkpoint now and then. The test then checks the log they left. On
PostgreSQL the writers really run side by side and queue on the log head's
row lock; on SQLite they queue on the database's write lock.

Only the standard library and pytest are imported at the top: a spawned
writer imports this module before it has set Django up.
"""

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

WRITERS = 8
APPENDS = 50
CHECKPOINT_EVERY = 10
TIMEOUT = 300  # seconds, set-up of eight Django processes included


def _writer(number: int, database_name: str, data_dir: str, ready) -> list[str]:
    """Append APPENDS entries as user writer<number>; the notes of the checkpoints it received."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "conceptcloud.config.test_settings"
    os.environ["CC_TEST_DATA_DIR"] = data_dir
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database_name
    django.setup()
    from django.db import connection, transaction

    from conceptcloud.accounts.models import User
    from conceptcloud.history.checkpoints import checkpoint_publish
    from conceptcloud.history.services import entry_append

    actor = User.objects.get(username=f"writer{number}")
    notes = []
    ready.wait(timeout=TIMEOUT)
    for n in range(APPENDS):
        with transaction.atomic():
            entry_append(actor=actor, type="test.concurrent", subject=f"writer:{number}", payload={"n": n})
        if n % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1:
            notes.append(checkpoint_publish().note)
    connection.close()
    return notes


@pytest.mark.django_db(transaction=True)
def test_eight_processes_appending_at_once_leave_one_gap_free_log_that_every_checkpoint_agrees_with(
    settings, make_user
):
    from conceptcloud.history import merkle
    from conceptcloud.history.canonical import leaf_hash
    from conceptcloud.history.checkpoint import checkpoint_verify
    from conceptcloud.history.checkpoints import checkpoint_publish
    from conceptcloud.history.keys import log_verifier_key
    from conceptcloud.history.models import Entry
    from conceptcloud.history.selectors import log_audit, log_size
    from conceptcloud.history.tree import tree_consistency_proof

    for number in range(WRITERS):
        make_user(f"writer{number}")
    before = log_size()
    spawn = multiprocessing.get_context("spawn")
    database_name, data_dir = str(settings.DATABASES["default"]["NAME"]), str(settings.DATA_DIR)
    with spawn.Manager() as manager, ProcessPoolExecutor(WRITERS, mp_context=spawn) as pool:
        ready = manager.Barrier(WRITERS)  # each writer keeps a process to itself until all are set up
        writers = [pool.submit(_writer, number, database_name, data_dir, ready) for number in range(WRITERS)]
        notes = [note for writer in writers for note in writer.result(timeout=TIMEOUT)]
    notes.append(checkpoint_publish().note)

    rows = list(Entry.objects.order_by("seq").values_list("seq", "canonical", "leaf_hash"))
    assert [seq for seq, _, _ in rows] == list(range(before + WRITERS * APPENDS)) == list(range(log_size()))
    for seq, data, stored_leaf in rows:
        assert leaf_hash(bytes(data)) == bytes(stored_leaf)
        assert json.loads(bytes(data))["seq"] == seq
    documents = [json.loads(bytes(data)) for _, data, _ in rows[before:]]
    for number in range(WRITERS):
        mine = [document["payload"]["n"] for document in documents if document["subject"] == f"writer:{number}"]
        assert mine == list(range(APPENDS))  # all of them, in the order the writer appended them
    assert log_audit() == []

    key = log_verifier_key()
    leaves = [bytes(stored_leaf) for _, _, stored_leaf in rows]
    checkpoints = sorted({(c.size, c.root) for c in (checkpoint_verify(note, key) for note in notes)})
    assert len(checkpoints) > 1
    for size, root in checkpoints:
        assert root == merkle.root(leaves[:size])
    for index, (first, first_root) in enumerate(checkpoints):
        for second, second_root in checkpoints[index + 1 :]:
            proof = tree_consistency_proof(first=first, second=second)
            assert merkle.verify_consistency(first, second, proof, first_root, second_root)
