"""The creative history: append rate, inclusion proofs, `verify --log` and receipts.

    .venv/bin/python benchmarks/history.py [--appends 20000] [--log-size 1000000]
        [--postgres URL | --skip-postgres]

Each part runs in its own process with its own fresh data folder (a temporary
CC_DATA_DIR, migrated with `migrate`), so settings never leak between them:

  append    `history.services.entry_append`, as every service calls it, with
            one user as the actor: N entries one per transaction (one service
            call, one transaction: the realistic case), then N more in
            transactions of 100. On SQLite, and on PostgreSQL when the --postgres
            database answers (it is dropped and created afresh). Target on
            SQLite: >= 3,000 entries/s one per transaction. That figure
            includes a commit per entry (and SQLite copying its WAL into the
            database file now and then), so it follows the machine's disk
            and load: run it on a quiet machine.
  log       A log of --log-size entries (SQLite only) written straight into the
            tables, since a million service calls would take too long: real
            RFC 8785 entries {"seq","time","actor","type","subject","payload"},
            their leaf hashes, every subtree hash `merkle.CompactTree` computes
            for them, and the log head, bulk inserted in chunks. On that log:
              inclusion proofs  `selectors.inclusion_proof_get` for 1,000
                                random entries in the whole tree; p50/p95
                                (target < 5 ms); all checked with
                                `merkle.verify_inclusion` against the root of
                                the checkpoint `checkpoints.checkpoint_publish`
                                signs and stores for the tree.
              verify --log      `selectors.log_audit()`, what `conceptcloud
                                verify --log` runs, in process (target < 30 s).
              receipts          `receipts.verify_receipt` of one
                                `selectors.entry_receipt` (against that
                                checkpoint) 1,000 times; p50/p95 (target < 10 ms).

A summary table closes the run, each figure against its target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/cc_bench_history"
SAMPLES = 1000
CHUNK = 20_000
BATCH = 100


def _django_setup(data_dir: str) -> None:
    os.environ["CC_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "conceptcloud.config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _ms_percentiles(durations: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000


def phase_append(appends: int) -> dict:
    from django.db import connection, transaction

    from conceptcloud.accounts.services import user_signup
    from conceptcloud.history.selectors import log_audit, log_size
    from conceptcloud.history.services import entry_append

    actor = user_signup(username="bench", email="bench@example.org", password="correct horse 42")

    def append(i: int) -> None:
        entry_append(actor=actor, type="bench.append", subject=f"bench:{i % 100}", payload={"i": i})

    started = time.perf_counter()
    for i in range(appends):
        with transaction.atomic():
            append(i)
    single = appends / (time.perf_counter() - started)

    started = time.perf_counter()
    for first in range(appends, 2 * appends, BATCH):
        with transaction.atomic():
            for i in range(first, min(first + BATCH, 2 * appends)):
                append(i)
    batched = appends / (time.perf_counter() - started)

    # The appended log must still audit clean: the rates are of correct appends.
    problems = log_audit()
    print(
        f"  {connection.vendor}: {single:,.0f} entries/s one per transaction, "
        f"{batched:,.0f} entries/s {BATCH} per transaction; log of {log_size():,} audits "
        f"{'valid' if not problems else 'INVALID: ' + problems[0]}"
    )
    return {"single": single, "batched": batched, "valid": not problems}


def _subtree_rows(tree, written: set) -> list[tuple[int, int, bytes]]:
    """The CompactTree nodes not yet written, pruning all but the frontier.

    Appending leaf n reads only the left siblings on the tree's right edge
    (one node per set bit of n), so everything else can leave memory once it
    is in the database.
    """
    rows = [(level, index, value) for (level, index), value in tree.nodes.items() if (level, index) not in written]
    frontier = {
        (level, (tree.size >> level) - 1) for level in range(tree.size.bit_length()) if tree.size >> level & 1
    }
    tree.nodes = {key: tree.nodes[key] for key in frontier}
    written.clear()
    written.update(frontier)
    return rows


def _log_build(size: int) -> None:
    """Write a log of `size` real entries, its subtree hashes and its head, in bulk."""
    from datetime import UTC, datetime, timedelta

    from django.db import transaction

    from conceptcloud.history import merkle
    from conceptcloud.history.canonical import canonical_bytes, leaf_hash
    from conceptcloud.history.models import Entry, LogHead, SubtreeHash

    epoch = datetime(2025, 1, 1, tzinfo=UTC)
    tree = merkle.CompactTree()
    written: set = set()
    started = time.perf_counter()
    for first in range(0, size, CHUNK):
        entries = []
        for seq in range(first, min(first + CHUNK, size)):
            at = epoch + timedelta(milliseconds=seq)
            document = {
                "seq": seq,
                "time": at.isoformat().replace("+00:00", "Z"),
                "actor": "bench",
                "type": "bench",
                "subject": "bench",
                "payload": {},
            }
            data = canonical_bytes(document)
            leaf = leaf_hash(data)
            tree.append(leaf)
            entries.append(
                Entry(seq=seq, created_at=at, actor=None, type="bench", subject="bench", payload={},
                      canonical=data, leaf_hash=leaf)
            )
        subtrees = [SubtreeHash(level=level, index=index, hash=value)
                    for level, index, value in _subtree_rows(tree, written)]
        with transaction.atomic():
            Entry.objects.bulk_create(entries)
            SubtreeHash.objects.bulk_create(subtrees)
        if (first // CHUNK) % 10 == 9:
            print(f"    {first + len(entries):,} entries written ({time.perf_counter() - started:.0f} s)", flush=True)
    LogHead.objects.update_or_create(id=1, defaults={"size": size})
    print(f"  log of {size:,} entries and {SubtreeHash.objects.count():,} subtree hashes built "
          f"in {time.perf_counter() - started:.1f} s (SQLite)")


def phase_log(size: int) -> dict:
    from conceptcloud.history import merkle
    from conceptcloud.history.checkpoint import checkpoint_verify
    from conceptcloud.history.keys import log_verifier_key
    from conceptcloud.history.checkpoints import checkpoint_publish
    from conceptcloud.history.receipts import verify_receipt
    from conceptcloud.history.selectors import entry_receipt, inclusion_proof_get, log_audit

    _log_build(size)
    rng = random.Random(9162)

    durations = []
    proofs = []
    for _ in range(SAMPLES):
        seq = rng.randrange(size)
        started = time.perf_counter()
        proofs.append(inclusion_proof_get(seq=seq, size=size))
        durations.append(time.perf_counter() - started)
    proof_p50, proof_p95 = _ms_percentiles(durations)
    checkpoint = checkpoint_publish()
    root = checkpoint_verify(checkpoint.note, log_verifier_key()).root
    sample = proofs[-1]
    proof_valid = all(
        merkle.verify_inclusion(bytes.fromhex(p["leaf_hash"]), p["leaf_index"], p["tree_size"],
                                [bytes.fromhex(h) for h in p["inclusion_proof"]], root)
        for p in proofs
    )
    print(f"  inclusion proof of entry {sample['leaf_index']:,} in {size:,}: "
          f"{len(sample['inclusion_proof'])} hashes; all {SAMPLES} proofs verify against the signed root: "
          f"{proof_valid}; p50 {proof_p50:.2f} ms, p95 {proof_p95:.2f} ms")

    started = time.perf_counter()
    problems = log_audit()
    audit_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  log_audit (verify --log) of {size:,} entries: {audit_seconds:.1f} s, "
          f"{'valid' if not problems else 'INVALID: ' + problems[0]}; peak memory of this process {peak_mb:,.0f} MB")

    receipt = entry_receipt(seq=rng.randrange(size), checkpoint=checkpoint)
    key = log_verifier_key()
    receipt_problems = verify_receipt(receipt, key=key)
    durations = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        verify_receipt(receipt, key=key)
        durations.append(time.perf_counter() - started)
    receipt_p50, receipt_p95 = _ms_percentiles(durations)
    print(f"  receipt of entry {receipt['leaf_index']:,}: "
          f"{'valid' if not receipt_problems else 'INVALID: ' + receipt_problems[0]}; "
          f"verify_receipt p50 {receipt_p50:.2f} ms, p95 {receipt_p95:.2f} ms")
    return {
        "proof_p50": proof_p50, "proof_p95": proof_p95, "proof_valid": proof_valid,
        "audit_seconds": audit_seconds, "audit_valid": not problems,
        "receipt_p50": receipt_p50, "receipt_p95": receipt_p95, "receipt_valid": not receipt_problems,
    }


def _postgres_fresh(url: str) -> str | None:
    """Drop and create the benchmark database; None if it is ready, else why not."""
    try:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import conninfo_to_dict

        name = conninfo_to_dict(url)["dbname"]
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except Exception as error:  # any failure to reach the server means: skip PostgreSQL
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def _run_phase(phase: str, args: argparse.Namespace, root: Path, database_url: str | None = None) -> dict:
    data_dir = root / f"{phase}-{'postgresql' if database_url else 'sqlite'}"
    data_dir.mkdir()
    result = data_dir / "result.json"
    env = {key: value for key, value in os.environ.items() if key != "CC_DATABASE_URL"}
    if database_url:
        env["CC_DATABASE_URL"] = database_url
    command = [sys.executable, __file__, "--phase", phase, "--data-dir", str(data_dir), "--result", str(result),
               "--appends", str(args.appends), "--log-size", str(args.log_size)]
    subprocess.run(command, env=env, check=True)
    return json.loads(result.read_text())


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=20_000, help="entries per append run (default 20,000)")
    parser.add_argument("--log-size", type=int, default=1_000_000, help="entries in the built log (default 1,000,000)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help=f"PostgreSQL URL (default {DEFAULT_POSTGRES})")
    parser.add_argument("--skip-postgres", action="store_true", help="append on SQLite only")
    # The parent runs each part as a child process of this script with these.
    parser.add_argument("--phase", choices=["append", "log"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        _django_setup(args.data_dir)
        outcome = phase_append(args.appends) if args.phase == "append" else phase_log(args.log_size)
        Path(args.result).write_text(json.dumps(outcome))
        return

    with tempfile.TemporaryDirectory(prefix="cc-bench-history-") as tmp:
        root = Path(tmp)
        print(f"append: {args.appends:,} entries one per transaction, {args.appends:,} more {BATCH} per transaction")
        sqlite = _run_phase("append", args, root)
        postgres = None
        if args.skip_postgres:
            print("  PostgreSQL skipped (--skip-postgres)")
        elif (reason := _postgres_fresh(args.postgres)) is not None:
            print(f"  PostgreSQL skipped: {args.postgres} does not answer ({reason})")
        else:
            postgres = _run_phase("append", args, root, args.postgres)
        print(f"log: {args.log_size:,} entries, SQLite"
              + ("" if args.log_size == 1_000_000 else " (NOT the 1,000,000 of the targets)"))
        log = _run_phase("log", args, root)

    rows = [
        ("append, SQLite, 1 entry/transaction", f"{sqlite['single']:,.0f} entries/s", ">= 3,000/s",
         _verdict(sqlite["single"] >= 3000 and sqlite["valid"])),
        (f"append, SQLite, {BATCH} entries/transaction", f"{sqlite['batched']:,.0f} entries/s", "-", "-"),
    ]
    if postgres:
        rows += [
            ("append, PostgreSQL, 1 entry/transaction", f"{postgres['single']:,.0f} entries/s", "-", "-"),
            (f"append, PostgreSQL, {BATCH} entries/transaction", f"{postgres['batched']:,.0f} entries/s", "-", "-"),
        ]
    size = f"{args.log_size:,}"
    rows += [
        (f"inclusion proof in {size}, p50", f"{log['proof_p50']:.2f} ms", "< 5 ms",
         _verdict(log["proof_p50"] < 5 and log["proof_valid"])),
        (f"inclusion proof in {size}, p95", f"{log['proof_p95']:.2f} ms", "< 5 ms",
         _verdict(log["proof_p95"] < 5 and log["proof_valid"])),
        (f"verify --log of {size}", f"{log['audit_seconds']:.1f} s", "< 30 s",
         _verdict(log["audit_seconds"] < 30 and log["audit_valid"])),
        ("verify_receipt, p50", f"{log['receipt_p50']:.2f} ms", "< 10 ms",
         _verdict(log["receipt_p50"] < 10 and log["receipt_valid"])),
        ("verify_receipt, p95", f"{log['receipt_p95']:.2f} ms", "< 10 ms",
         _verdict(log["receipt_p95"] < 10 and log["receipt_valid"])),
    ]
    print(f"\n{'figure':<42}{'value':>18}  {'target':<12}result")
    for name, value, target, verdict in rows:
        print(f"{name:<42}{value:>18}  {target:<12}{verdict}")


if __name__ == "__main__":
    main()
