"""Reputation of people and assets: credit flowing over the whole graph, damped against spam (pure; no Django).

    Praise(person, asset, at, strength)   one praise or review of an asset, before any rule
    Person(id, joined, active, organisations)
    Asset(id, owner_person, owner_organisation, contributors, parents)
    trust(joined=, now=, active=)         a person's seed trust, 0..1
    praise_weights(praises=, people=, assets=, now=)
                                          → [Weighted(praise, weight, reason)], one per praise,
                                          in input order: the anti-spam rules
    reputation(people=, assets=, weighted=, now=, damping=, tolerance=, max_iterations=)
                                          → Result: scores (mean 1 per kind), mass per kind,
                                          iterations, converged, explanations
    Inflow(kind, source, share, count)    one line of a node's explanation

The graph (credit flow as in SourceCred, i.e. PageRank with a chosen teleport
vector). Nodes are people and assets. Every node sends its reputation along its
out-edges, normalised to sum 1:

    person → asset  ENDORSE    each counted praise or review, by its weight
    person → asset  AUTHOR     each contribution, by share_bp / 10000
                               (a person with both kinds sends ENDORSE_SHARE of its
                               mass along its praise and the rest along its
                               contributions; with one kind, all along it)
    asset → person  CREDIT     to its contributors by share_bp: CONTRIBUTOR_SHARE of
                               its mass when it has parents, all of it otherwise; with
                               no contributors, to its owner person
    asset → asset   BUILT_ON   the rest (1 − CONTRIBUTOR_SHARE) to its parents, by
                               royalty_bp (equally when every royalty is 0); all of it
                               when the asset has parents but nobody to credit

    x = (1 − d)·s + d·(Mᵀx + dangling(x)·s)

is iterated from x = s until the L1 change is below `tolerance`. The teleport
(seed) vector s is trust(person) normalised over people; assets get no seed.
Mass at a dangling node (a person with no counted praise and no contribution,
an asset with no contributor, owner person or parent) goes back along s. s sums to 1,
so x does: `person_mass + asset_mass == 1`. If nobody has trust yet (a new
platform) s is uniform over active people; with no active person it is 0 and
so is every score. Contributors, owners and parents that are not among the
given people and assets are left out (their share is spread over the rest).

Scores are scaled per kind so that their mean is 1.0 (2.0 is twice the average
person, or asset); raw = score × mass / count. Explanations: for every node with
a score above 0, its top INFLOWS (3) sources of raw score, as shares of it:
"seed" (its teleport, the dangling mass included), "endorse" (all praise of an
asset merged into one line; `count` says how many praises carried credit),
"author", "credit", "built_on" (from the asset whose node is `source`). The
explanation is computed from the last two iterates, so a node's inflows sum
to its raw score to rounding and the shares to at most 1.

The anti-spam rules, and why. SourceCred's credit graph was worn down by spam
reactions and Sybil accounts: every account, however new, could mint credit by
reacting, and rings of accounts reacting to one another grew credit out of
nothing. Here:

  trust seeding     only established accounts create reputation: trust is 0 for
                    an account younger than NEW_ACCOUNT_DAYS (7) and for a
                    suspended one, rising linearly to 1 at ESTABLISHED_DAYS (90).
                    Reputation flows only from the seed (TrustRank), so a ring of
                    fresh accounts praising each other mints nothing: it holds
                    only what established people send into it, and since every
                    step returns 1 − d to the seed, at most 1/(1 − d) times that.
  "own"             praise of an asset by one of its contributors or its owner
                    person counts 0: self-praise says nothing, and the AUTHOR
                    edge already links them.
  "same_organisation"
                    praise by a member of the owning organisation counts 0: an
                    organisation cannot raise its own assets by asking its staff.
  "burst"           BURST_SIZE (5) or more praises of one asset within
                    BURST_WINDOW (24 h) by accounts younger than
                    BURST_ACCOUNT_DAYS (30) at the time of praise all count 0:
                    the signature of a bought or scripted campaign. (Praise
                    already at 0 by "own" or "same_organisation" is not counted
                    towards the BURST_SIZE.)
  "pair_cap"        one person's praises of the assets of one owner (owner
                    person, or owning organisation; an asset with neither is its
                    own owner) count at most PAIR_CAP (3) in all: each of n > 3
                    gets strength × PAIR_CAP / n, so friends praising everything
                    a friend makes carry as much as three praises.
  "unknown"         a praise by a person or of an asset not given counts 0.
  "counted"         otherwise the praise counts its strength (1 for praise; for
                    a review the caller maps its mean score to 0..1).

The rules are checked in that order (unknown, own, same_organisation, burst,
pair_cap); the first that applies gives the reason. Each praise is judged at
its own time, or at `now` if it is dated later.

Cost: praise_weights is one pass over the praises plus sorts; reputation
builds integer arrays of the edges once (duplicate edges merged) and each
iteration is a gather and a np.bincount over them. Node indices follow the
sorted ids, so the result does not depend on the order of the input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DAY = 86_400.0  # seconds
NEW_ACCOUNT_DAYS = 7  # younger: no trust, mints nothing
ESTABLISHED_DAYS = 90  # older: full trust
BURST_ACCOUNT_DAYS = 30  # younger at the time of praise: counted towards a burst
BURST_SIZE = 5  # this many praises of one asset by young accounts...
BURST_WINDOW = DAY  # ...within this many seconds are a burst
PAIR_CAP = 3  # one person's praises of one owner's assets count at most this much
ENDORSE_SHARE = 0.5  # of a person who both praises and contributes, the part that follows praise
CONTRIBUTOR_SHARE = 0.8  # of an asset with parents, the part that goes to its contributors
INFLOWS = 3  # lines in an explanation
WHOLE = 10_000  # basis points in 100%

REASONS = ("unknown", "own", "same_organisation", "burst", "pair_cap", "counted")

_ENDORSE, _AUTHOR, _CREDIT, _BUILT_ON, _SEED = range(5)
_KIND_NAMES = ("endorse", "author", "credit", "built_on", "seed")


@dataclass(frozen=True, slots=True)
class Praise:
    """One praise or review of an asset by a person, before any rule.

    at: unix seconds. strength: 1.0 for praise; for a review its mean score
    mapped to 0..1 by the caller ((mean − 1) / 4).
    """

    person: int
    asset: int
    at: float
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class Person:
    """joined: unix seconds. active: False for a suspended person (no trust)."""

    id: int
    joined: float
    active: bool = True
    organisations: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Asset:
    """An asset and its links.

    Exactly one of owner_person and owner_organisation is normally set.
    contributors: (person id, share_bp), shares summing to 10000 (the caller
    supplies the registrant when none are recorded); may be empty.
    parents: (parent asset id, royalty_bp), approved derivation links only.
    """

    id: int
    owner_person: int | None
    owner_organisation: int | None
    contributors: tuple[tuple[int, int], ...]
    parents: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Weighted:
    """A praise after the rules: weight is what it counts in the graph, reason one of REASONS."""

    praise: Praise
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class Inflow:
    """One source of a node's raw score.

    kind: "seed", "endorse", "author", "credit" or "built_on". source: the node it
    came from, ("person", id) or ("asset", id); None for "seed" and for the
    merged "endorse" line. share: the fraction of the node's raw score, 0..1.
    count: how many praises a merged "endorse" line stands for (1 otherwise).
    """

    kind: str
    source: tuple[str, int] | None
    share: float
    count: int = 1


@dataclass(frozen=True)
class Result:
    """Scores per person and per asset id, each kind scaled to mean 1.0 (all 0.0 when its raw sum is 0).

    person_mass, asset_mass: the raw reputation held by all people and by all
    assets; they sum to 1 whenever anyone has a seed (0 otherwise). A node's
    raw score is score × mass / (number of nodes of its kind).
    explanations: ("person" | "asset", id) → its top Inflows, largest first,
    for every node whose score is above 0.
    """

    person_scores: dict[int, float]
    asset_scores: dict[int, float]
    person_mass: float
    asset_mass: float
    iterations: int
    converged: bool
    explanations: dict[tuple[str, int], list[Inflow]]


def trust(*, joined: float, now: float, active: bool) -> float:
    """Seed trust in 0..1: 0 when suspended or younger than NEW_ACCOUNT_DAYS, then
    rising linearly to 1 at ESTABLISHED_DAYS."""
    if not active:
        return 0.0
    days = (now - joined) / DAY
    if days < NEW_ACCOUNT_DAYS:
        return 0.0
    return min(1.0, (days - NEW_ACCOUNT_DAYS) / (ESTABLISHED_DAYS - NEW_ACCOUNT_DAYS))


def _trusts(joined: np.ndarray, active: np.ndarray, now: float) -> np.ndarray:
    """trust() over arrays."""
    days = (now - joined) / DAY
    ramp = np.clip((days - NEW_ACCOUNT_DAYS) / (ESTABLISHED_DAYS - NEW_ACCOUNT_DAYS), 0.0, 1.0)
    return np.where(active & (days >= NEW_ACCOUNT_DAYS), ramp, 0.0)


# The rules ----------------------------------------------------------------------------------


def praise_weights(
    *, praises: Sequence[Praise], people: Mapping[int, Person], assets: Mapping[int, Asset], now: float
) -> list[Weighted]:
    """Apply the anti-spam rules (module docstring) to every praise.

    Returns one Weighted per praise, in input order. A praise's weight and
    reason do not depend on the order of the input.
    """
    count = len(praises)
    reasons = ["unknown"] * count
    # Praises that pass "unknown", "own" and "same_organisation": their position,
    # asset, time, whether the praiser was young, and the owner their pair-cap group is.
    standing: list[int] = []
    on_asset: list[int] = []
    times: list[float] = []
    young: list[bool] = []
    groups: list[tuple[int, int, int]] = []
    young_before = BURST_ACCOUNT_DAYS * DAY
    for i, praise in enumerate(praises):
        person = people.get(praise.person)
        asset = assets.get(praise.asset)
        if person is None or asset is None:
            continue
        praiser = praise.person
        if praiser == asset.owner_person or any(contributor == praiser for contributor, _ in asset.contributors):
            reasons[i] = "own"
            continue
        organisation = asset.owner_organisation
        if organisation is not None and organisation in person.organisations:
            reasons[i] = "same_organisation"
            continue
        at = min(praise.at, now)
        standing.append(i)
        on_asset.append(praise.asset)
        times.append(at)
        young.append(at - person.joined < young_before)
        if organisation is not None:
            groups.append((praiser, 1, organisation))
        elif asset.owner_person is not None:
            groups.append((praiser, 0, asset.owner_person))
        else:
            groups.append((praiser, 2, praise.asset))

    burst = _bursts(np.array(on_asset, dtype=np.int64), np.array(times, dtype=np.float64), np.array(young, dtype=bool))
    weights = [0.0] * count
    sizes = Counter(group for group, is_burst in zip(groups, burst.tolist(), strict=True) if not is_burst)
    for i, group, is_burst in zip(standing, groups, burst.tolist(), strict=True):
        if is_burst:
            reasons[i] = "burst"
            continue
        n = sizes[group]
        if n > PAIR_CAP:
            reasons[i] = "pair_cap"
            weights[i] = praises[i].strength * PAIR_CAP / n
        else:
            reasons[i] = "counted"
            weights[i] = praises[i].strength
    return [Weighted(praise, weight, reason) for praise, weight, reason in zip(praises, weights, reasons, strict=True)]


def _bursts(asset: np.ndarray, at: np.ndarray, young: np.ndarray) -> np.ndarray:
    """Which praises are part of a burst: BURST_SIZE or more praises of one asset by
    young accounts with at most BURST_WINDOW between the first and the last.

    Among one asset's young praises in time order, j starts a burst when the
    praise BURST_SIZE − 1 places later is within BURST_WINDOW of it. Praise i is
    in a burst iff some start j ≤ i is within BURST_WINDOW before it; the latest
    such start is the nearest in time, so checking that one is enough.
    """
    result = np.zeros(len(asset), dtype=bool)
    positions = np.flatnonzero(young)
    if len(positions) < BURST_SIZE:
        return result
    order = positions[np.lexsort((at[positions], asset[positions]))]
    a, t = asset[order], at[order]
    m = len(order)
    span = BURST_SIZE - 1
    starts = np.zeros(m, dtype=bool)
    starts[: m - span] = (a[span:] == a[:-span]) & (t[span:] - t[:-span] <= BURST_WINDOW)
    latest = np.maximum.accumulate(np.where(starts, np.arange(m), -1))
    found = latest >= 0
    start = np.where(found, latest, 0)
    result[order] = found & (a[start] == a) & (t - t[start] <= BURST_WINDOW)
    return result


# The graph ----------------------------------------------------------------------------------


def reputation(
    *,
    people: Sequence[Person],
    assets: Sequence[Asset],
    weighted: Sequence[Weighted],
    now: float,
    damping: float = 0.85,
    tolerance: float = 1e-10,
    max_iterations: int = 200,
) -> Result:
    """Every person's and asset's reputation over the whole graph (module docstring).

    `weighted` is praise_weights' output; only weights above 0 become edges.
    Raises ValueError for a damping outside [0, 1), max_iterations below 1, or a
    person or asset id given twice. `converged` is False when max_iterations
    passed before the L1 change fell below `tolerance`; the scores are then
    those of the last iteration.
    """
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"damping must be in [0, 1), not {damping!r}")
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be at least 1, not {max_iterations!r}")

    person_ids, person_order = _ids([person.id for person in people], "person")
    asset_ids, _ = _ids([asset.id for asset in assets], "asset")
    n_people, n_assets = len(person_ids), len(asset_ids)
    size = n_people + n_assets
    if not size:
        return Result({}, {}, 0.0, 0.0, 0, True, {})

    seed = np.zeros(size)
    if n_people:
        joined = np.array([person.joined for person in people], dtype=np.float64)[person_order]
        active = np.array([person.active for person in people], dtype=bool)[person_order]
        trusts = _trusts(joined, active, now)
        if trusts.sum() <= 0.0:
            trusts = active.astype(np.float64)
        if trusts.sum() > 0.0:
            seed[:n_people] = trusts / trusts.sum()

    src, dst, weight, kind, dangling = _edges(
        person_ids=person_ids, asset_ids=asset_ids, assets=assets, weighted=weighted
    )
    # Duplicate edges (a person praising and reviewing the same asset) merged into one.
    key, inverse = np.unique(((kind * size) + src) * size + dst, return_inverse=True)
    endorsements = np.bincount(inverse, weights=(kind == _ENDORSE).astype(np.float64), minlength=len(key))
    weight = np.bincount(inverse, weights=weight, minlength=len(key))
    kind, rest = np.divmod(key, size * size)
    src, dst = np.divmod(rest, size)

    x, previous, iterations, converged = _iterate(
        src, dst, weight, dangling, seed, damping=damping, tolerance=tolerance, max_iterations=max_iterations
    )

    person_raw, asset_raw = x[:n_people], x[n_people:]
    person_mass, asset_mass = float(person_raw.sum()), float(asset_raw.sum())
    person_scores = dict(zip(person_ids.tolist(), _scaled(person_raw, person_mass).tolist(), strict=True))
    asset_scores = dict(zip(asset_ids.tolist(), _scaled(asset_raw, asset_mass).tolist(), strict=True))
    explanations = _explain(
        x=x,
        previous=previous,
        seed=seed,
        dangling=dangling,
        damping=damping,
        src=src,
        dst=dst,
        weight=weight,
        kind=kind,
        endorsements=endorsements,
        person_ids=person_ids,
        asset_ids=asset_ids,
    )
    return Result(person_scores, asset_scores, person_mass, asset_mass, iterations, converged, explanations)


def _ids(ids: list[int], what: str) -> tuple[np.ndarray, np.ndarray]:
    """The ids sorted (node i of a kind is its i-th smallest id) and the order that sorts the input."""
    array = np.array(ids, dtype=np.int64)
    order = np.argsort(array, kind="stable")
    ordered = array[order]
    if len(ordered) > 1:
        twice = np.flatnonzero(ordered[1:] == ordered[:-1])
        if len(twice):
            raise ValueError(f"{what} {int(ordered[twice[0]])} is given twice")
    return ordered, order


def _index(ids: np.ndarray, query: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `query` in the sorted `ids`, and whether each was found."""
    wanted = np.array(query, dtype=np.int64)
    if not len(ids):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    position = np.searchsorted(ids, wanted)
    position[position == len(ids)] = 0
    return position, ids[position] == wanted


def _edges(
    *, person_ids: np.ndarray, asset_ids: np.ndarray, assets: Sequence[Asset], weighted: Sequence[Weighted]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The edges as arrays (source node, target node, probability, kind) and the dangling nodes' mask.

    Node indices: people 0..P−1, then assets P..P+A−1, each in id order.
    Every source's probabilities sum to 1 (an edge listed twice counts twice).
    """
    n_people = len(person_ids)
    size = n_people + len(asset_ids)

    # Praise: (person, asset, weight) of every weight above 0.
    endorse_person, endorse_asset, endorse_weight = [], [], []
    for item in weighted:
        if item.weight > 0.0:
            endorse_person.append(item.praise.person)
            endorse_asset.append(item.praise.asset)
            endorse_weight.append(item.weight)
    # Contributions (asset, person, share), owners, and derivation links (child, parent, royalty).
    owned, owner = [], []
    share_asset, share_person, share_bp = [], [], []
    link_child, link_parent, link_bp = [], [], []
    for asset in assets:
        if asset.owner_person is not None:
            owned.append(asset.id)
            owner.append(asset.owner_person)
        for person, bp in asset.contributors:
            share_asset.append(asset.id)
            share_person.append(person)
            share_bp.append(bp)
        for parent, bp in asset.parents:
            link_child.append(asset.id)
            link_parent.append(parent)
            link_bp.append(bp)

    def people_at(query: list[int]) -> tuple[np.ndarray, np.ndarray]:
        return _index(person_ids, query)

    def assets_at(query: list[int]) -> tuple[np.ndarray, np.ndarray]:
        position, found = _index(asset_ids, query)
        return position + n_people, found

    # ENDORSE and AUTHOR: person → asset.
    e_src, e_ok = people_at(endorse_person)
    e_dst, e_ok2 = assets_at(endorse_asset)
    e_w = np.array(endorse_weight, dtype=np.float64)
    keep = e_ok & e_ok2
    e_src, e_dst, e_w = e_src[keep], e_dst[keep], e_w[keep]

    c_asset, c_ok = assets_at(share_asset)
    c_person, c_ok2 = people_at(share_person)
    c_w = np.array(share_bp, dtype=np.float64) / WHOLE
    keep = c_ok & c_ok2 & (c_w > 0.0)
    c_asset, c_person, c_w = c_asset[keep], c_person[keep], c_w[keep]

    endorsed = np.bincount(e_src, weights=e_w, minlength=size)
    authored = np.bincount(c_person, weights=c_w, minlength=size)
    both = (endorsed > 0.0) & (authored > 0.0)
    endorse_part = np.where(both, ENDORSE_SHARE, 1.0) / np.where(endorsed > 0.0, endorsed, 1.0)
    author_part = np.where(both, 1.0 - ENDORSE_SHARE, 1.0) / np.where(authored > 0.0, authored, 1.0)

    # CREDIT: asset → its contributors, or its owner person when no contributor is known.
    credited = np.bincount(c_asset, weights=c_w, minlength=size)
    o_asset, o_ok = assets_at(owned)
    o_person, o_ok2 = people_at(owner)
    keep = o_ok & o_ok2
    keep[keep] = credited[o_asset[keep]] <= 0.0
    o_asset, o_person = o_asset[keep], o_person[keep]
    o_w = np.ones(len(o_asset))
    credit_asset = np.concatenate([c_asset, o_asset])
    credit_person = np.concatenate([c_person, o_person])
    credit_w = np.concatenate([c_w, o_w])
    credited = np.bincount(credit_asset, weights=credit_w, minlength=size)

    # BUILT_ON: asset → parents, by royalty (equally when every royalty is 0).
    l_child, l_ok = assets_at(link_child)
    l_parent, l_ok2 = assets_at(link_parent)
    l_bp = np.array(link_bp, dtype=np.float64)
    keep = l_ok & l_ok2 & (l_child != l_parent)
    l_child, l_parent, l_bp = l_child[keep], l_parent[keep], l_bp[keep]
    royalties = np.bincount(l_child, weights=l_bp, minlength=size)
    l_w = np.where(royalties[l_child] > 0.0, l_bp, 1.0)
    linked = np.bincount(l_child, weights=l_w, minlength=size)

    has_credit, has_parents = credited > 0.0, linked > 0.0
    credit_part = np.where(has_parents, CONTRIBUTOR_SHARE, 1.0) / np.where(has_credit, credited, 1.0)
    built_on_part = np.where(has_credit, 1.0 - CONTRIBUTOR_SHARE, 1.0) / np.where(has_parents, linked, 1.0)

    src = np.concatenate([e_src, c_person, credit_asset, l_child])
    dst = np.concatenate([e_dst, c_asset, credit_person, l_parent])
    probability = np.concatenate(
        [
            e_w * endorse_part[e_src],
            c_w * author_part[c_person],
            credit_w * credit_part[credit_asset],
            l_w * built_on_part[l_child],
        ]
    )
    kind = np.concatenate(
        [
            np.full(len(e_src), _ENDORSE),
            np.full(len(c_person), _AUTHOR),
            np.full(len(credit_asset), _CREDIT),
            np.full(len(l_child), _BUILT_ON),
        ]
    ).astype(np.int64)
    dangling = np.bincount(src, minlength=size) == 0
    return src.astype(np.int64), dst.astype(np.int64), probability, kind, dangling


def _iterate(
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    dangling: np.ndarray,
    seed: np.ndarray,
    *,
    damping: float,
    tolerance: float,
    max_iterations: int,
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Power iteration from x = seed: (last iterate, the one before it, iterations, converged)."""
    size = len(seed)
    x = seed.copy()
    previous = x
    for iteration in range(1, max_iterations + 1):
        spilled = float(x[dangling].sum())
        # float64 even with no edges (bincount of nothing is int64)
        following = np.bincount(dst, weights=weight * x[src], minlength=size).astype(np.float64, copy=False)
        following *= damping
        following += ((1.0 - damping) + damping * spilled) * seed
        change = float(np.abs(following - x).sum())
        previous, x = x, following
        if change < tolerance:
            return x, previous, iteration, True
    return x, previous, max_iterations, False


def _scaled(raw: np.ndarray, mass: float) -> np.ndarray:
    if mass <= 0.0:
        return np.zeros(len(raw))
    return raw * (len(raw) / mass)


def _explain(
    *,
    x: np.ndarray,
    previous: np.ndarray,
    seed: np.ndarray,
    dangling: np.ndarray,
    damping: float,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    kind: np.ndarray,
    endorsements: np.ndarray,
    person_ids: np.ndarray,
    asset_ids: np.ndarray,
) -> dict[tuple[str, int], list[Inflow]]:
    """The top INFLOWS sources of each node's raw score x, from the step previous → x.

    x = (1 − d)·s + d·(Mᵀ·previous + dangling(previous)·s) exactly, so the terms
    of that sum are the inflows and they add up to x.
    """
    size = len(x)
    flow = damping * weight * previous[src]
    carried = flow > 0.0

    # Every praise of an asset merged into one line.
    endorse = kind == _ENDORSE
    endorse_flow = np.bincount(dst[endorse], weights=flow[endorse], minlength=size)
    endorse_count = np.bincount(dst[endorse & carried], weights=endorsements[endorse & carried], minlength=size)
    spilled = float(previous[dangling].sum())
    seed_flow = ((1.0 - damping) + damping * spilled) * seed

    other = ~endorse & carried
    endorsed = np.flatnonzero(endorse_flow > 0.0)
    seeded = np.flatnonzero(seed_flow > 0.0)
    line_dst = np.concatenate([dst[other], endorsed, seeded])
    line_flow = np.concatenate([flow[other], endorse_flow[endorsed], seed_flow[seeded]])
    line_kind = np.concatenate([kind[other], np.full(len(endorsed), _ENDORSE), np.full(len(seeded), _SEED)])
    line_src = np.concatenate([src[other], np.full(len(endorsed), -1), np.full(len(seeded), -1)])
    line_count = np.concatenate(
        [
            np.ones(int(other.sum()), dtype=np.int64),
            np.rint(endorse_count[endorsed]).astype(np.int64),
            np.ones(len(seeded), dtype=np.int64),
        ]
    )
    keep = x[line_dst] > 0.0
    line_dst, line_flow, line_kind, line_src, line_count = (
        line_dst[keep],
        line_flow[keep],
        line_kind[keep],
        line_src[keep],
        line_count[keep],
    )

    # Largest first within each node; ties by kind, then source, so the input's order does not matter.
    order = np.lexsort((line_src, line_kind, -line_flow, line_dst))
    ordered_dst = line_dst[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered_dst[1:] != ordered_dst[:-1]
    rank = np.arange(len(order)) - np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    top = order[rank < INFLOWS]

    nodes = [("person", i) for i in person_ids.tolist()] + [("asset", i) for i in asset_ids.tolist()]
    shares = np.minimum(line_flow[top] / x[line_dst[top]], 1.0).tolist()
    explanations: dict[tuple[str, int], list[Inflow]] = {}
    for node, line_kind_code, source, share, count in zip(
        line_dst[top].tolist(),
        line_kind[top].tolist(),
        line_src[top].tolist(),
        shares,
        line_count[top].tolist(),
        strict=True,
    ):
        line = Inflow(_KIND_NAMES[line_kind_code], nodes[source] if source >= 0 else None, share, count)
        explanations.setdefault(nodes[node], []).append(line)
    return explanations
