"""Search at scale: index build throughput, query latency and memory on 100,000 assets.

    .venv/bin/python benchmarks/search.py [--assets 100000] [--queries 300]
        [--database sqlite|postgresql] [--data-dir DIR [--reuse]]

The corpus (in a fresh data folder, migrated with `migrate`; on PostgreSQL the
database of CC_DATABASE_URL, or DEFAULT_POSTGRES, dropped and created afresh):

  real      every record of the bundled demo sources, read by the demo's own
            readers (registry.demo.sources): NASA technologies for licence (633),
            NASA software (934), the NASA patents list (1,393, merged by case
            number as the demo does), the SBIR/STTR topics (6,842, as
            technology-like text: kind "idea") and the hand-written demo assets
            (English and Japanese). About 8,700 assets.
  variants  to reach --assets: generated records, each clearly labelled. Title
            "[variant N] <a real title>", summary the sentences of that real
            summary and of another real one shuffled together, the real record's
            details, kind, keywords and owner; reference "variant-N:<the real
            reference>". Every 20th variant is confidential, every 20th + 1
            members-only and every 100th + 2 a draft (the rest public, published),
            so the visibility rule has real work to do.

All rows are written with bulk inserts (assets and their facet rows; no history
entries, versions or IP records, which search never reads), so the build time
measures the corpus, not the services; on PostgreSQL the database is then
ANALYZEd, as autovacuum would do soon after such a load. Then:

  index     `services.indexing.index_rebuild()` over the whole corpus, timed:
            lexical rows AND sentence embeddings (AssetVector), i.e. what
            `conceptcloud reindex` does. Target >= 150 assets/s on this 2-core
            machine. Then, for diagnosis, the rates of the model alone and of
            the lexical analysis alone on 2,000 assets. The process's vector
            index is then built from the stored vectors
            (`index.asset_index_cache()`, HNSW from 20,000 vectors on), and the
            postings copy of the stored lexical rows (backends.base.postings_copy(),
            which ranks the lexical queries), each timed apart.
  queries   --queries distinct queries made from the real records (seeded): about
            half 2-3 consecutive words of a real title ("thermal insulation"),
            about 40% a whole SBIR/STTR topic title (need-style), and up to 12
            Japanese words of the demo's Japanese listings. Each query is asked
            once per path (after a warm-up of other queries; the query-embedding
            cache is emptied before each path, so every path embeds every query
            afresh), as a signed-in member of no organisation:
              lexical  selectors.lexical.assets_lexical_search(limit=100)
              dense    the dense retriever of selectors.search: index.query_vector
                       (the query's embedding) + the nearest stored vectors of the
                       visible assets
              hybrid   selectors.search.assets_ranked(limit=100), the product's
                       ranking of the best 100 (lexical + dense over the viewer's
                       visible assets, fused; the query embedded while the
                       lexical search runs). Target p95 < 50 ms.
              page     selectors.search.assets_search(), the search page's data
                       (the ranking 1,000 deep for its counts, facets with counts,
                       snippets), for reference
  plain     the same queries against a plain SQLite FTS5 table (porter
            unicode61 tokenizer) of the same assets' raw title, keywords, summary
            and details, in its own SQLite file, through Python's sqlite3: the
            query's words ANDed, ranked by bm25(), LIMIT 100; and, as the
            product does, when fewer than 100 match and there are several words,
            an OR query fills up the rest. The lexical path and this one are
            timed again query by query in turn (so that the machine's load meets
            both alike), and the lexical/plain ratio of the medians and of the
            p95s of that run is reported. Target <= 1.5x.
  memory    peak RSS of this process (corpus build, model, indexes, queries),
            and its own memory at the end (RssAnon, without mapped files);
            the sizes of the lexical index (rows + FTS5 tables, or rows + GIN
            indexes), the stored vectors, and the in-memory vector index and
            postings copy.

--reuse measures the queries again on the corpus and index an earlier run left in
--data-dir (on PostgreSQL: in the database, which is then not dropped), without
building them: the build figures are those of that earlier run.

The machine's 2 cores are shared: figures move with other load; run it on a quiet
machine and say when it was not. --assets 5000 gives a quick run.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import resource
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/cc_bench_search"
LIMIT = 100
WARMUP = 20
CHUNK = 2_000
SEED = 20261121
BENCH_USER = "bench-searcher"
BENCH_OWNER = "bench-owner"
PASSWORD = "correct horse 42"
# Japanese words of the demo's Japanese listings (registry.demo.content), as queries.
JAPANESE_QUERIES = [
    "セルロースナノファイバー", "竹 バイオマス", "微細加工", "放電加工", "レーザー加工",
    "データセンター 冷却", "雪室", "ライセンス 契約", "海藻 ストロー", "量産化 失敗",
    "ナノファイバー", "省エネルギー 製造",
]


# ---- set-up ---------------------------------------------------------------------


def django_setup(data_dir: str, database_url: str | None) -> None:
    """Point the settings at a fresh data folder (and database), then migrate."""
    os.environ["CC_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "conceptcloud.config.settings"
    if database_url:
        os.environ["CC_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CC_DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def postgres_fresh(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def owners():
    """The benchmark's owner account, the demo organisations (held by it), and a
    signed-in searcher who belongs to none of them. Written through the services."""
    from conceptcloud.accounts.services import organisation_create, user_signup
    from conceptcloud.registry.demo.content import ORGANISATIONS

    owner = user_signup(username=BENCH_OWNER, email="bench-owner@example.org", password=PASSWORD)
    searcher = user_signup(username=BENCH_USER, email="bench-searcher@example.org", password=PASSWORD)
    orgs = {org.slug: organisation_create(actor=owner, data=org.data, slug=org.slug) for org in ORGANISATIONS}
    return owner, searcher, orgs


# ---- the corpus -------------------------------------------------------------------


def real_records() -> list:
    """The bundled demo sources as AssetData, read by the demo's own readers."""
    from django.utils import timezone

    from conceptcloud.registry.demo.content import DEMO_ASSETS
    from conceptcloud.registry.demo.sources import (
        merge_by_reference,
        nasa_patents,
        nasa_software,
        nasa_technologies,
        sbir_needs,
    )
    from conceptcloud.registry.services import AssetData

    nasa = merge_by_reference(nasa_technologies() + nasa_software() + nasa_patents(today=timezone.localdate()))
    records = [record.data for record in nasa]
    for need in sbir_needs():
        data = need.data
        records.append(AssetData(
            kind="idea",
            title=data.title[:300],
            summary=_shorten(data.description, 2000),
            details=data.description[:100_000],
            owner_org=data.seeker_org,
            sdgs=list(data.sdgs),
            countries_developed=list(data.countries),
            availability=["collaboration"],
            reference=f"SBIR:{data.reference}"[:80],
        ))  # fmt: skip
    records += [record.data for record in DEMO_ASSETS]
    return records


def _shorten(text: str, limit: int) -> str:
    from conceptcloud.registry.demo.sources import shorten

    return shorten(text, limit) or text[:limit]


_SENTENCE = re.compile(r"(?<=[.!?。])\s+")


def variant(number: int, base, other, rng: random.Random):
    """Generated record `number`: a clearly labelled mix of two real records."""
    from dataclasses import replace

    sentences = [s for s in _SENTENCE.split(base.summary) + _SENTENCE.split(other.summary) if s.strip()]
    rng.shuffle(sentences)
    summary = _shorten(" ".join(sentences), 2000)
    visibility = "confidential" if number % 20 == 0 else "members" if number % 20 == 1 else "public"
    return replace(
        base,
        title=f"[variant {number}] {base.title}"[:300],
        summary=summary or base.summary,
        visibility=visibility,
        reference=f"variant-{number}:{base.reference}"[:80],
    )


def corpus(size: int, seed: int = SEED) -> list:
    """`size` records: the real ones first, then labelled variants (see module)."""
    real = real_records()
    rng = random.Random(seed)
    records = real[:size]
    number = 0
    while len(records) < size:
        number += 1
        base = real[(number - 1) % len(real)]
        records.append(variant(number, base, rng.choice(real), rng))
    return records


def bulk_write(records: list, *, owner, orgs: dict) -> float:
    """Insert the records as published assets with their facet rows, in chunks;
    returns the seconds taken. Variants numbered 100k + 2 are drafts."""
    from django.db import transaction

    from conceptcloud.registry.models import Asset, AssetFacet

    started = time.perf_counter()
    for first in range(0, len(records), CHUNK):
        assets = []
        for data in records[first : first + CHUNK]:
            draft = data.reference.startswith("variant-") and int(data.reference[8:].split(":")[0]) % 100 == 2
            assets.append(Asset(
                kind=data.kind,
                title=data.title.strip(),
                summary=data.summary.strip(),
                details=data.details.strip(),
                language=data.language,
                owner_org=orgs.get(data.owner_org),
                owner_user=None if data.owner_org else owner,
                created_by=owner,
                visibility=data.visibility,
                status="draft" if draft else "published",
                trl=data.trl,
                sdgs=sorted(set(data.sdgs)),
                keywords=list(dict.fromkeys(k.strip() for k in data.keywords if k.strip())),
                countries_developed=list(data.countries_developed),
                availability=list(data.availability),
                reference=data.reference,
            ))  # fmt: skip
        with transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=500)
            facets = []
            for asset in assets:
                facets += [AssetFacet(asset=asset, name="sdg", value=str(n)) for n in asset.sdgs]
                facets += [AssetFacet(asset=asset, name="country", value=c) for c in asset.countries_developed]
                facets += [AssetFacet(asset=asset, name="availability", value=a) for a in asset.availability]
                facets += [AssetFacet(asset=asset, name="keyword", value=k.lower()[:40]) for k in asset.keywords]
            AssetFacet.objects.bulk_create(facets, batch_size=1000)
    return time.perf_counter() - started


def queries(records: list, count: int, seed: int = SEED) -> list[str]:
    """`count` distinct queries from the real records (see module), seeded."""
    rng = random.Random(seed + 1)
    real = [r for r in records if not r.reference.startswith("variant-")]
    if not any(r.reference.startswith("SBIR:") for r in real):  # a small corpus: ask from all real data
        real = real_records()
    english_titles = [r.title for r in real if r.language == "en" and not r.reference.startswith("SBIR:")]
    topic_titles = [r.title for r in real if r.reference.startswith("SBIR:")]
    chosen: list[str] = []
    seen: set[str] = set()

    def add(text: str) -> None:
        text = " ".join(text.split())
        if text and text.lower() not in seen:
            seen.add(text.lower())
            chosen.append(text)

    japanese = iter(rng.sample(JAPANESE_QUERIES, len(JAPANESE_QUERIES)))
    attempts = 0
    while len(chosen) < count and attempts < count * 50:
        attempts += 1
        slot = attempts % 10
        if slot == 9 and (word := next(japanese, None)):
            add(word)
        elif slot % 2 == 0 and english_titles:
            words = re.findall(r"[A-Za-z][A-Za-z0-9-]+", rng.choice(english_titles))
            if len(words) >= 2:
                n = rng.choice((2, 3))
                start = rng.randrange(max(1, len(words) - n + 1))
                add(" ".join(words[start : start + n]).lower())
        elif topic_titles:
            add(rng.choice(topic_titles))
    return chosen


# ---- the plain FTS5 baseline -------------------------------------------------------


def plain_build(path: Path) -> sqlite3.Connection:
    """A plain FTS5 table of the assets' raw text, in its own SQLite file."""
    from conceptcloud.registry.models import Asset

    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE plain USING fts5(title, keywords, summary, details, tokenize='porter unicode61')"
    )
    rows = Asset.objects.order_by("pk").values_list("pk", "title", "keywords", "summary", "details")
    batch = []
    for pk, title, keywords, summary, details in rows.iterator(chunk_size=CHUNK):
        batch.append((pk, title, " ".join(keywords), summary, details))
        if len(batch) >= CHUNK:
            connection.executemany("INSERT INTO plain(rowid, title, keywords, summary, details) VALUES (?,?,?,?,?)", batch)
            batch = []
    connection.executemany("INSERT INTO plain(rowid, title, keywords, summary, details) VALUES (?,?,?,?,?)", batch)
    connection.commit()
    return connection


_WORD = re.compile(r"\w+")


def plain_search(connection: sqlite3.Connection, query: str, limit: int = LIMIT) -> list:
    words = [w for w in _WORD.findall(query.lower())]
    if not words:
        return []
    sql = "SELECT rowid, bm25(plain) FROM plain WHERE plain MATCH ? ORDER BY bm25(plain) LIMIT ?"
    phrases = ['"' + w + '"' for w in words]
    hits = connection.execute(sql, (" AND ".join(phrases), limit)).fetchall()
    if len(hits) < limit and len(words) > 1:
        found = {rowid for rowid, _ in hits}
        more = connection.execute(sql, (" OR ".join(phrases), limit)).fetchall()
        hits += [hit for hit in more if hit[0] not in found][: limit - len(hits)]
    return hits


# ---- measuring ----------------------------------------------------------------------


def percentiles(durations: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    if len(durations) < 2:
        value = durations[0] * 1000 if durations else float("nan")
        return value, value
    cuts = statistics.quantiles(durations, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def timed(function, items: list) -> list[float]:
    durations = []
    for item in items:
        started = time.perf_counter()
        function(item)
        durations.append(time.perf_counter() - started)
    return durations


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory in MB now: all of it (VmRSS), or only its own
    (RssAnon: without the pages of files it maps, which the operating system shares
    and can drop: libraries, the model)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def storage_sizes() -> dict[str, float]:
    """MB on disk of the lexical index and of the stored vectors (database in use)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            sizes = dict(cursor.fetchall())
            lexical = sum(v for k, v in sizes.items() if k.startswith("discovery_lexical"))
            vectors = sum(v for k, v in sizes.items() if k.startswith("discovery_assetvector"))
            total = sum(sizes.values())
        else:
            def size(table: str) -> int:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                return cursor.fetchone()[0]

            lexical = size("discovery_lexicaldocument")
            vectors = size("discovery_assetvector")
            cursor.execute("SELECT pg_database_size(current_database())")
            total = cursor.fetchone()[0]
    return {"lexical": lexical / 2**20, "vectors": vectors / 2**20, "database": total / 2**20}


def vector_index_mb(cache) -> float:
    """Approximate memory of the process's asset vector index (matrix + HNSW graph)."""
    base = getattr(cache, "_base", None)
    if base is None:
        return float("nan")
    total = getattr(base, "_matrix", None).nbytes if hasattr(base, "_matrix") else 0
    graph = getattr(base, "_graph", None)
    if graph is not None:
        total += getattr(graph, "memory_usage", 0) or 0
    return total / 2**20


def postings_mb(copy) -> float:
    """Approximate memory of the process's postings copy (arrays + term dictionaries)."""
    base = getattr(copy, "_base", None)
    if base is None:
        return float("nan")
    total = 0
    for part in (base.whole, base.teaser):
        total += sum(value.nbytes for value in vars(part).values() if isinstance(value, np.ndarray))
        total += sys.getsizeof(part.terms) + sum(sys.getsizeof(term) for term in part.terms)
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=100_000, help="assets in the corpus (default 100,000)")
    parser.add_argument("--queries", type=int, default=300, help="distinct queries per path (default 300)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                        help="sqlite (default) or postgresql (CC_DATABASE_URL, else %s)" % DEFAULT_POSTGRES)
    parser.add_argument("--data-dir", default=None, help="data folder to use (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true",
                        help="query the corpus and index an earlier run left in --data-dir (no build)")
    args = parser.parse_args()
    if args.reuse and not args.data_dir:
        parser.error("--reuse needs --data-dir")
    # A stopped run still removes its temporary data folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; {os.cpu_count()} cores, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    database_url = None
    if args.database == "postgresql":
        database_url = os.environ.get("CC_DATABASE_URL") or DEFAULT_POSTGRES
        if not args.reuse:
            postgres_fresh(database_url)
    with tempfile.TemporaryDirectory(prefix="cc-bench-search-") as tmp:
        data_dir = Path(args.data_dir or tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        django_setup(str(data_dir), database_url)
        run(args, data_dir)


def run(args: argparse.Namespace, data_dir: Path) -> None:
    from django.db import connection

    from conceptcloud.discovery import index as vector_index
    from conceptcloud.discovery.embeddings import embed
    from conceptcloud.discovery.models import AssetVector, LexicalDocument
    from conceptcloud.discovery.selectors.lexical import assets_lexical_search
    from conceptcloud.discovery.services.indexing import index_rebuild
    from conceptcloud.registry.models import Asset

    print(f"database: {connection.vendor}; data folder {data_dir}")
    records = corpus(args.assets)
    if args.reuse:
        from django.contrib.auth import get_user_model

        searcher = get_user_model().objects.get(username=BENCH_USER)
        stored = Asset.objects.count()
        if stored != len(records):
            sys.exit(f"--reuse: the data folder holds {stored:,} assets, not {len(records):,}")
        indexed, vectors_stored, throughput = stored, AssetVector.objects.count(), float("nan")
        print(f"corpus and index reused: {stored:,} assets, {LexicalDocument.objects.count():,} lexical rows, "
              f"{vectors_stored:,} stored vectors (build figures: those of the run that built them)")
    else:
        owner, searcher, orgs = owners()
        real = sum(1 for r in records if not r.reference.startswith("variant-"))
        seconds = bulk_write(records, owner=owner, orgs=orgs)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: without it the planner
            # takes the new tables for nearly empty and picks plans for that.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"corpus: {len(records):,} assets ({real:,} real records, {len(records) - real:,} labelled variants) "
              f"bulk-written in {seconds:.1f} s")

        gc.collect()
        started = time.perf_counter()
        indexed = index_rebuild()
        index_seconds = time.perf_counter() - started
        vectors_stored = AssetVector.objects.count()
        lexical_rows = LexicalDocument.objects.count()
        throughput = indexed / index_seconds if index_seconds else float("nan")
        print(f"index_rebuild: {indexed:,} assets in {index_seconds:.1f} s = {throughput:,.1f} assets/s "
              f"({lexical_rows:,} lexical rows, {vectors_stored:,} stored vectors)")
        if vectors_stored < indexed:
            print(f"  NOTE: only {vectors_stored:,} of {indexed:,} assets have a stored vector: "
                  "the throughput does not include all embeddings")

        breakdown(min(2_000, indexed))

    cache = vector_index.asset_index_cache()
    started = time.perf_counter()
    cache.refresh()
    vector_build = time.perf_counter() - started
    print(f"vector index: {len(cache):,} vectors loaded and indexed in {vector_build:.1f} s "
          f"({type(getattr(cache, '_base', None)).__name__})")
    from conceptcloud.discovery.backends.base import postings_copy

    copy = postings_copy()
    started = time.perf_counter()
    copy.refresh()
    postings_build = time.perf_counter() - started
    print(f"postings copy: {len(copy):,} lexical rows read and their postings built in {postings_build:.1f} s "
          f"(~{postings_mb(copy):,.0f} MB in memory)")

    asked = queries(records, args.queries + WARMUP)
    warmup, measured = asked[:WARMUP], asked[WARMUP:]
    print(f"queries: {len(measured)} distinct (+{len(warmup)} warm-up), e.g. "
          + "; ".join(repr(q) for q in measured[:4]))

    from conceptcloud.discovery.selectors import search
    from conceptcloud.discovery.selectors.lexical import search_scope

    paths = {
        "lexical": lambda q: assets_lexical_search(user=searcher, query=q, limit=LIMIT),
        # The product's dense retriever: nearest stored vectors of the visible assets.
        "dense": lambda q: search._dense(
            search_scope(user=searcher), vector_index.query_vector(q), search.DENSE_LIMIT
        ),
        "hybrid": lambda q: search.assets_ranked(user=searcher, query=q, limit=LIMIT),
        "page": lambda q: search.assets_search(user=searcher, params=search.SearchParams(query=q)),
    }

    plain_file = data_dir / "plain-fts5.sqlite3"
    plain_file.unlink(missing_ok=True)
    plain = plain_build(plain_file)

    results: dict[str, tuple[float, float]] = {}
    # query_vector caches its last queries: emptied before each path, so that every
    # path embeds every measured query afresh, as for a new query.
    for name, function in paths.items():
        timed(function, warmup)
        vector_index._queries.clear()
        durations = timed(function, measured)
        results[name] = percentiles(durations)
        print(f"  {name:<11} p50 {results[name][0]:7.1f} ms   p95 {results[name][1]:7.1f} ms")
    # The ratio's two sides are timed query by query in turn, so that a change in
    # the machine's load meets both alike.
    timed(lambda q: plain_search(plain, q), warmup)
    ours, baseline_durations = [], []
    for query in measured:
        ours += timed(paths["lexical"], [query])
        baseline_durations += timed(lambda q: plain_search(plain, q), [query])
    results["lexical"] = percentiles(ours)
    results["plain FTS5"] = percentiles(baseline_durations)
    print(f"  lexical and plain FTS5 in turn: lexical p50 {results['lexical'][0]:.1f} ms, p95 "
          f"{results['lexical'][1]:.1f} ms; plain p50 {results['plain FTS5'][0]:.1f} ms, p95 "
          f"{results['plain FTS5'][1]:.1f} ms")
    embed_only = percentiles(timed(lambda q: embed([q]), measured[: min(100, len(measured))]))
    print(f"  (query embedding alone: p50 {embed_only[0]:.1f} ms, p95 {embed_only[1]:.1f} ms)")

    sizes = storage_sizes()
    plain_mb = (data_dir / "plain-fts5.sqlite3").stat().st_size / 2**20
    memory = {"peak": peak_rss_mb(), "now": rss_mb(), "own": rss_mb("RssAnon"), "vector index": vector_index_mb(cache),
              "postings": postings_mb(copy)}
    print(f"memory: peak RSS {memory['peak']:,.0f} MB, RSS now {memory['now']:,.0f} MB, of which "
          f"{memory['own']:,.0f} MB the process's own (the rest: pages of mapped files); "
          f"vector index in memory ~{memory['vector index']:,.0f} MB, postings copy ~{memory['postings']:,.0f} MB; on disk: lexical index "
          f"{sizes['lexical']:,.0f} MB, stored vectors {sizes['vectors']:,.0f} MB, whole database "
          f"{sizes['database']:,.0f} MB (plain FTS5 file {plain_mb:,.0f} MB)")

    lexical, baseline = results["lexical"], results["plain FTS5"]
    rows = [] if args.reuse else [
        ("index build incl. embeddings", f"{throughput:,.1f} assets/s", ">= 150/s", verdict(throughput >= 150 and vectors_stored >= indexed)),
    ]
    rows += [
        ("lexical p50 / p95", f"{lexical[0]:.1f} / {lexical[1]:.1f} ms", "-", "-"),
        ("dense p50 / p95", f"{results['dense'][0]:.1f} / {results['dense'][1]:.1f} ms", "-", "-"),
    ]
    if "hybrid" in results:
        rows.append(("hybrid p50 / p95", f"{results['hybrid'][0]:.1f} / {results['hybrid'][1]:.1f} ms", "p95 < 50 ms",
                     verdict(results["hybrid"][1] < 50)))
        rows.append(("search page p50 / p95", f"{results['page'][0]:.1f} / {results['page'][1]:.1f} ms", "-", "-"))
    ratio50, ratio95 = lexical[0] / baseline[0], lexical[1] / baseline[1]
    rows += [
        ("plain FTS5 p50 / p95", f"{baseline[0]:.1f} / {baseline[1]:.1f} ms", "-", "-"),
        ("lexical / plain FTS5, p50", f"{ratio50:.2f}x", "<= 1.5x", verdict(ratio50 <= 1.5)),
        ("lexical / plain FTS5, p95", f"{ratio95:.2f}x", "<= 1.5x", verdict(ratio95 <= 1.5)),
        ("peak RSS", f"{memory['peak']:,.0f} MB", "-", "-"),
        ("RSS now, the process's own", f"{memory['own']:,.0f} MB", "-", "-"),
    ]
    print(f"\n{len(records):,} assets, {connection.vendor}, {len(measured)} queries")
    print(f"{'figure':<32}{'value':>22}  {'target':<12}result")
    for name, value, target, result in rows:
        print(f"{name:<32}{value:>22}  {target:<12}{result}")


def breakdown(size: int) -> None:
    """Where index time goes, on `size` assets spread over the corpus: the model
    alone (embed of asset_vector_text), and the lexical analysis alone."""
    from conceptcloud.discovery.embeddings import embed
    from conceptcloud.discovery.services.indexing import asset_lexical_row, asset_vector_text
    from conceptcloud.registry.models import Asset

    ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // size)
    sample = list(Asset.objects.filter(pk__in=ids[::step][:size]))
    texts = [asset_vector_text(asset) for asset in sample]
    started = time.perf_counter()
    embed(texts)
    model_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for asset in sample:
        asset_lexical_row(asset)
    lexical_rate = len(sample) / (time.perf_counter() - started)
    print(f"  breakdown on {len(sample):,} assets: embedding alone {model_rate:,.1f} texts/s; "
          f"lexical analysis alone {lexical_rate:,.1f} assets/s")


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
