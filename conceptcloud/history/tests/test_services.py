import hashlib

import pytest
from django.db import transaction

from conceptcloud.history.canonical import canonical_bytes, commitment, leaf_hash
from conceptcloud.history.models import Entry, LogHead
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
