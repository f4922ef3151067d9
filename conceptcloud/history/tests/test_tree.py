import importlib
import random

import pytest
from django.apps import apps

from conceptcloud.history import merkle
from conceptcloud.history.models import Entry, SubtreeHash
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.history.selectors import log_size
from conceptcloud.history.checkpoint import checkpoint_verify
from conceptcloud.history.keys import log_verifier_key
from conceptcloud.history.tree import tree_consistency_proof, tree_inclusion_proof, tree_root


def _stored() -> dict[tuple[int, int], bytes]:
    return {(row.level, row.index): bytes(row.hash) for row in SubtreeHash.objects.all()}


def _reference() -> merkle.CompactTree:
    return merkle.CompactTree(bytes(leaf) for leaf in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True))


@pytest.mark.parametrize("count", [1, 2, 3, 7, 8, random.Random(9162).randint(20, 70)])
def test_stored_subtree_hashes_are_exactly_those_of_the_compact_tree(db, append_entries, count):
    append_entries(count)
    assert _stored() == _reference().nodes


def test_the_data_migration_fills_the_subtree_hashes_of_existing_entries(db, append_entries):
    append_entries(13)
    expected = _stored()
    SubtreeHash.objects.all().delete()
    importlib.import_module("conceptcloud.history.migrations.0003_subtree_hashes_fill").fill(apps, None)
    assert _stored() == expected == _reference().nodes


def test_proofs_from_the_database_verify_against_signed_checkpoints(db, append_entries, django_assert_max_num_queries):
    entries = append_entries(11)
    size = log_size()
    checkpoint = checkpoint_verify(checkpoint_publish().note, log_verifier_key())
    assert checkpoint.root == merkle.root([bytes(e.leaf_hash) for e in Entry.objects.order_by("seq")])
    for entry in entries:
        with django_assert_max_num_queries(1):
            proof = tree_inclusion_proof(index=entry.seq, size=size)
        assert merkle.verify_inclusion(bytes(entry.leaf_hash), entry.seq, size, proof, checkpoint.root)
    for first in range(size + 1):
        proof = tree_consistency_proof(first=first, second=size)
        assert merkle.verify_consistency(first, size, proof, tree_root(size=first), checkpoint.root)
