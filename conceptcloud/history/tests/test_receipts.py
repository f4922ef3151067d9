import copy
import json

import pytest

from conceptcloud.history.keys import log_verifier_key
from conceptcloud.history.models import Entry
from conceptcloud.history.receipts import receipt_summary, verify_receipt
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.history.selectors import entry_receipt
from conceptcloud.registry.selectors import entry_commitment_for_user


def _last_entry_of(asset) -> Entry:
    return Entry.objects.filter(subject=f"asset:{asset.pk}").order_by("seq").last()


def test_a_receipt_of_every_entry_verifies_offline(db, append_entries):
    entries = append_entries(6)
    for entry in entries:
        receipt = json.loads(json.dumps(entry_receipt(seq=entry.seq, checkpoint=checkpoint_publish())))
        assert verify_receipt(receipt, key=log_verifier_key()) == []
        assert receipt["entry"].encode() == bytes(entry.canonical)
        assert receipt_summary(receipt).startswith(f"valid: entry {entry.seq} (test.entry about x:1) at ")


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda r: r.update(entry=r["entry"].replace('"n":', '"m":')), "inclusion proof does not lead"),
        (lambda r: r["inclusion_proof"].reverse() or r["inclusion_proof"].append("00" * 32), "inclusion proof"),
        (lambda r: r.update(tree_size=r["tree_size"] + 1), "the checkpoint for a tree of"),
        (lambda r: r.update(leaf_index=r["leaf_index"] - 1), "sequence number is not its leaf index"),
        (lambda r: r.update(checkpoint=r["checkpoint"].replace("\n", "\n1", 1)), "checkpoint"),
        (lambda r: r.update(format="other/1"), "format"),
    ],
)
def test_a_changed_receipt_is_rejected(db, append_entries, change, problem):
    entries = append_entries(5)
    receipt = entry_receipt(seq=entries[3].seq, checkpoint=checkpoint_publish())
    changed = copy.deepcopy(receipt)
    change(changed)
    problems = verify_receipt(changed)
    assert problems and any(problem in p for p in problems), problems


def test_a_receipt_signed_by_another_key_is_rejected_when_the_key_is_pinned(db, append_entries):
    receipt = entry_receipt(seq=append_entries(1)[0].seq, checkpoint=checkpoint_publish())
    other = "conceptcloud.localhost/log+00000000+" + "A" * 44
    assert verify_receipt(receipt, key=other)


def test_the_owner_of_a_confidential_asset_can_open_its_commitment(db, make_user, make_asset):
    owner, stranger = make_user("owner"), make_user("stranger")
    asset = make_asset(owner, visibility="confidential")
    entry = _last_entry_of(asset)
    assert "Confidential tolerances" not in bytes(entry.canonical).decode()
    opening = entry_commitment_for_user(seq=entry.seq, user=owner)
    assert opening["content"]["details"] == "Confidential tolerances: 0.002 mm."
    receipt = entry_receipt(seq=entry.seq, checkpoint=checkpoint_publish(), commitment=opening)
    assert verify_receipt(receipt) == []
    assert "commitment opens" in receipt_summary(receipt)
    assert entry_commitment_for_user(seq=entry.seq, user=stranger) is None
    forged = copy.deepcopy(receipt)
    forged["commitment"]["content"]["details"] = "Confidential tolerances: 0.005 mm."
    assert verify_receipt(forged) == ["the salt and content do not match the entry's commitment"]


def test_public_entries_have_no_commitment_to_open(db, make_user, make_asset):
    owner = make_user("owner")
    asset = make_asset(owner)
    assert entry_commitment_for_user(seq=_last_entry_of(asset).seq, user=owner) is None
