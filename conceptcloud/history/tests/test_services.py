import hashlib
import json

import pytest
from django.db import transaction

from conceptcloud.history.canonical import canonical_bytes, commitment, leaf_hash
from conceptcloud.history.models import CommitmentSalt, Entry, LogHead, SubtreeHash
from conceptcloud.history.services import entry_append


def test_canonical_bytes_follow_rfc_8785_key_order_and_number_form():
    assert canonical_bytes({"b": 1, "a": [1.0, "é"], "c": None}) == b'{"a":[1,"\xc3\xa9"],"b":1,"c":null}'


def test_leaf_hash_is_the_rfc_9162_leaf_hash():
    assert leaf_hash(b"entry") == hashlib.sha256(b"\x00entry").digest()


def test_a_commitment_depends_on_salt_and_content():
    salt = b"s" * 32
    assert commitment({"x": 1}, salt) == hashlib.sha256(salt + b'{"x":1}').hexdigest()
    assert commitment({"x": 1}, salt) != commitment({"x": 2}, salt)
    assert commitment({"x": 1}, salt) != commitment({"x": 1}, b"t" * 32)


def test_entries_get_consecutive_sequence_numbers_and_store_the_hashed_bytes(db, make_user):
    alice = make_user("alice")
    start = LogHead.objects.get().size
    with transaction.atomic():
        first = entry_append(actor=alice, type="test.one", subject="x:1", payload={"n": 1})
        second = entry_append(actor=alice, type="test.two", subject="x:1", payload={"n": 2})
    assert (first.seq, second.seq) == (start, start + 1)
    stored = Entry.objects.get(seq=second.seq)
    assert bytes(stored.leaf_hash) == leaf_hash(bytes(stored.canonical))
    assert b'"actor":"alice"' in bytes(stored.canonical)


def test_appending_outside_a_transaction_is_refused(transactional_db, make_user):
    alice = make_user("alice")
    with pytest.raises(RuntimeError):
        entry_append(actor=alice, type="test", subject="x", payload={})


def test_a_rolled_back_change_leaves_no_entry_and_no_gap(db, make_user):
    alice = make_user("alice")
    size = LogHead.objects.get().size
    with pytest.raises(RuntimeError, match="after the append"), transaction.atomic():
        entry_append(actor=alice, type="test", subject="x", payload={})
        raise RuntimeError("the change fails after the append")
    assert LogHead.objects.get().size == size
    assert Entry.objects.count() == size


def test_the_returned_entry_is_the_row_as_stored(db, make_user):
    alice = make_user("alice")
    with transaction.atomic():
        entry = entry_append(actor=alice, type="test", subject="x:1", payload={"n": 1, "text": "é"})
    stored = Entry.objects.get(seq=entry.seq)
    assert not entry._state.adding
    assert (stored.created_at, stored.actor, stored.type, stored.subject) == (entry.created_at, alice, "test", "x:1")
    assert stored.payload == {"n": 1, "text": "é"}
    assert (bytes(stored.canonical), bytes(stored.leaf_hash)) == (entry.canonical, entry.leaf_hash)
    document = json.loads(entry.canonical)
    assert document["seq"] == entry.seq
    assert document["time"] == entry.created_at.isoformat().replace("+00:00", "Z")


def test_confidential_content_enters_the_entry_only_as_a_salted_commitment(db, make_user):
    alice = make_user("alice")
    secret = {"details": "Confidential tolerances: 0.002 mm."}
    with transaction.atomic():
        entry = entry_append(actor=alice, type="test", subject="x:1", payload={"n": 1}, confidential=secret)
    salt = bytes(CommitmentSalt.objects.get(entry=entry).salt)
    stored = Entry.objects.get(seq=entry.seq)
    assert stored.payload["commitment"] == {"alg": "sha256-salted-jcs", "value": commitment(secret, salt)}
    assert b"tolerances" not in bytes(stored.canonical)


def test_an_append_takes_at_most_four_statements(db, make_user, django_assert_max_num_queries):
    alice = make_user("alice")
    for n in range(4):  # odd and even sequence numbers: with and without completed subtrees
        with transaction.atomic(), django_assert_max_num_queries(4):
            entry_append(actor=alice, type="test", subject="x:1", payload={"n": n})


def test_appending_after_a_flush_emptied_the_log_tables_starts_again_at_zero(db, make_user):
    alice = make_user("alice")
    for model in (CommitmentSalt, SubtreeHash, Entry, LogHead):
        model.objects.all().delete()
    with transaction.atomic():
        entry = entry_append(actor=alice, type="test", subject="x:1", payload={})
    assert entry.seq == 0
    assert LogHead.objects.get().size == 1
