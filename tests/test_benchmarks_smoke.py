"""The search benchmarks' labelled data and helpers, checked without running them
(benchmarks/search.py and benchmarks/quality.py print figures; no timings here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _module(name: str):
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (BENCHMARKS / "data" / name).read_text(encoding="utf-8").splitlines()]


def test_sdg_labels_name_real_goals_and_never_use_the_un_text_as_items():
    items = _jsonl("sdg_labels.jsonl")
    assert len(items) == 84
    assert len({item["id"] for item in items}) == len(items)
    assert len({item["text"] for item in items}) == len(items)
    assert all(all(1 <= goal <= 17 for goal in item["sdgs"]) and len(item["sdgs"]) <= 3 for item in items)
    assert sum(1 for item in items if item["sdgs"]) == 56

    from conceptcloud.discovery.sdg import goals

    un_text = {goal.title for goal in goals()} | {target.title for goal in goals() for target in goal.targets}
    assert not any(item["text"] in un_text or any(t in item["text"] for t in un_text) for item in items)


def test_retrieval_labels_point_only_at_listings_of_the_benchmark_corpus():
    quality = _module("quality")
    queries = _jsonl("retrieval_queries.jsonl")
    held_out = {query["held_out"] for query in queries}
    corpus = {record.reference for record in quality.quality_corpus(held_out)}
    assert len(queries) == 242
    assert not held_out & corpus
    for query in queries:
        assert query["query"].strip()
        assert set(query["relevant"]) <= corpus, query["id"]
        assert set(query["relevant"].values()) <= {1, 2}


def test_ndcg_and_recall_reward_the_relevant_listings_first():
    quality = _module("quality")
    relevant = {"a": 2, "b": 1}
    assert quality.ndcg(["a", "b", "x"], relevant) == pytest.approx(1.0)
    assert quality.ndcg(["x", "y"], relevant) == 0.0
    assert 0 < quality.ndcg(["b", "a"], relevant) < 1
    assert quality.recall_capped(["x", "b"], relevant) == pytest.approx(0.5)
    assert quality.recall(["b"], relevant) == pytest.approx(0.5)


def test_the_generated_corpus_keeps_every_real_record_and_labels_each_variant():
    search = _module("search")
    real = search.real_records()
    records = search.corpus(len(real) + 50)
    assert records[: len(real)] == real
    variants = records[len(real) :]
    assert len(variants) == 50
    assert all(v.title.startswith("[variant ") and v.reference.startswith("variant-") for v in variants)
    assert {v.visibility for v in variants} == {"public", "members", "confidential"}


def test_the_payouts_benchmark_shapes_have_the_size_it_prints_and_are_allocated_to_the_unit():
    payouts = _module("payouts")
    for build in (payouts.wide, payouts.deep, payouts.chains):
        graph = build(2000)
        assert payouts.describe(graph)[0] == 2000
        lines = payouts.allocate(asset_id=0, amount=payouts.REVENUE, graph=graph)
        assert sum(line.amount for line in lines) == payouts.REVENUE


@pytest.mark.django_db(transaction=True)
def test_the_payouts_benchmark_records_revenue_through_the_services_and_the_ledger_balances():
    payouts = _module("payouts")
    assert payouts.phase_events(graph_assets=12, events=5)["balanced"]
