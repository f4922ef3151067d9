"""The one task interface: background work by name, run after the caller commits.

    @task("discovery.asset_index")
    def asset_index(*, asset_id: int) -> None: ...

    task_enqueue("discovery.asset_index", asset_id=asset.pk)

`task` registers a plain function under a name; `task_enqueue` schedules a run of
it for when the current transaction commits (at once outside a transaction; never
when the transaction rolls back). Where it runs is a setting, not the caller's
choice:

- inline (the default, `CC_BROKER_URL` unset): in the same process, right after
  the commit;
- in a Celery worker (`CC_BROKER_URL`, e.g. redis://127.0.0.1:6379/0): the task is
  sent by name, as JSON, to the queue `CC_TASK_QUEUE`, and `conceptcloud worker`
  runs it.

Both modes behave alike for the caller: an unregistered name (`UnknownTask`) and
arguments that are not JSON or that the task does not take (`TypeError`) are
refused at enqueue time, before anything is scheduled; the task receives its
arguments as they come back from JSON in both (a tuple arrives as a list); a task
that fails does not undo the caller's committed work and is not reported to the
caller — it is logged (logger "conceptcloud.tasks"). One difference: a worker
retries a task after transient errors, while inline a task runs once (back-off
would hold up the request that committed).

The contract for a task:
- keyword-only arguments that survive JSON unchanged (ids, strings, numbers,
  lists, dicts with string keys) — never model instances: the task reads the
  current rows itself;
- idempotent: running it twice, or after a later change, leaves the same state as
  running it once. A worker acknowledges a message only once the task has
  finished (acks_late), so a task whose worker dies mid-task is delivered again
  (by Redis after its visibility timeout, an hour), and transient errors (a lost or locked database, a lost connection) are
  retried with exponential back-off, jittered, up to MAX_RETRIES times;
- its own writes go through services, in their own transactions.

How tasks are found: each installed app keeps its tasks in `<app>/tasks.py`;
core's AppConfig.ready imports every one of them (Django's autodiscover_modules),
in the web process and in the worker alike, since the worker sets Django up
before it starts. A lower app may therefore enqueue, by name, a task that a
higher app registers (the registry enqueues discovery's indexing) without
importing it.

No result backend: tasks report through the rows they write.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger("conceptcloud.tasks")

# Errors worth another try in a worker: the database went away or was locked, a
# connection dropped or timed out.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 5
RETRY_BACKOFF_MAX = 300  # seconds between two tries at most

_tasks: dict[str, Callable[..., Any]] = {}
_apps: dict[tuple[str, str], Celery] = {}
_lock = threading.Lock()
_held = threading.local()


class UnknownTask(LookupError):
    """A task was enqueued under a name no app registered."""


def task(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the task `name`; the function is returned unchanged.

    A name belongs to one function: registering another function under it raises
    ValueError. Every parameter must be keyword-only (TypeError otherwise).
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        positional = [
            p.name
            for p in inspect.signature(function).parameters.values()
            if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)
        ]
        if positional:
            raise TypeError(f"task {name!r}: parameters must be keyword-only, not {', '.join(positional)}")
        with _lock:
            known = _tasks.get(name)
            if known is not None and known is not function:
                raise ValueError(f"task {name!r} is already registered by {known.__module__}.{known.__qualname__}")
            _tasks[name] = function
            for app in _apps.values():
                _celery_register(app, name, function)
        return function

    return register


@contextmanager
def tasks_held(prefix: str) -> Iterator[None]:
    """Within the block, in this thread, tasks whose names start with `prefix` are
    checked as ever but neither run nor sent: for a bulk load that then does, once
    and in batches, what those tasks would have done one record at a time (the
    demo load holds "discovery." and rebuilds the search index at the end)."""
    previous = getattr(_held, "prefixes", ())
    _held.prefixes = (*previous, prefix)
    try:
        yield
    finally:
        _held.prefixes = previous


def task_enqueue(name: str, /, **kwargs: Any) -> None:
    """Run the task `name` with `kwargs` once the current transaction commits.

    Raises UnknownTask for an unregistered name, and TypeError for arguments that are
    not JSON or that the task does not take (ValueError for NaN or infinity), in
    both modes and before anything is scheduled. The task runs inline
    after the commit, or is sent to the workers when CC_BROKER_URL is set; outside a
    transaction that happens at once; on rollback, never.
    """
    if name not in _tasks:
        raise UnknownTask(f"no task is registered as {name!r}")
    arguments = json.loads(json.dumps(kwargs, allow_nan=False))
    inspect.signature(_tasks[name]).bind(**arguments)
    if any(name.startswith(prefix) for prefix in getattr(_held, "prefixes", ())):
        return
    broker_url = settings.CC_BROKER_URL
    if broker_url:
        app = celery_app(broker_url=broker_url, queue=settings.CC_TASK_QUEUE)
        transaction.on_commit(lambda: _send(app, name, arguments))
    else:
        transaction.on_commit(lambda: _run_inline(name, arguments))


def _run_inline(name: str, arguments: dict[str, Any]) -> None:
    try:
        _tasks[name](**arguments)
    except Exception:
        logger.exception("task %s failed (inline) with %s", name, arguments)


def _send(app: Celery, name: str, arguments: dict[str, Any]) -> None:
    try:
        app.send_task(name, kwargs=arguments)
    except Exception:
        # The caller's transaction has committed: a broker that stays away loses the
        # run, not the change (discovery's `conceptcloud reindex` repairs the index).
        logger.exception("task %s could not be sent to the broker with %s", name, arguments)


def celery_app(*, broker_url: str | None = None, queue: str | None = None) -> Celery:
    """The Celery app for a broker and queue (default: the settings'), with every registered task.

    Made once per broker and queue: JSON only, no result backend, late
    acknowledgement, one message fetched ahead per worker process.
    """
    broker_url = broker_url or settings.CC_BROKER_URL
    queue = queue or settings.CC_TASK_QUEUE
    if not broker_url:
        raise ValueError("CC_BROKER_URL is not set: tasks run inline, there is no broker to use")
    key = (broker_url, queue)
    with _lock:
        app = _apps.get(key)
        if app is None:
            app = Celery("conceptcloud", set_as_current=False)
            app.conf.update(
                broker_url=broker_url,
                broker_connection_retry_on_startup=True,
                task_default_queue=queue,
                task_serializer="json",
                accept_content=["json"],
                result_backend=None,
                task_ignore_result=True,
                task_acks_late=True,
                worker_prefetch_multiplier=1,
                timezone="UTC",
                enable_utc=True,
            )
            for name, function in _tasks.items():
                _celery_register(app, name, function)
            _apps[key] = app
    return app


def _celery_register(app: Celery, name: str, function: Callable[..., Any]) -> None:
    app.task(
        name=name,
        shared=False,
        acks_late=True,
        autoretry_for=TRANSIENT_ERRORS,
        max_retries=MAX_RETRIES,
        retry_backoff=True,
        retry_backoff_max=RETRY_BACKOFF_MAX,
        retry_jitter=True,
    )(function)
