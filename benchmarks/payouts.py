"""Value distribution: one revenue event over 100,000 ancestors, and sustained revenue events.

    .venv/bin/python benchmarks/payouts.py [--assets 100000] [--chain 10000] [--repeat 3]
        [--events 3000] [--graph-assets 300] [--skip-allocate | --skip-events]

allocate  `payouts.allocation.allocate` of one revenue event (1,000,000.00 in
          minor units) over an earning asset whose ancestor graph holds --assets
          assets, built in memory (seeded), in these shapes:
            wide    six generations fanning out: 1, 16, 256, 4,096, 65,536 and
                    the rest; the parents of each generation cover the next one
                    (16 per asset where it fans out), and each asset has at least
                    one random extra parent, 2-4 in all where it does not fan out
                    (diamonds everywhere)
            deep    a braid: generations of up to 100 assets, ~1,000 generations
                    deep; each asset's parents are the asset in the same lane and
                    in the next lane of the generation above (a lattice of
                    diamonds: the number of paths doubles per generation)
            chains  100 separate chains of ~1,000 generations under a fan of 10
          Royalties are drawn from 1-30% per link (at most 100% / links; never
          0, so every link carries money and every fraction is exact over its
          whole depth); each asset has 1-3 contributors out of a pool of 30,000
          people (so most people are paid through several assets) or its
          organisation. Printed per shape: assets, links, longest generation,
          recipients paid (at least one unit: the others get no line), seconds
          for allocate (best of --repeat; wall clock and CPU), peak memory
          allocated during one call (tracemalloc, a separate call), and whether
          the amounts sum to the revenue. Target < 2 s per shape.
          Then, for the record, ONE chain of --chain generations: exact fractions
          along a single chain grow by ~13.3 bits per generation, so the work and
          the memory grow with the square of its length; the figure is
          extrapolated to a single chain of --assets generations.
events    sustained revenue events per minute through the real services, on
          SQLite, in a child process with a fresh data folder (migrated with
          `migrate`): a lineage of --graph-assets assets is built through
          accounts, registry and lineage services (organisations own the roots;
          people build on earlier assets, set royalties and share contributions;
          see _services_graph), then --events calls of
          `payouts.services.revenue_record` (one transaction each: the event, its
          history entries, the allocation and its ledger lines) on random assets
          of the newer two thirds, timed after 20 warm-up events. Printed: the
          rate, the ancestor-graph sizes and ledger lines it implies, that the
          ledger sums to 0, and the rate of replays of used idempotency keys
          (which must post nothing). Target >= 10,000 per minute. Building the
          lineage (and converting the embedding model into the fresh data folder,
          which registering assets needs) is set-up and not timed.

The machine's 2 cores are shared: figures move with other load; run it on a quiet
machine and say when it was not.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conceptcloud.payouts.allocation import Graph, allocate  # noqa: E402

REVENUE = 100_000_000  # 1,000,000.00 in a currency with two minor units
PEOPLE = 30_000


class _Builder:
    """An ancestor graph in the making: asset 0 earns; every other asset is one of its ancestors."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.parents: dict[int, list[tuple[int, int]]] = {}
        self.contributors: dict[int, list[tuple[str, int]]] = {}

    def asset(self) -> int:
        asset = len(self.contributors)
        count = self.rng.choice((1, 1, 2, 2, 3))
        if self.rng.random() < 0.1:
            self.contributors[asset] = [(f"org:{self.rng.randrange(1000)}", 10_000)]
            return asset
        people = self.rng.sample(range(PEOPLE), count)
        cuts = sorted(self.rng.sample(range(1, 10_000), count - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        self.contributors[asset] = [(f"user:{p}", s) for p, s in zip(people, shares, strict=True)]
        return asset

    def link(self, child: int, parents: list[int]) -> None:
        # 1-30% per link, and at most 100% / (number of links), so never more than 100% in all.
        parents = parents[:16]
        top = min(3000, 10_000 // len(parents))
        self.parents[child] = [(parent, self.rng.randint(100, top)) for parent in parents]

    def graph(self) -> Graph:
        return Graph(parents=self.parents, contributors=self.contributors)


def wide(assets: int, seed: int = 1) -> Graph:
    """Generations of 1, 16, 256, 4,096, 65,536 and the rest; every asset covered, 2-4 parents at least."""
    b = _Builder(seed)
    generation = [b.asset()]
    while len(b.contributors) < assets:
        size = min(len(generation) * 16, assets - len(b.contributors))
        above = [b.asset() for _ in range(size)]
        chosen: dict[int, list[int]] = {child: [] for child in generation}
        # Cover every asset above once, round-robin, then add random extra parents (diamonds).
        for i, parent in enumerate(above):
            chosen[generation[i % len(generation)]].append(parent)
        for child in generation:
            extra = max(1, b.rng.randint(2, 4) - len(chosen[child]))  # at least one: diamonds everywhere
            if extra > 0:
                chosen[child] += [p for p in b.rng.sample(above, min(extra, len(above))) if p not in chosen[child]]
            b.link(child, chosen[child])
        generation = above
    return b.graph()


def deep(assets: int, lanes: int = 100, seed: int = 2) -> Graph:
    """A braid of up to `lanes` lanes: asset (g, i) has parents (g+1, i) and (g+1, i+1 mod width)."""
    b = _Builder(seed)
    generation = [b.asset()]
    width = 16
    while len(b.contributors) < assets:
        size = min(width, lanes, assets - len(b.contributors))
        above = [b.asset() for _ in range(size)]
        for i, child in enumerate(generation):
            parents = [above[k] for k in range(i, size, len(generation))]  # cover the wider generation
            following = above[(i + 1) % size]
            b.link(child, parents + ([following] if following not in parents else []))
        generation = above
        width += 16
    return b.graph()


def chains(assets: int, seed: int = 3) -> Graph:
    """Asset 0 → 10 assets → 100 chains sharing the rest equally (about 1,000 generations each for
    100,000 assets; fewer, shorter chains for small graphs)."""
    fan = max(1, min(10, math.isqrt((assets - 1) // 10)))
    b = _Builder(seed)
    earning = b.asset()
    middle = [b.asset() for _ in range(fan)]
    b.link(earning, middle)
    heads = fan * fan
    length = (assets - 1 - fan) // heads
    tops = []
    for i, hub in enumerate(middle):
        starts = []
        for _ in range(fan):
            previous = start = b.asset()
            for _ in range(length - 1):
                current = b.asset()
                b.link(previous, [current])
                previous = current
            starts.append(start)
            tops.append(previous)
        b.link(hub, starts)
        del i
    # Whatever is left over extends the first chains by one generation each.
    for top in tops[: assets - len(b.contributors)]:
        b.link(top, [b.asset()])
    return b.graph()


def chain(length: int, seed: int = 4) -> Graph:
    b = _Builder(seed)
    previous = b.asset()
    for _ in range(length):
        current = b.asset()
        b.link(previous, [current])
        previous = current
    return b.graph()


def describe(graph: Graph) -> tuple[int, int, int]:
    """(assets, links, longest generation) of the ancestor graph of asset 0."""
    depth = {0: 0}
    order = [0]
    for asset in order:  # breadth-first is enough for counting; the longest path needs the topological pass
        for parent, _ in graph.parents.get(asset, ()):
            if parent not in depth:
                depth[parent] = 0
                order.append(parent)
    # Longest path: relax in a topological order (Kahn's algorithm over the ancestor graph).
    children = {asset: 0 for asset in order}
    for asset in order:
        for parent, _ in graph.parents.get(asset, ()):
            children[parent] += 1
    ready = [0]
    longest = 0
    while ready:
        asset = ready.pop()
        longest = max(longest, depth[asset])
        for parent, _ in graph.parents.get(asset, ()):
            depth[parent] = max(depth[parent], depth[asset] + 1)
            children[parent] -= 1
            if children[parent] == 0:
                ready.append(parent)
    links = sum(len(graph.parents.get(asset, ())) for asset in order)
    return len(order), links, longest


def time_allocate(graph: Graph, repeat: int) -> dict:
    """Best wall-clock and CPU seconds of `repeat` calls, then one more call under tracemalloc for the peak."""
    best = cpu = float("inf")
    lines = []
    for _ in range(repeat):
        del lines
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        lines = allocate(asset_id=0, amount=REVENUE, graph=graph)
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    total = sum(line.amount for line in lines)
    assert all(line.amount for line in lines)  # recipients rounded to nothing get no line
    recipients = len(lines)
    del lines
    gc.collect()
    tracemalloc.start()
    allocate(asset_id=0, amount=REVENUE, graph=graph)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": best,
        "cpu": cpu,
        "peak_mb": peak / 2**20,
        "recipients": recipients,
        "total": total,
    }


def part_allocate(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    rows = []
    print(
        f"allocate: one event of {REVENUE:,} minor units, ancestor graphs of {args.assets:,} assets "
        f"(best of {args.repeat}; peak = memory allocated during one call)"
    )
    for name, build in (("wide", wide), ("deep", deep), ("chains", chains)):
        graph = build(args.assets)
        assets, links, longest = describe(graph)
        figures = time_allocate(graph, args.repeat)
        exact = figures["total"] == REVENUE
        print(
            f"  {name:<7} {assets:>7,} assets {links:>7,} links {longest:>5,} generations: "
            f"{figures['recipients']:,} recipients paid, "
            f"{figures['seconds']:.2f} s ({figures['cpu']:.2f} s CPU), peak {figures['peak_mb']:,.0f} MB; "
            f"sum of the amounts {'==' if exact else '!='} the revenue",
            flush=True,
        )
        rows.append(
            (
                f"allocate, {name}, {assets:,} assets",
                f"{figures['seconds']:.2f} s",
                "< 2 s",
                "met" if figures["seconds"] < 2 and exact else "NOT met",
            )
        )
        del graph
        gc.collect()

    graph = chain(args.chain)
    figures = time_allocate(graph, 1)
    factor = (args.assets / args.chain) ** 2
    print(
        f"  one chain of {args.chain:,} generations: {figures['seconds']:.2f} s, peak {figures['peak_mb']:,.0f} MB; "
        f"one chain of {args.assets:,} generations would take ~{figures['seconds'] * factor:,.0f} s and "
        f"~{figures['peak_mb'] * factor / 1024:,.0f} GB (quadratic: the exact fraction {args.assets:,} "
        f"generations up alone has a {args.assets * 13.29 / 8 / 1024:,.0f} KB denominator)"
    )
    rows.append((f"allocate, one chain of {args.chain:,}", f"{figures['seconds']:.2f} s", "-", "-"))
    return rows


# Sustained revenue events through the services ----------------------------------------------------

GRAPH_PEOPLE = 60
GRAPH_ORGS = 6
WARM_UP = 20


def _django_setup(data_dir: str) -> None:
    os.environ["CC_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "conceptcloud.config.settings"
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # Signing up the graph's people is set-up, not what is measured: a cheap hasher for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def _services_graph(assets: int, rng: random.Random) -> tuple[list, dict]:
    """A realistic lineage through the real services: GRAPH_ORGS organisations own the roots
    (30% of the assets, no contributors recorded: they pay their organisation); every
    other asset builds on earlier ones among the last 100 (one parent 70% of the time,
    two 20%, three 10%: improvements mostly, some combinations, so diamonds), every asset
    asks 0-30% of its derivatives, and a third of the derived ones have 2-3 contributors.
    Returns (assets, asset id → a manager who may record its revenue)."""
    from conceptcloud.accounts.services import OrganisationData, organisation_create, user_signup
    from conceptcloud.lineage.services import ContributionData, asset_build_on, contributions_propose, terms_set
    from conceptcloud.registry.services import AssetData, asset_register

    people = [
        user_signup(username=f"person{i}", email=f"person{i}@example.org", password="correct horse 42")
        for i in range(GRAPH_PEOPLE)
    ]
    orgs = [
        (people[i], organisation_create(actor=people[i], data=OrganisationData(f"TLO {i}", kind="tlo", country="JP")))
        for i in range(GRAPH_ORGS)
    ]
    made, manager = [], {}

    def terms(actor, asset) -> None:
        royalty = rng.choice([0, 500, 1000, 1500, 2000, 2500, 3000])
        terms_set(
            actor=actor,
            asset=asset,
            derivative_royalty_bp=royalty,
            derivatives_need_approval=False,
            share_changes_need="owner",
        )

    for n in range(assets):
        title = f"Benchmark asset {n}"
        summary = f"Asset {n} of the payouts benchmark's lineage."
        if n < max(1, assets * 3 // 10):
            admin, org = orgs[n % len(orgs)]
            asset = asset_register(
                actor=admin, data=AssetData(kind="technology", title=title, summary=summary, owner_org=org.slug)
            )
            actor = admin
        else:
            actor = rng.choice(people)
            recent = made[-100:]
            parent_count = min(len(recent), rng.choice([1] * 7 + [2] * 2 + [3]))
            parents = rng.sample(recent, parent_count)
            asset = asset_build_on(
                actor=actor,
                parent_ids=[p.pk for p in parents],
                data=AssetData(kind="idea", title=title, summary=summary),
            )
            if rng.random() < 1 / 3:
                others = rng.sample([p for p in people if p != actor], rng.randint(1, 2))
                cuts = sorted(rng.sample(range(1, 100), len(others)))
                shares = [(b - a) * 100 for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
                contributions_propose(
                    actor=actor,
                    asset=asset,
                    contributions=[
                        ContributionData(username=person.username, role="improver", share_bp=share)
                        for person, share in zip([actor, *others], shares, strict=True)
                    ],
                )
        terms(actor, asset)
        made.append(asset)
        manager[asset.pk] = actor
    return made, manager


def phase_events(graph_assets: int, events: int) -> dict:
    import datetime

    from django.db.models import Count, Sum

    from conceptcloud.payouts.models import LedgerLine, RevenueEvent
    from conceptcloud.payouts.selectors import ancestor_graph
    from conceptcloud.payouts.services import revenue_record

    rng = random.Random(5)
    started = time.perf_counter()
    assets, manager = _services_graph(graph_assets, rng)
    sizes = [len(ancestor_graph(asset_id=asset.pk).contributors) for asset in assets]
    print(
        f"  lineage of {len(assets):,} assets built through the services in {time.perf_counter() - started:.0f} s; "
        f"ancestor graphs of 1-{max(sizes):,} assets (mean {sum(sizes) / len(sizes):.1f})",
        flush=True,
    )
    today = datetime.date(2026, 1, 15)
    # Revenue goes mostly to the newer assets (products built on the rest): their graphs are the largest.
    earners = assets[len(assets) // 3 :]
    plan = [(rng.choice(earners), rng.randint(100, 10_000_000)) for _ in range(events)]
    warm_up = plan[:WARM_UP]
    for i, (asset, amount) in enumerate(warm_up):  # connections, caches, first statements
        revenue_record(
            actor=manager[asset.pk], asset=asset, amount=amount, currency="EUR", date=today, idempotency_key=f"warm-{i}"
        )
    started, started_cpu = time.perf_counter(), time.process_time()
    for i, (asset, amount) in enumerate(plan):
        revenue_record(
            actor=manager[asset.pk],
            asset=asset,
            amount=amount,
            currency="EUR",
            date=today,
            idempotency_key=f"bench-{i}",
        )
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    # The same keys again pay nothing: the idempotent replay rate, and the ledger must not move.
    lines_before = LedgerLine.objects.count()
    replay_started = time.perf_counter()
    for i, (asset, amount) in enumerate(plan[:1000]):
        _event, created = revenue_record(
            actor=manager[asset.pk],
            asset=asset,
            amount=amount,
            currency="EUR",
            date=today,
            idempotency_key=f"bench-{i}",
        )
        assert not created
    replay_seconds = time.perf_counter() - replay_started
    replays = min(1000, len(plan))
    ledger = LedgerLine.objects.aggregate(total=Sum("amount"), lines=Count("id"))
    distributed = RevenueEvent.objects.filter(distributed_at__isnull=False).count()
    per_minute = events / seconds * 60
    print(
        f"  {events:,} revenue events (revenue_record, one transaction each, SQLite): {seconds:.1f} s "
        f"({cpu:.1f} s CPU) = {per_minute:,.0f} events/min; {distributed:,} events distributed, "
        f"{(ledger['lines'] / distributed) - 1:.1f} recipient lines per event, "
        f"{ledger['lines']:,} ledger lines summing to {ledger['total']}; {replays:,} replays of used keys: "
        f"{replays / replay_seconds * 60:,.0f}/min, ledger unchanged: {LedgerLine.objects.count() == lines_before}"
    )
    return {
        "per_minute": per_minute,
        "balanced": ledger["total"] == 0
        and distributed == events + len(warm_up)
        and LedgerLine.objects.count() == lines_before,
    }


def part_events(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    print(f"events: {args.events:,} revenue events on a lineage of {args.graph_assets:,} assets (fresh SQLite)")
    with tempfile.TemporaryDirectory(prefix="cc-bench-payouts-") as tmp:
        result = Path(tmp) / "result.json"
        env = {key: value for key, value in os.environ.items() if key != "CC_DATABASE_URL"}
        command = [
            sys.executable,
            __file__,
            "--phase",
            "events",
            "--data-dir",
            tmp,
            "--result",
            str(result),
            "--events",
            str(args.events),
            "--graph-assets",
            str(args.graph_assets),
        ]
        subprocess.run(command, env=env, check=True)
        outcome = json.loads(result.read_text())
    met = outcome["per_minute"] >= 10_000 and outcome["balanced"]
    return [
        ("revenue events, SQLite", f"{outcome['per_minute']:,.0f}/min", ">= 10,000/min", "met" if met else "NOT met")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=100_000, help="assets in each ancestor graph (default 100,000)")
    parser.add_argument("--chain", type=int, default=10_000, help="generations of the single chain (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="allocate runs per shape; the best counts (default 3)")
    parser.add_argument("--events", type=int, default=3000, help="revenue events recorded (default 3,000)")
    parser.add_argument("--graph-assets", type=int, default=300, help="assets of the events' lineage (default 300)")
    parser.add_argument("--skip-allocate", action="store_true", help="only the events part")
    parser.add_argument("--skip-events", action="store_true", help="only the allocate part")
    # The events part runs as a child process of this script with these.
    parser.add_argument("--phase", choices=["events"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        _django_setup(args.data_dir)
        Path(args.result).write_text(json.dumps(phase_events(args.graph_assets, args.events)))
        return

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    rows = []
    if not args.skip_allocate:
        rows += part_allocate(args)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process {peak_mb:,.0f} MB")
    if not args.skip_events:
        rows += part_events(args)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{'figure':<42}{'value':>18}  {'target':<14}result")
    for name, value, target, verdict in rows:
        print(f"{name:<42}{value:>18}  {target:<14}{verdict}")


if __name__ == "__main__":
    main()
