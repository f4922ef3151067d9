"""The task interface, inline and with a real Celery worker over a real Redis broker.

The worker is `conceptcloud worker --concurrency 1`, started once for the module
in its own process on the test database and data folder, after importing this
module so that the test tasks below are registered there too. It listens on a
queue of its own (unique per run), so parallel runs never take each other's
tasks. The tasks write creative-history entries; the tests read their effect in
the database.

Only the standard library, pytest and the task registry are imported at the top:
the worker imports this module before it has set Django up.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from conceptcloud.core.tasks import UnknownTask, task, task_enqueue, tasks_held

BROKER_URL = "redis://127.0.0.1:6379/0"
WAIT = 90  # seconds for a task's effect to appear, the worker's start included

_WORKER = (
    "import sys\n"
    "from django.conf import settings\n"
    "settings.DATABASES['default']['NAME'] = sys.argv[1]\n"
    "import conceptcloud.core.tests.test_tasks\n"
    "from conceptcloud.cli import main\n"
    "sys.exit(main(['worker', '--concurrency', '1', '--loglevel', 'warning']))\n"
)


@task("test.entry_append")
def entry_append_once(*, marker: str, numbers: list[int], extra: dict[str, str]) -> None:
    """Append one "test.task" entry for `marker`, once (idempotent: a second run finds it)."""
    from django.db import transaction

    from conceptcloud.history.selectors import entries_for_subject
    from conceptcloud.history.services import entry_append

    with transaction.atomic():
        if entries_for_subject(subject=f"test:{marker}").exists():
            return
        entry_append(
            actor=None,
            type="test.task",
            subject=f"test:{marker}",
            payload={"marker": marker, "numbers": numbers, "extra": extra, "kinds": [type(n).__name__ for n in numbers]},
        )


@task("test.flaky")
def flaky(*, marker: str, flag: str) -> None:
    """Fail with a transient database error on the first run (leaving `flag`), then append the entry."""
    from django.db import OperationalError

    if not os.path.exists(flag):
        open(flag, "x").close()
        raise OperationalError("the database went away (on purpose)")
    entry_append_once(marker=marker, numbers=[], extra={})


@task("test.fail")
def always_fail(*, marker: str) -> None:
    raise RuntimeError(f"task failed on purpose: {marker}")


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: str, queue: str):
        self.process, self.log_path, self.queue = process, log_path, queue

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]


@pytest.fixture(scope="module")
def worker(django_db_setup):
    """A real `conceptcloud worker` on the test database, listening on a queue of this run."""
    import redis
    from django.conf import settings
    from django.db import connection

    broker = redis.Redis.from_url(BROKER_URL)
    try:
        broker.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis is not running at {BROKER_URL} (.ci/run starts it): {error}")
    queue = f"cc-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "conceptcloud.config.test_settings",
        "CC_TEST_DATA_DIR": str(settings.DATA_DIR),
        "CC_BROKER_URL": BROKER_URL,
        "CC_TASK_QUEUE": queue,
    }
    log = tempfile.NamedTemporaryFile(prefix="cc-worker-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(connection.settings_dict["NAME"])],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield Worker(process, log.name, queue)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
        broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()


@pytest.fixture(params=["inline", "worker"])
def mode(request, settings):
    """Each test that takes `mode` runs once inline and once with the worker."""
    if request.param == "worker":
        running = request.getfixturevalue("worker")
        settings.CC_BROKER_URL = BROKER_URL
        settings.CC_TASK_QUEUE = running.queue
        return running
    settings.CC_BROKER_URL = ""
    return None


def _entries() -> list[tuple[str, dict]]:
    from conceptcloud.history.models import Entry

    return list(Entry.objects.filter(type="test.task").order_by("seq").values_list("subject", "payload"))


def _wait_for_entry(marker: str, running: Worker | None) -> None:
    """Inline the entry is there already; with a worker, wait for it (failing early if the worker died)."""
    deadline = time.monotonic() + WAIT
    while not any(subject == f"test:{marker}" for subject, _ in _entries()):
        if running is None:
            pytest.fail(f"the inline task for {marker!r} left no entry")
        if running.process.poll() is not None:
            pytest.fail(f"the worker stopped (exit {running.process.returncode}):\n{running.log()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no entry for {marker!r} after {WAIT} s; the worker's log:\n{running.log()}")
        time.sleep(0.05)


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_an_inline_task_runs_when_the_transaction_commits_and_not_before(settings):
    from django.db import transaction

    settings.CC_BROKER_URL = ""
    with transaction.atomic():
        task_enqueue("test.entry_append", marker="later", numbers=[1], extra={})
        assert _entries() == []
    assert [subject for subject, _ in _entries()] == ["test:later"]


@pytest.mark.django_db(transaction=True)
def test_an_inline_task_enqueued_outside_a_transaction_runs_at_once(settings):
    settings.CC_BROKER_URL = ""
    task_enqueue("test.entry_append", marker="now", numbers=[], extra={})
    assert [subject for subject, _ in _entries()] == ["test:now"]


@pytest.mark.django_db(transaction=True)
def test_held_tasks_are_checked_but_not_run_until_the_block_ends(settings):
    settings.CC_BROKER_URL = ""
    with tasks_held("test.entry"):
        task_enqueue("test.entry_append", marker="held", numbers=[], extra={})
        with pytest.raises(UnknownTask):
            task_enqueue("test.entry_missing")
        with pytest.raises(TypeError):
            task_enqueue("test.entry_append", marker="held", numbers=[], extra={}, unknown=1)
    assert _entries() == []
    task_enqueue("test.entry_append", marker="after", numbers=[], extra={})
    assert [subject for subject, _ in _entries()] == ["test:after"]


@pytest.mark.django_db(transaction=True)
def test_the_task_leaves_the_same_rows_inline_and_in_a_worker_with_its_arguments_as_json_gives_them(mode):
    from django.db import transaction

    with transaction.atomic():
        task_enqueue("test.entry_append", marker="same", numbers=(1, 2, 3), extra={"language": "ja"})
    _wait_for_entry("same", mode)
    assert _entries() == [
        (
            "test:same",
            {"marker": "same", "numbers": [1, 2, 3], "extra": {"language": "ja"}, "kinds": ["int", "int", "int"]},
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_runs(mode):
    from django.db import transaction

    with pytest.raises(Rollback), transaction.atomic():
        task_enqueue("test.entry_append", marker="lost", numbers=[], extra={})
        raise Rollback
    with transaction.atomic():
        with pytest.raises(Rollback), transaction.atomic():  # a savepoint rolled back inside a commit
            task_enqueue("test.entry_append", marker="lost-in-savepoint", numbers=[], extra={})
            raise Rollback
        task_enqueue("test.entry_append", marker="kept", numbers=[], extra={})
    # One worker process takes the queue in order: had the lost tasks been sent, they
    # would have run before the one that was kept.
    _wait_for_entry("kept", mode)
    assert [subject for subject, _ in _entries()] == ["test:kept"]


@pytest.mark.django_db(transaction=True)
def test_an_unknown_task_name_or_arguments_the_task_cannot_take_are_refused_at_enqueue_time(mode):
    from django.db import connection, transaction

    with pytest.raises(UnknownTask, match="test.no_such_task"):
        task_enqueue("test.no_such_task", marker="x")
    with transaction.atomic():
        with pytest.raises(UnknownTask):
            task_enqueue("test.no_such_task", marker="x")
        with pytest.raises(TypeError):
            task_enqueue("test.entry_append", marker="x", numbers=[object()], extra={})
        with pytest.raises(ValueError):
            task_enqueue("test.entry_append", marker="x", numbers=[float("nan")], extra={})
        with pytest.raises(TypeError):
            task_enqueue("test.entry_append", marker="x", numbers=[], extra={}, colour="red")
        with pytest.raises(TypeError):
            task_enqueue("test.entry_append", marker="x")
        assert connection.run_on_commit == []


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_twice_leaves_one_entry_since_tasks_are_idempotent(mode):
    task_enqueue("test.entry_append", marker="twice", numbers=[2], extra={})
    task_enqueue("test.entry_append", marker="twice", numbers=[2], extra={})
    task_enqueue("test.entry_append", marker="after-twice", numbers=[], extra={})
    _wait_for_entry("after-twice", mode)
    assert [subject for subject, _ in _entries()] == ["test:twice", "test:after-twice"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_tries_a_task_again_after_a_transient_database_error(settings, worker, tmp_path):
    settings.CC_BROKER_URL, settings.CC_TASK_QUEUE = BROKER_URL, worker.queue
    flag = tmp_path / "failed-once"
    task_enqueue("test.flaky", marker="second-try", flag=str(flag))
    _wait_for_entry("second-try", worker)
    assert flag.exists() and [subject for subject, _ in _entries()] == ["test:second-try"]


@pytest.mark.django_db(transaction=True)
def test_an_inline_task_that_fails_is_logged_and_leaves_the_callers_commit_in_place(settings, caplog):
    from django.db import transaction

    from conceptcloud.history.services import entry_append

    settings.CC_BROKER_URL = ""
    with transaction.atomic():
        entry_append(actor=None, type="test.task", subject="test:caller", payload={})
        task_enqueue("test.fail", marker="boom")
    assert [subject for subject, _ in _entries()] == ["test:caller"]
    failure = next(r for r in caplog.records if r.name == "conceptcloud.tasks")
    assert "test.fail" in failure.getMessage() and str(failure.exc_info[1]) == "task failed on purpose: boom"


def test_a_task_name_belongs_to_one_function():
    def another(*, marker: str) -> None:
        raise AssertionError("never registered")

    with pytest.raises(ValueError, match="test.fail"):
        task("test.fail")(another)
    assert task("test.fail")(always_fail) is always_fail


def test_a_task_takes_keyword_only_arguments():
    def positional(marker: str) -> None:
        raise AssertionError("never registered")

    with pytest.raises(TypeError, match="keyword-only"):
        task("test.positional")(positional)


def test_worker_refuses_to_start_without_a_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env.update(CC_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="conceptcloud.config.settings")
    result = subprocess.run(
        [sys.executable, "-m", "conceptcloud", "worker"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "CC_BROKER_URL" in result.stderr


@pytest.mark.django_db
def test_a_test_inside_the_db_fixtures_transaction_runs_inline_tasks_by_capturing_the_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.CC_BROKER_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        task_enqueue("test.entry_append", marker="captured", numbers=[], extra={})
    assert [subject for subject, _ in _entries()] == ["test:captured"]
