"""Web latency under load: asset pages and the API list, 20 concurrent clients.

    .venv/bin/python benchmarks/web.py [--users 20] [--seconds 30] [--limit N] [--workers 2]

Loads the demo data into a fresh data folder (or reuses --data-dir), serves it
with `conceptcloud serve` (gunicorn) on a free local port, and drives it with
Locust (FastHttpUser, headless), load generator and server on the same machine.
Two runs, each printing p50/p95/p99 latency and throughput per kind of request:

  clients   20 concurrent clients, each pausing 0.5-1.5 s between requests
            (people browsing). Target: p95 < 100 ms for both kinds.
  saturation  20 clients with no pause at all: the throughput ceiling and the
            latency when every request queues behind the others.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

LOCUSTFILE = '''
import json, random, os
from locust import task, between, constant
from locust.contrib.fasthttp import FastHttpUser

IDS = json.loads(os.environ["CC_BENCH_IDS"])
PAUSE = float(os.environ["CC_BENCH_PAUSE"])

class Visitor(FastHttpUser):
    wait_time = between(PAUSE * 0.5, PAUSE * 1.5) if PAUSE else constant(0)

    @task(1)
    def asset_page(self):
        self.client.get(f"/assets/{random.choice(IDS)}/", name="asset page")

    @task(1)
    def api_list(self):
        page = random.randint(1, 20)
        self.client.get(f"/api/v1/assets/?page={page}", name="API asset list")
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--limit", type=int, default=None, help="demo records per source (default: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", default=None, help="reuse a data folder that already has the demo")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="cc-bench-web-")
    env = {**os.environ, "CC_DATA_DIR": data_dir}
    demo = [str(BIN / "conceptcloud"), "demo"] + (["--limit", str(args.limit)] if args.limit else [])
    started = time.monotonic()
    subprocess.run(demo, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"demo data ready in {time.monotonic() - started:.1f} s ({data_dir})")

    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "conceptcloud"), "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/")
        with urllib.request.urlopen(base + "/api/v1/assets/?page_size=100") as response:
            body = json.load(response)
        ids = [item["id"] for item in body["items"] if item.get("access") != "teaser"]
        print(f"{body['count']} assets listed; sampling {len(ids)} public asset pages")
        # Warm every worker (translations, code lists) before measuring.
        for asset_id in ids[:20]:
            for path in (f"/assets/{asset_id}/", "/api/v1/assets/?page=2"):
                urllib.request.urlopen(base + path).read()
        results = {}
        for phase, pause in (("clients", 1.0), ("saturation", 0.0)):
            results[phase] = run_locust(base, env, ids, users=args.users, seconds=args.seconds, pause=pause)
    finally:
        server.terminate()
        server.wait(timeout=30)

    database = "PostgreSQL" if os.environ.get("CC_DATABASE_URL") else "SQLite"
    for phase, rows in results.items():
        pause = "0.5-1.5 s pause between requests" if phase == "clients" else "no pause"
        print(f"\n[{phase}] {args.users} concurrent clients, {pause}, {args.seconds} s, "
              f"gunicorn {args.workers} workers, {database}")
        print(f"{'request':<18}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
        for row in rows:
            print(
                f"{row['Name']:<18}{row['Request Count']:>8}{row['Failure Count']:>6}"
                f"{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
            )
    targets = [r for r in results["clients"] if r["Name"] in ("asset page", "API asset list")]
    verdict = all(float(r["95%"]) < 100 for r in targets)
    print(f"\ntarget p95 < 100 ms with {args.users} concurrent clients: {'met' if verdict else 'NOT met'}")


def run_locust(base: str, env: dict, ids: list[int], *, users: int, seconds: int, pause: float) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        locustfile = Path(tmp) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        prefix = Path(tmp) / "run"
        subprocess.run(
            [
                str(BIN / "locust"), "-f", str(locustfile), "--headless", "--only-summary",
                "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                "--host", base, "--csv", str(prefix), "--loglevel", "WARNING",
            ],
            env={**env, "CC_BENCH_IDS": json.dumps(ids), "CC_BENCH_PAUSE": str(pause)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv") as handle:
            return list(csv.DictReader(handle))

if __name__ == "__main__":
    main()
