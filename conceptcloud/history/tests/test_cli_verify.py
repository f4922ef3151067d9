import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from conceptcloud.cli import main
from conceptcloud.history import merkle
from conceptcloud.history import selectors as history_selectors
from conceptcloud.history.canonical import leaf_hash
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.history.models import Checkpoint, Entry, SubtreeHash
from conceptcloud.history.selectors import entry_receipt

CLI = [sys.executable, "-m", "conceptcloud.cli"]


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    # A database nobody listens on: the check would fail if it ever connected.
    env["CC_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    return env


def test_a_receipt_verifies_offline_without_any_database(db, append_entries, tmp_path: Path):
    entry = append_entries(4)[2]
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(entry_receipt(seq=entry.seq, checkpoint=checkpoint_publish())))
    result = subprocess.run([*CLI, "verify", str(path)], env=_offline_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"valid: entry {entry.seq} (test.entry about x:1) at ")
    assert "signed by conceptcloud.localhost/log" in result.stdout


def test_a_changed_receipt_fails_with_its_problems(db, append_entries, tmp_path: Path):
    entry = append_entries(3)[1]
    receipt = entry_receipt(seq=entry.seq, checkpoint=checkpoint_publish())
    receipt["entry"] = receipt["entry"].replace("test.entry", "test.other")
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    result = subprocess.run([*CLI, "verify", str(path)], env=_offline_env(), capture_output=True, text=True)
    assert result.returncode == 1
    assert "the inclusion proof does not lead from the entry to the checkpoint's root" in result.stdout


def test_verify_log_passes_on_an_untouched_log(db, append_entries, capsys):
    append_entries(9)
    assert main(["verify", "--log"]) == 0
    assert capsys.readouterr().out.startswith("valid: all ")


def test_verify_log_names_the_entry_whose_stored_bytes_were_changed(db, append_entries, capsys):
    entries = append_entries(9)
    target = entries[5]
    tampered = bytes(target.canonical).replace(b'"n":5', b'"n":6')
    with connection.cursor() as cursor:
        cursor.execute("UPDATE history_entry SET canonical = %s WHERE seq = %s", [tampered, target.seq])
    assert main(["verify", "--log"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"entry {target.seq}: its stored bytes do not match its leaf hash"


def test_verify_log_names_the_first_entry_when_bytes_and_leaf_hash_were_both_changed(db, append_entries, capsys):
    entries = append_entries(6)
    target = entries[2]
    tampered = bytes(target.canonical).replace(b'"n":2', b'"n":7')
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE history_entry SET canonical = %s, leaf_hash = %s WHERE seq = %s",
            [tampered, leaf_hash(tampered), target.seq],
        )
    assert main(["verify", "--log"]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"entry {target.seq}: the stored subtree hash at level 0")


def _published(append_entries, counts) -> list:
    """Append entries in runs of `counts`, handing out a checkpoint after each run."""
    entries = []
    for count in counts:
        entries += append_entries(count)
        checkpoint_publish()
    return entries


def _forge(entry, old: bytes, new: bytes) -> None:
    """Change an entry as a careful forger would: its bytes, its leaf hash and every subtree hash above it."""
    data = bytes(entry.canonical).replace(old, new)
    assert data != bytes(entry.canonical)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE history_entry SET canonical = %s, leaf_hash = %s WHERE seq = %s", [data, leaf_hash(data), entry.seq]
        )
    tree = merkle.CompactTree(bytes(leaf) for leaf in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True))
    for (level, index), value in tree.nodes.items():
        SubtreeHash.objects.filter(level=level, index=index).update(hash=value)


def test_verify_log_checks_every_checkpoint_handed_out_and_says_so(db, append_entries, capsys):
    _published(append_entries, [1, 3, 2, 5])
    assert main(["verify", "--log"]) == 0
    out = capsys.readouterr().out
    size = Entry.objects.count()
    assert out.startswith(f"valid: all {size} entries match their leaf hashes, the stored tree and the 4 checkpoints")
    assert f"the latest, of {size} entries, signed by the log's key" in out


def test_verify_log_names_the_checkpoint_that_a_rewritten_entry_and_tree_no_longer_match(db, append_entries, capsys):
    entries = _published(append_entries, [3, 3, 3])
    sizes = list(Checkpoint.objects.values_list("size", flat=True))
    target = entries[4]  # after the first checkpoint, before the second
    _forge(target, b'"n":1', b'"n":9')
    assert main(["verify", "--log"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        f"the checkpoint of {sizes[1]} entries: its root is not the root of the stored entries; the checkpoint of "
        f"{sizes[0]} entries matches, so one of entries {sizes[0]} to {sizes[1] - 1} is not what was signed"
    )
    assert sizes[0] <= target.seq < sizes[1]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_verify_log_names_a_stored_checkpoint_whose_root_was_changed(db, append_entries, capsys, which):
    _published(append_entries, [2, 2, 2])
    checkpoint = Checkpoint.objects.order_by("size")[which]
    Checkpoint.objects.filter(size=checkpoint.size).update(root_hash=b"\x07" * 32)
    assert main(["verify", "--log"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"the checkpoint of {checkpoint.size} entries: its signed note does not state its size and root"
    assert lines[1].startswith(f"the checkpoint of {checkpoint.size} entries: its root is not the root of the stored")


def test_verify_log_names_a_checkpoint_whose_note_was_rewritten_without_the_key(db, append_entries, capsys):
    _published(append_entries, [2, 3])
    latest = Checkpoint.objects.order_by("size").last()
    forged = latest.note.replace(f"\n{latest.size}\n", f"\n{latest.size - 1}\n", 1)
    Checkpoint.objects.filter(size=latest.size).update(note=forged)
    assert main(["verify", "--log"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"the checkpoint of {latest.size} entries: its signed note does not state its size and root"
    ]
    Checkpoint.objects.filter(size=latest.size).update(note=latest.note[:-20] + "A" * 19 + "\n")
    assert main(["verify", "--log"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"the latest checkpoint, of {latest.size} entries, does not verify: "
        "the checkpoint's signature does not verify with the key"
    ]


def test_verify_log_names_checkpoints_of_entries_that_are_gone(db, append_entries, capsys):
    _published(append_entries, [3, 2])
    size = Entry.objects.count()
    leaves = Entry.objects.filter(seq__lt=size - 1).order_by("seq").values_list("leaf_hash", flat=True)
    tree = merkle.CompactTree(bytes(leaf) for leaf in leaves)
    SubtreeHash.objects.all().delete()
    SubtreeHash.objects.bulk_create([SubtreeHash(level=lv, index=ix, hash=h) for (lv, ix), h in tree.nodes.items()])
    Entry.objects.filter(seq=size - 1).delete()
    assert main(["verify", "--log"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"the log head says {size} entries, {size - 1} are stored in a row",
        f"checkpoints of more entries than the {size - 1} stored in a row: 1 (the first of {size})",
    ]


def test_verify_log_names_a_missing_entry_and_a_missing_subtree_hash(db, append_entries, capsys):
    entries = append_entries(6)
    SubtreeHash.objects.filter(level=1, index=entries[3].seq // 2).delete()
    assert main(["verify", "--log"]) == 1
    first = entries[3].seq // 2 * 2
    assert capsys.readouterr().out.splitlines()[0] == (
        f"entry {first}: the stored subtree hash at level 1, index {first // 2} "
        f"(entries {first} to {first + 1}) is missing"
    )
    Entry.objects.filter(seq=entries[2].seq).delete()
    assert main(["verify", "--log"]) == 1
    missing, next_one = entries[2].seq, entries[3].seq
    assert capsys.readouterr().out.splitlines()[0] == f"entry {missing}: missing (the next stored entry is {next_one})"


@pytest.mark.parametrize("target", [None, 3, 4, 13, 22])
def test_the_audit_reads_the_log_in_chunks_and_still_names_the_changed_entry(db, append_entries, monkeypatch, target):
    monkeypatch.setattr(history_selectors, "AUDIT_CHUNK", 4)
    entries = _published(append_entries, [1] * 23)
    if target is None:
        assert history_selectors.log_audit() == []
        return
    _forge(entries[target], f'"n":{0}'.encode(), b'"n":"x"')
    problems = history_selectors.log_audit()
    seq = entries[target].seq
    assert problems[0] == (
        f"the checkpoint of {seq + 1} entries: its root is not the root of the stored entries; the checkpoint of "
        f"{seq} entries matches, so one of entries {seq} to {seq} is not what was signed"
    )
    assert len(problems) == 23 - target  # every later checkpoint disagrees too
