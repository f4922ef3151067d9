"""Search and SDG-suggestion quality on labelled real data.

    .venv/bin/python benchmarks/quality.py [--database sqlite|postgresql] [--data-dir DIR]

Retrieval. The labelled set is benchmarks/data/retrieval_queries.jsonl (built by
benchmarks/data/build_retrieval.py; README.md there says how): 60 NASA
technologies for licence and 60 NASA software releases held out at random, each
asked twice — by its title ("title") and by its description's first sentence
("opening") — against a corpus of the rest of the NASA T2 portfolio as the demo
loads it (registry.demo.sources, about 1,450 listings, plus the hand-written demo
listings). A listing of the same NASA category is relevant (gain 1), of the same
category and subcategory more so (gain 2); the held-out listing itself is not in
the corpus. Two "stated-link" queries (a Japanese need and an English idea whose
own text names the listing they build on) are reported apart: two queries are an
anecdote, not a figure.

The corpus is bulk-written into a fresh database and indexed by
`services.indexing.index_rebuild()`; each query is then asked through the
product's own paths, as a signed-in person of no organisation:

  lexical   selectors.lexical.assets_lexical_search (limit 100)
  dense     the dense retriever of selectors.search (nearest stored vectors of
            the visible assets, cosine >= DENSE_MIN)
  hybrid    selectors.search.assets_ranked (the two fused by reciprocal rank)
  random    the corpus in a seeded random order (what chance gives)

Figures: nDCG@10 (graded gains 2^g - 1, ideal from every relevant listing in the
corpus); recall@10 of min(R, 10) (relevant in the top 10 over min(R, 10): the
share of the first page that could be relevant and is; with categories of
30-300 listings, recall over all R would say nothing at 10); recall@100 over
all R.

SDG suggestion. benchmarks/data/sdg_labels.jsonl: 84 short need and technology
texts (SBIR/STTR topics, NASA T2 listings) labelled with SDG goals by reading
(README.md gives the rule); 56 have at least one goal, 28 none. The suggester
(discovery.sdg.suggest, built from the UN goal/target/indicator text only) is
asked for each text:

  top-1 / top-3 hit   the first / any of its suggestions is a labelled goal
                      (over the 56 labelled texts)
  precision, recall   of the suggested goals against the labelled goals, summed
                      over all 84 texts (a suggestion for a text labelled with
                      no goal counts against precision)
  no goal → none      texts labelled with no goal that get no suggestion
  majority baseline   always suggesting the most frequent labelled goal
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import search as bench  # noqa: E402  (benchmarks/search.py: set-up and corpus helpers)

RETRIEVAL = HERE / "data" / "retrieval_queries.jsonl"
SDG_LABELS = HERE / "data" / "sdg_labels.jsonl"
K = 10
DEPTH = 100
SEED = 77


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ndcg(ranking: list[str], relevant: dict[str, int], k: int = K) -> float:
    gains = [2 ** relevant.get(ref, 0) - 1 for ref in ranking[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_capped(ranking: list[str], relevant: dict[str, int], k: int = K) -> float:
    return sum(1 for ref in ranking[:k] if ref in relevant) / min(len(relevant), k) if relevant else 0.0


def recall(ranking: list[str], relevant: dict[str, int], k: int = DEPTH) -> float:
    return sum(1 for ref in ranking[:k] if ref in relevant) / len(relevant) if relevant else 0.0


def paired_interval(a: list[float], b: list[float], rounds: int = 2_000) -> tuple[float, float]:
    """95% bootstrap interval of mean(a - b) over queries resampled together."""
    rng = random.Random(SEED)
    differences = [x - y for x, y in zip(a, b, strict=True)]
    means = sorted(statistics.mean(rng.choices(differences, k=len(differences))) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def quality_corpus(held_out: set[str]) -> list:
    """The NASA T2 portfolio as the demo loads it, and the hand-written demo
    listings, without the held-out listings."""
    from conceptcloud.registry.demo.content import DEMO_ASSETS
    from conceptcloud.registry.demo.sources import merge_by_reference, nasa_software, nasa_technologies

    records = [r.data for r in merge_by_reference(nasa_technologies() + nasa_software())]
    records += [r.data for r in DEMO_ASSETS]
    return [r for r in records if r.reference not in held_out]


def retrieval(searcher, queries: list[dict]) -> dict[str, dict[str, list[float]]]:
    """Per method and set: the per-query figures."""
    from conceptcloud.discovery.index import query_vector
    from conceptcloud.discovery.selectors import search
    from conceptcloud.discovery.selectors.lexical import assets_lexical_search, search_scope
    from conceptcloud.registry.models import Asset

    reference = dict(Asset.objects.values_list("pk", "reference"))
    everything = sorted(reference)
    rng = random.Random(SEED)
    methods = {
        "lexical": lambda q: [pk for pk, _ in assets_lexical_search(user=searcher, query=q, limit=DEPTH)],
        "dense": lambda q: [pk for pk, _ in search._dense(search_scope(user=searcher), query_vector(q), DEPTH)],
        "hybrid": lambda q: [r.id for r in search.assets_ranked(user=searcher, query=q)[:DEPTH]],
        "random": lambda q: rng.sample(everything, DEPTH),
    }
    figures: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rankings: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for method, function in methods.items():
        for query in queries:
            ranking = [reference[pk] for pk in function(query["query"])]
            rankings[method][query["id"]] = ranking
            if query["set"].startswith("stated"):
                continue  # reported as ranks (see run)
            for group in (query["set"], "all"):
                figures[(method, group)]["ndcg"].append(ndcg(ranking, query["relevant"]))
                figures[(method, group)]["recall10"].append(recall_capped(ranking, query["relevant"]))
                figures[(method, group)]["recall100"].append(recall(ranking, query["relevant"]))
    return figures, rankings


def sdg_accuracy(items: list[dict]) -> dict[str, float]:
    from conceptcloud.discovery.sdg import suggest

    top1 = top3 = labelled = 0
    hits = suggested = wanted = 0
    empty_right = empty = 0
    sizes = []
    for item in items:
        goals = [s.goal for s in suggest(item["text"])]
        truth = set(item["sdgs"])
        sizes.append(len(goals))
        hits += len(set(goals) & truth)
        suggested += len(goals)
        wanted += len(truth)
        if truth:
            labelled += 1
            top1 += bool(goals) and goals[0] in truth
            top3 += bool(set(goals[:3]) & truth)
        else:
            empty += 1
            empty_right += not goals
    majority = Counter(g for item in items for g in item["sdgs"]).most_common(1)[0][0]
    base_hits = sum(1 for item in items if majority in item["sdgs"])
    return {
        "items": len(items), "labelled": labelled,
        "top1": top1 / labelled, "top3": top3 / labelled,
        "precision": hits / suggested if suggested else float("nan"), "recall": hits / wanted,
        "none_right": empty_right / empty if empty else float("nan"), "none": empty,
        "mean_suggested": statistics.mean(sizes),
        "majority": majority, "majority_top1": base_hits / labelled,
        "majority_precision": base_hits / len(items), "majority_recall": base_hits / wanted,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--data-dir", default=None, help="data folder to use (default: a temporary one)")
    args = parser.parse_args()
    # A stopped run still removes its temporary data folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    database_url = None
    if args.database == "postgresql":
        database_url = os.environ.get("CC_DATABASE_URL") or bench.DEFAULT_POSTGRES.replace("search", "quality")
        bench.postgres_fresh(database_url)
    with tempfile.TemporaryDirectory(prefix="cc-bench-quality-") as tmp:
        data_dir = Path(args.data_dir or tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        bench.django_setup(str(data_dir), database_url)
        run()


def run() -> None:
    from django.db import connection

    from conceptcloud.discovery.services.indexing import index_rebuild

    queries = _jsonl(RETRIEVAL)
    held_out = {q["held_out"] for q in queries}
    owner, searcher, orgs = bench.owners()
    records = quality_corpus(held_out)
    bench.bulk_write(records, owner=owner, orgs=orgs)
    started = time.perf_counter()
    index_rebuild()
    print(f"corpus: {len(records):,} listings on {connection.vendor}, indexed in {time.perf_counter() - started:.0f} s; "
          f"{len(queries)} queries ({len(held_out)} held-out listings)")

    figures, rankings = retrieval(searcher, queries)
    groups = sorted({group for _method, group in figures}, key=lambda g: (g == "all", g))
    print(f"\nretrieval: nDCG@{K} / recall@{K} of min(R,{K}) / recall@{DEPTH}")
    print(f"{'set':<26}{'n':>4}  " + "".join(f"{m:>22}" for m in ("lexical", "dense", "hybrid", "random")))
    for group in groups:
        n = len(figures[("lexical", group)]["ndcg"])
        cells = []
        for method in ("lexical", "dense", "hybrid", "random"):
            f = figures[(method, group)]
            cells.append(f"{statistics.mean(f['ndcg']):.3f} / {statistics.mean(f['recall10']):.3f} / "
                         f"{statistics.mean(f['recall100']):.3f}")
        print(f"{group:<26}{n:>4}  " + "".join(f"{c:>22}" for c in cells))
    for better, worse in (("hybrid", "lexical"), ("hybrid", "dense"), ("dense", "lexical")):
        low, high = paired_interval(figures[(better, "all")]["ndcg"], figures[(worse, "all")]["ndcg"])
        print(f"  nDCG@{K} {better} - {worse}, all: {statistics.mean(figures[(better, 'all')]['ndcg']) - statistics.mean(figures[(worse, 'all')]['ndcg']):+.3f} "
              f"(95% paired bootstrap interval {low:+.3f} to {high:+.3f})")
    for query in (q for q in queries if q["set"].startswith("stated")):
        wanted = next(iter(query["relevant"]))
        places = {m: (rankings[m][query["id"]].index(wanted) + 1 if wanted in rankings[m][query["id"]] else None)
                  for m in ("lexical", "dense", "hybrid")}
        print(f"  stated link {query['query']!r} → {wanted}: rank " +
              ", ".join(f"{m} {p if p else '-'}" for m, p in places.items()))

    sdg = sdg_accuracy(_jsonl(SDG_LABELS))
    print(f"\nSDG suggestion on {sdg['items']} labelled texts ({sdg['labelled']} with goals, {sdg['none']} with none); "
          f"{sdg['mean_suggested']:.2f} goals suggested per text on average")
    print(f"{'figure':<34}{'suggester':>10}{'majority (goal ' + str(sdg['majority']) + ')':>24}")
    print(f"{'top-1 hit rate':<34}{sdg['top1']:>10.3f}{sdg['majority_top1']:>24.3f}")
    print(f"{'top-3 hit rate':<34}{sdg['top3']:>10.3f}{sdg['majority_top1']:>24.3f}")
    print(f"{'precision of suggested goals':<34}{sdg['precision']:>10.3f}{sdg['majority_precision']:>24.3f}")
    print(f"{'recall of labelled goals':<34}{sdg['recall']:>10.3f}{sdg['majority_recall']:>24.3f}")
    print(f"{'no goal → no suggestion':<34}{sdg['none_right']:>10.3f}{0.0:>24.3f}")


if __name__ == "__main__":
    main()
