from conceptcloud.history import merkle
from conceptcloud.history.checkpoint import checkpoint_verify
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.history.keys import log_verifier_key
from conceptcloud.history.models import Checkpoint, Entry
from conceptcloud.history.tree import tree_consistency_proof


def _root() -> bytes:
    return merkle.root([bytes(leaf) for leaf in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True)])


def test_a_tree_size_is_signed_and_stored_once_however_often_it_is_handed_out(db, append_entries):
    append_entries(5)
    first = checkpoint_publish()
    again = checkpoint_publish()
    assert Checkpoint.objects.count() == 1
    assert (first.size, first.note, first.created_at) == (again.size, again.note, again.created_at)
    signed = checkpoint_verify(first.note, log_verifier_key())
    assert signed.size == first.size == Entry.objects.count()
    assert signed.root == bytes(first.root_hash) == _root()


def test_a_grown_log_gets_a_new_checkpoint_and_the_old_one_stays_consistent_with_it(db, append_entries):
    append_entries(3)
    old = checkpoint_publish()
    append_entries(6)
    new = checkpoint_publish()
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [old.size, new.size]
    assert new.size == old.size + 6
    proof = tree_consistency_proof(first=old.size, second=new.size)
    assert merkle.verify_consistency(old.size, new.size, proof, bytes(old.root_hash), bytes(new.root_hash))


def test_the_empty_log_has_a_checkpoint_of_the_empty_tree(db):
    checkpoint = checkpoint_publish()
    assert checkpoint.size == Entry.objects.count() == 0
    assert checkpoint_verify(checkpoint.note, log_verifier_key()).root == merkle.EMPTY_ROOT

