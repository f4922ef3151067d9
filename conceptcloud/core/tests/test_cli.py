import os
import subprocess
import sys

import pytest

from conceptcloud.cli import build_parser


def test_help_documents_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "conceptcloud", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "demo", "createadmin", "verify", "reindex", "reputation", "worker", "manage"):
        assert command in result.stdout
    serve = subprocess.run(
        [sys.executable, "-m", "conceptcloud", "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in ("--demo", "--host", "--port"):
        assert option in serve


def test_serve_defaults_to_localhost_port_8000():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.demo) == ("127.0.0.1", 8000, False)


def test_createadmin_creates_an_operator_in_a_fresh_data_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env.update(
        CC_DATA_DIR=str(tmp_path),
        DJANGO_SUPERUSER_PASSWORD="operator-pass-42",
        DJANGO_SETTINGS_MODULE="conceptcloud.config.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "conceptcloud", "createadmin", "--username", "op", "--email", "op@example.org", "--noinput"],
        env=env, check=True, capture_output=True,
    )
    check = subprocess.run(
        [sys.executable, "-m", "conceptcloud", "manage", "shell", "-c",
         "from conceptcloud.accounts.models import User; u=User.objects.get(username='op'); print(u.is_staff, u.is_superuser)"],
        env=env, check=True, capture_output=True, text=True,
    )
    assert check.stdout.strip().splitlines()[-1] == "True True"
    manifest = tmp_path / "static" / "staticfiles.json"
    assert manifest.exists(), "static files are collected for the production server"
    collected_at = manifest.stat().st_mtime_ns
    subprocess.run(
        [sys.executable, "-m", "conceptcloud", "createadmin", "--username", "op2", "--email", "op2@example.org", "--noinput"],
        env=env, check=True, capture_output=True,
    )
    assert manifest.stat().st_mtime_ns == collected_at, "unchanged static files are not collected again"


@pytest.mark.parametrize("argv", [[], ["nonsense"]])
def test_a_missing_or_unknown_command_is_refused(argv):
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(argv)
    assert caught.value.code == 2


def test_serve_builds_each_workers_search_indexes_as_it_starts(tmp_path):
    import selectors
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env.update(CC_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="conceptcloud.config.settings")
    server = subprocess.Popen(
        [sys.executable, "-m", "conceptcloud", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log = []
    try:
        watch = selectors.DefaultSelector()
        watch.register(server.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not any("Search indexes ready" in line for line in log):
            if watch.select(timeout=1) and (line := server.stderr.readline()):
                log.append(line)
            assert server.poll() is None, "".join(log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ready = next(line for line in log if "Search indexes ready" in line)  # no search was asked for
    assert "0 postings, 0 assets, 0 needs, 0 people, 0 signatures" in ready
