"""Build retrieval_queries.jsonl, the labelled retrieval set of benchmarks/quality.py.

    .venv/bin/python benchmarks/data/build_retrieval.py

Deterministic (seeded); reads only the NASA T2 portfolio bundled with the demo
(conceptcloud/registry/data/demo/nasa_t2_portfolio). See README.md for the rule.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "conceptcloud" / "registry" / "data" / "demo" / "nasa_t2_portfolio"
OUT = HERE / "retrieval_queries.jsonl"
SEED = 4242
HELD_OUT = 60  # per source
OPENING_WORDS = 40


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _opening(text: str) -> str:
    """The text's first sentence, at most OPENING_WORDS words."""
    text = re.sub(r"\s+", " ", text).strip()
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
    return " ".join(first.split()[:OPENING_WORDS])


def _rows(name: str, body: str) -> list[dict]:
    with gzip.open(SOURCE / name, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out = []
    for row in rows:
        out.append({
            "reference": row["case_number"].strip(),
            "title": re.sub(r"\s+", " ", row["title"]).strip(),
            "body": row[body],
            "category": _norm(row["category"]),
            "subcategory": _norm(row.get("subcategory", "")),
        })  # fmt: skip
    return out


def main() -> None:
    sources = {
        "patent": _rows("nasa_t2_patent.jsonl.gz", "abstract"),
        "software": _rows("nasa_t2_software.jsonl.gz", "description"),
    }
    everything = [row for rows in sources.values() for row in rows]
    counts = Counter(row["reference"] for row in everything)
    # A case number listed twice cannot be told apart in the corpus: left out.
    unique = {row["reference"]: row for row in everything if counts[row["reference"]] == 1 and row["category"]}
    rng = random.Random(SEED)
    held: list[tuple[str, dict]] = []
    for source, rows in sources.items():
        candidates = sorted(row["reference"] for row in rows if row["reference"] in unique)
        held += [(source, unique[ref]) for ref in rng.sample(candidates, HELD_OUT)]
    held_refs = {row["reference"] for _, row in held}
    corpus = [row for ref, row in unique.items() if ref not in held_refs]
    lines = []
    for source, row in held:
        relevant = {}
        for other in corpus:
            if other["category"] == row["category"]:
                same_sub = row["subcategory"] and other["subcategory"] == row["subcategory"]
                relevant[other["reference"]] = 2 if same_sub else 1
        for form, query in (("title", row["title"]), ("opening", _opening(row["body"]))):
            lines.append({
                "id": f"{source}-{form}-{row['reference']}",
                "set": f"nasa-{source}/{form}",
                "query": query,
                "held_out": row["reference"],
                "category": row["category"],
                "relevant": dict(sorted(relevant.items())),
            })  # fmt: skip
    # Stated links in the demo's hand-written content: a listing or need whose own
    # text names the listing it builds on (registry/demo/content.py).
    lines.append({
        "id": "stated-DEMO-TLO-N01",
        "set": "stated-link/ja",
        "query": "竹 CNF 製造技術の事業化パートナーを募集します",
        "held_out": "DEMO-TLO-N01",
        "category": "",
        "relevant": {"DEMO-TLO-001": 2},
    })
    lines.append({
        "id": "stated-DEMO-INV-003",
        "set": "stated-link/en",
        "query": "Gear bearings for small run-of-river hydro turbines",
        "held_out": "DEMO-INV-003",
        "category": "",
        "relevant": {"GSC-TOPS-12": 2},
    })
    with OUT.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} queries written to {OUT.name}; held out {len(held)} listings; corpus {len(corpus)} "
          f"labelled listings")


if __name__ == "__main__":
    main()
