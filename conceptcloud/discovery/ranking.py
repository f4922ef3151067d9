"""Rank fusion: several ranked lists of ids → one ranking (pure; no Django).

    fuse(lists, weights=, k=60, limit=)   weighted reciprocal-rank fusion → [Fused]
    Fused(id, score, ranks)               one fused result; ranks[i] is its 1-based
                                          rank in lists[i], None where absent
    FIELD_BOOSTS                          how much a match in each field counts
    fuse_fields(by_field, boosts=, ...)   fusion of per-field lists, weighted by boost

Reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009) scores an id by
the sum over the lists of weight / (k + rank). It needs no calibration between
the lists' own scores (BM25 and cosine similarity are on different scales), and
k = 60 damps the difference between the first few ranks as in the paper.

Determinism: scores are summed with math.fsum (correctly rounded, so the order of
the lists does not change a score), and equal scores are ordered by ascending id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

RRF_K = 60

# Title and keywords say what an asset is; a match in the long details counts least.
FIELD_BOOSTS: Mapping[str, float] = MappingProxyType({
    "title": 3.0,
    "keywords": 2.0,
    "summary": 1.5,
    "details": 1.0,
})


@dataclass(frozen=True, slots=True)
class Fused:
    id: int
    score: float
    ranks: tuple[int | None, ...]


def fuse(
    lists: Sequence[Sequence[int]],
    *,
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
    limit: int | None = None,
) -> list[Fused]:
    """The ids of all lists, best first, by weighted reciprocal-rank fusion.

    Each list is ranked best first; an id's rank in a list is its 1-based position,
    and a repeated id keeps its first (best) rank. score(id) = fsum of
    weights[i] / (k + rank_i(id)) over the lists that hold it. Ties → ascending id.
    weights defaults to 1.0 for every list; each weight must be finite and >= 0,
    k must be >= 0, limit (when given) >= 0. Raises ValueError otherwise.
    """
    if weights is None:
        weights = [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(weights)} weights for {len(lists)} lists")
    if any(not math.isfinite(w) or w < 0 for w in weights):
        raise ValueError("weights must be finite and non-negative")
    if k < 0:
        raise ValueError("k must be non-negative")
    if limit is not None and limit < 0:
        raise ValueError("limit must be non-negative")

    ranks: dict[int, list[int | None]] = {}
    for position, ranked in enumerate(lists):
        for rank, item in enumerate(ranked, start=1):
            slots = ranks.setdefault(item, [None] * len(lists))
            if slots[position] is None:
                slots[position] = rank

    fused = [
        Fused(
            id=item,
            score=math.fsum(weights[i] / (k + rank) for i, rank in enumerate(slots) if rank is not None),
            ranks=tuple(slots),
        )
        for item, slots in ranks.items()
    ]
    fused.sort(key=lambda f: (-f.score, f.id))
    return fused if limit is None else fused[:limit]


def fuse_fields(
    by_field: Mapping[str, Sequence[int]],
    *,
    boosts: Mapping[str, float] = FIELD_BOOSTS,
    k: int = RRF_K,
    limit: int | None = None,
) -> list[Fused]:
    """fuse() of one ranked list per field, each weighted by its field's boost.

    Fused.ranks follow the order of by_field. A field without a boost raises
    ValueError (a misspelt field would otherwise count for nothing, silently).
    """
    unknown = sorted(set(by_field) - set(boosts))
    if unknown:
        raise ValueError(f"no boost for field(s): {', '.join(unknown)}")
    return fuse(list(by_field.values()), weights=[boosts[field] for field in by_field], k=k, limit=limit)
