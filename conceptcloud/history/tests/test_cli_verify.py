import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from conceptcloud.cli import main
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
    path.write_text(json.dumps(entry_receipt(seq=entry.seq)))
    result = subprocess.run([*CLI, "verify", str(path)], env=_offline_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"valid: entry {entry.seq} (test.entry about x:1) at ")
    assert "signed by conceptcloud.localhost/log" in result.stdout


def test_a_changed_receipt_fails_with_its_problems(db, append_entries, tmp_path: Path):
    entry = append_entries(3)[1]
    receipt = entry_receipt(seq=entry.seq)
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
    from conceptcloud.history.canonical import leaf_hash

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
