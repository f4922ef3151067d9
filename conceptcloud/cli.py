"""The `conceptcloud` command.

    conceptcloud serve [--demo] [--host H] [--port P] [--workers N]
    conceptcloud demo [--limit N]
    conceptcloud createadmin [--username U] [--email E]
    conceptcloud verify RECEIPT.json [--key KEY]   check a receipt offline
    conceptcloud verify --log        recompute the creative history, report tampering
    conceptcloud worker [--concurrency N]   run background tasks from CC_BROKER_URL (Celery)
    conceptcloud reindex             rebuild the search index from the database
    conceptcloud reputation [--recompute]   show when reputation was last computed, or compute it now
    conceptcloud manage ARGS...      any Django management command
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import threading
import time
from pathlib import Path


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conceptcloud.config.settings")
    import django

    django.setup()


def _static_sources_digest() -> str:
    """A digest of every static source file's path, size and modification time."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def _prepare() -> None:
    """Apply migrations and collect static files (both idempotent).

    Collecting compresses every file (seconds of work), so it runs only when
    the static sources differ from those collected last time.
    """
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if settings.WHITENOISE_USE_FINDERS:
        return
    stamp = Path(settings.STATIC_ROOT) / ".sources.sha256"
    digest = _static_sources_digest()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest)


def _load_demo(*, limit: int | None) -> None:
    """The registry's demo data, then the lineage built on it, then praise and reviews
    (with the reputation computed once), then licence offers, deals and a payment on
    those; one summary line each.
    The search index is built once at the end (in batches) rather than record by
    record as the services would have it; `index_rebuild` re-embeds only texts that
    changed, so a run that loaded nothing new costs little."""
    from conceptcloud.core.tasks import tasks_held
    from conceptcloud.discovery.services.indexing import index_rebuild
    from conceptcloud.evaluation.demo import demo_evaluation_load
    from conceptcloud.licensing.demo import demo_licensing_load
    from conceptcloud.lineage.demo import demo_lineage_load
    from conceptcloud.registry.demo import demo_load

    with tasks_held("discovery."), tasks_held("evaluation."):
        registry_report = demo_load(limit=limit)
        print(registry_report.summary())
        lineage_report = demo_lineage_load()
        print(lineage_report.summary())
        evaluation_report = demo_evaluation_load()
        print(evaluation_report.summary())
        licensing_report = demo_licensing_load()
        print(licensing_report.summary())
    if registry_report.created or lineage_report.created or licensing_report.created:
        started = time.perf_counter()
        indexed = index_rebuild()
        print(f"Search index built in {time.perf_counter() - started:.1f} s: {indexed:,} assets, their needs and people.")


def _warm_search_copies(worker) -> None:
    """gunicorn's post_worker_init: the worker builds its in-memory search indexes
    in a thread of its own while it starts serving (discovery.services.copies), so
    no visitor's search waits for a whole build."""

    def warm() -> None:
        from django.db import connection

        from conceptcloud.discovery.services.copies import search_copies_warm

        started = time.perf_counter()
        try:
            held = search_copies_warm()
        except Exception:  # the first search builds them instead
            worker.log.exception("Search indexes: building them at start failed")
        else:
            counts = ", ".join(f"{count:,} {name}" for name, count in held.items())
            worker.log.info("Search indexes ready in %.1f s: %s", time.perf_counter() - started, counts)
        finally:
            connection.close()

    threading.Thread(target=warm, name="search-indexes", daemon=True).start()


def cmd_serve(args: argparse.Namespace) -> int:
    _django_setup()
    _prepare()
    if args.demo:
        _load_demo(limit=args.limit)
    from gunicorn.app.base import BaseApplication

    from conceptcloud.config.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if args.access_log else None)
            self.cfg.set("timeout", 60)
            self.cfg.set("post_worker_init", _warm_search_copies)

        def load(self):
            return application

    print(f"Concept Cloud on http://{args.host}:{args.port}/  (Ctrl-C stops)", flush=True)
    Server().run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django_setup()
    _prepare()
    _load_demo(limit=args.limit)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _django_setup()
    _prepare()
    from django.core.management import call_command

    options = {}
    if args.username:
        options["username"] = args.username
    if args.email:
        options["email"] = args.email
    call_command("createsuperuser", interactive=not args.noinput, **options)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    if args.log:
        if args.receipt:
            print("give either a receipt or --log", file=sys.stderr)
            return 2
        _django_setup()
        from conceptcloud.history.selectors import checkpoint_latest, checkpoints_after, log_audit, log_size

        found = log_audit()
        for problem in found:
            print(problem)
        if found:
            return 1
        latest = checkpoint_latest()
        signed = (
            f"the {checkpoints_after(size=-1).count()} checkpoints handed out (the latest, of {latest.size} entries, "
            "signed by the log's key)"
            if latest is not None
            else "no checkpoint handed out yet"
        )
        print(f"valid: all {log_size()} entries match their leaf hashes, the stored tree and {signed}")
        return 0
    if not args.receipt:
        print("give a receipt file or --log", file=sys.stderr)
        return 2
    # Offline: only the pure modules, never Django, the database or the network.
    import json

    from conceptcloud.history.receipts import receipt_summary, verify_receipt

    try:
        receipt = json.loads(Path(args.receipt).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read the receipt: {error}")
        return 1
    found = verify_receipt(receipt, key=args.key)
    for problem in found:
        print(problem)
    if found:
        return 1
    print(receipt_summary(receipt))
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import call_command

    call_command("reindex")
    return 0


def cmd_reputation(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import call_command

    call_command("reputation", recompute=args.recompute)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings

    if not settings.CC_BROKER_URL:
        print("CC_BROKER_URL is not set: background tasks run inline, there is nothing for a worker to do", file=sys.stderr)
        return 2
    from conceptcloud.config.celery import app

    # The tasks need nothing from their peers: no gossip, no start-up sync (mingle).
    argv = ["worker", f"--loglevel={args.loglevel}", "--without-gossip", "--without-mingle"]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    app.worker_main(argv)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["conceptcloud manage", *args.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conceptcloud",
        description=(
            "Concept Cloud: register ideas, technologies and works; improve and combine them; "
            "match needs to technologies. Configuration comes from CC_* environment variables "
            "(CC_DATA_DIR, CC_DATABASE_URL, CC_SECRET_KEY, CC_DEBUG, CC_ALLOWED_HOSTS)."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="apply migrations, collect static files and serve the platform with gunicorn",
        description="Apply migrations, collect static files and serve the platform with gunicorn.",
    )
    serve.add_argument("--demo", action="store_true", help="load the demo data first (idempotent)")
    serve.add_argument("--limit", type=int, default=None, help="with --demo: at most N records of each kind")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    serve.add_argument("--access-log", action="store_true", help="log every request to stdout")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser(
        "demo",
        help="load the demo data from the bundled NASA and SBIR records (idempotent)",
        description=(
            "Load the demo organisations, accounts, technologies and needs, and the lineage built on them "
            "(terms, derivatives, contributors). Running it twice creates nothing twice."
        ),
    )
    demo.add_argument("--limit", type=int, default=None, help="at most N records of each kind")
    demo.set_defaults(func=cmd_demo)

    admin = sub.add_parser(
        "createadmin",
        help="create an operator account (Django admin access)",
        description="Create an operator (superuser) account, asking for the password.",
    )
    admin.add_argument("--username")
    admin.add_argument("--email")
    admin.add_argument("--noinput", action="store_true", help="take the password from DJANGO_SUPERUSER_PASSWORD")
    admin.set_defaults(func=cmd_createadmin)

    reindex = sub.add_parser(
        "reindex",
        help="rebuild the search index from the database (derived data; safe to rerun)",
        description="Analyse every asset again and rebuild the search index; the database is the source.",
    )
    reindex.set_defaults(func=cmd_reindex)

    reputation = sub.add_parser(
        "reputation",
        help="show the last reputation computation, or with --recompute compute every score now",
        description="Reputation scores are derived data: --recompute computes them again from the whole "
        "contribution, derivation and praise graph and replaces the stored scores.",
    )
    reputation.add_argument("--recompute", action="store_true", help="compute every score now")
    reputation.set_defaults(func=cmd_reputation)

    verify = sub.add_parser(
        "verify",
        help="check a receipt offline (no database, no network), or with --log the whole creative history",
        description=(
            "With RECEIPT.json: check offline that the entry is in the log's tree by its inclusion proof, "
            "that the checkpoint is signed by the log's key and, for an owner's receipt, that the salt and "
            "content open the entry's commitment; exit 1 listing every problem. "
            "With --log: recompute every entry's leaf hash and the whole tree from the stored entries, "
            "compare them with the stored subtree hashes and with every checkpoint the log has handed out "
            "(the latest one's signature checked with the log's key), and name the first entry that does "
            "not match (exit 1)."
        ),
    )
    verify.add_argument("receipt", nargs="?", metavar="RECEIPT.json", help="a receipt from /api/v1/log/entries/SEQ/receipt")
    verify.add_argument("--key", help="the log's verifier key to trust (from /.well-known/conceptcloud-log-key)")
    verify.add_argument("--log", action="store_true", help="check the whole stored log instead of a receipt")
    verify.set_defaults(func=cmd_verify)

    worker = sub.add_parser(
        "worker",
        help="run a Celery worker for the background tasks (needs CC_BROKER_URL)",
        description=(
            "Run a Celery worker that takes the platform's background tasks (indexing, large distributions) "
            "from the broker in CC_BROKER_URL, queue CC_TASK_QUEUE. Without a broker, tasks run inline in the "
            "web process after each commit and no worker is needed."
        ),
    )
    worker.add_argument("--concurrency", type=int, default=None, help="worker processes (default: one per CPU)")
    worker.add_argument("--loglevel", default="info", help="Celery log level (default info)")
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser(
        "manage",
        help="run a Django management command (e.g. 'conceptcloud manage migrate')",
        description="Run any Django management command with the platform's settings.",
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
