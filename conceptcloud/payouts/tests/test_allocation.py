"""The allocation core against plain exact arithmetic: hand-computed events, random DAGs, bad input.

No database: the core is pure. The references below are written straight from
the cascade rule (DESIGN.md §6) with Python's Fraction: one walks every path
from the earning asset (small graphs), the other passes money up the graph
asset by asset in index order (parents always have larger ids here, so that is
a topological order). Rounding is then done the plain way: floors, and the
leftover units to the largest remainders, then the larger exact amount, then
the smaller recipient key.
"""

import itertools
import math
import random
from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.payouts.allocation import (
    MAX_PARENTS,
    AllocationError,
    BasisPointsOutOfRange,
    CycleError,
    DuplicateLink,
    Graph,
    GraphError,
    InvalidAmount,
    InvalidWeights,
    RoyaltiesExceedWhole,
    SharesNotWhole,
    TooManyParents,
    allocate,
    apportion,
)

# ---------------------------------------------------------------- references


def reference_by_paths(graph: Graph, asset: int, amount: int) -> dict[str, Fraction]:
    """Every path from the earning asset, walked one by one (exponential in diamonds: small graphs only)."""
    owed: dict[str, Fraction] = defaultdict(Fraction)

    def earn(asset: int, money: Fraction) -> None:
        links = graph.parents.get(asset, [])
        kept = 1 - sum(Fraction(royalty, 10000) for _parent, royalty in links)
        for recipient, share in graph.contributors[asset]:
            owed[recipient] += money * kept * Fraction(share, 10000)
        for parent, royalty in links:
            if royalty:
                earn(parent, money * Fraction(royalty, 10000))

    earn(asset, Fraction(amount))
    return {recipient: exact for recipient, exact in owed.items() if exact}


def reference_by_generations(graph: Graph, asset: int, amount: int) -> dict[str, Fraction]:
    """Money passed up asset by asset in increasing id (parents have larger ids than their children)."""
    money: dict[int, Fraction] = defaultdict(Fraction)
    money[asset] = Fraction(amount)
    owed: dict[str, Fraction] = defaultdict(Fraction)
    for current in sorted(set(graph.contributors) | set(graph.parents)):
        if current < asset or not money[current]:
            continue
        links = graph.parents.get(current, [])
        kept = 1 - sum(Fraction(royalty, 10000) for _parent, royalty in links)
        for recipient, share in graph.contributors[current]:
            owed[recipient] += money[current] * kept * Fraction(share, 10000)
        for parent, royalty in links:
            assert parent > current
            money[parent] += money[current] * Fraction(royalty, 10000)
    return {recipient: exact for recipient, exact in owed.items() if exact}


def reference_rounding(exact: dict[str, Fraction], amount: int) -> dict[str, int]:
    sign = 1 if amount >= 0 else -1
    magnitude = {recipient: value * sign for recipient, value in exact.items()}
    rounded = {recipient: math.floor(value) for recipient, value in magnitude.items()}
    leftover = abs(amount) - sum(rounded.values())
    by_remainder = sorted(magnitude, key=lambda r: (-(magnitude[r] - rounded[r]), -magnitude[r], r))
    for recipient in by_remainder[:leftover]:
        rounded[recipient] += 1
    return {recipient: value * sign for recipient, value in rounded.items()}


def money_paths(graph: Graph, start: int, end: int) -> list[list[tuple[int, int]]]:
    """Every path start → end over links with a royalty, as [(asset, royalty of the link into it)]."""
    if start == end:
        return [[]]
    found = []
    for parent, royalty in graph.parents.get(start, []):
        if royalty:
            found += [[(parent, royalty), *rest] for rest in money_paths(graph, parent, end)]
    return found


def money_reached(graph: Graph) -> set[int]:
    reached = {0}
    for asset in sorted(graph.parents):
        if asset in reached:
            reached |= {parent for parent, royalty in graph.parents[asset] if royalty}
    return reached


def amounts(lines) -> dict[str, int]:
    return {line.recipient: line.amount for line in lines}


def paid(rounded: dict[str, int]) -> dict[str, int]:
    """Recipients rounded to nothing get no line."""
    return {recipient: amount for recipient, amount in rounded.items() if amount}


# ---------------------------------------------------------------- graphs

POOL = [f"user:{i}" for i in range(1, 7)] + ["org:1", "org:2"]


@st.composite
def split(draw, parts: int) -> list[int]:
    """`parts` shares (zeros allowed) summing to 10000."""
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=parts - 1, max_size=parts - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, 10000], strict=True)]


@st.composite
def small_graphs(draw, max_assets: int = 9) -> Graph:
    """Asset 0 earns; asset i may have up to 4 parents among the assets above it (ids > i)."""
    count = draw(st.integers(1, max_assets))
    parents, contributors = {}, {}
    for asset in range(count):
        above = list(range(asset + 1, count))
        chosen = draw(st.lists(st.sampled_from(above), unique=True, max_size=4)) if above else []
        budget = 10000
        links = []
        for parent in chosen:
            royalty = draw(st.integers(0, budget))
            budget -= royalty
            links.append((parent, royalty))
        parents[asset] = links
        people = draw(st.lists(st.sampled_from(POOL), unique=True, min_size=1, max_size=3))
        contributors[asset] = list(zip(people, draw(split(len(people))), strict=True))
    return Graph(parents=parents, contributors=contributors)


def large_graph(seed: int, assets: int, widest: int) -> Graph:
    """`assets` assets, all ancestors of asset 0, in generations of at most `widest` (each at most 8
    times the one below). The parents of each generation cover the next one; each asset also links
    to random assets one to three generations up (diamonds, and links that skip generations), up to
    12 parents. Royalties at most 100% / links each, one in ten 0 but never the first link."""
    rng = random.Random(seed)
    generations = [[0]]
    count = 1
    while count < assets:
        size = min(assets - count, rng.randint(1, min(widest, 8 * len(generations[-1]))))
        generations.append(list(range(count, count + size)))
        count += size
    people = [f"user:{i}" for i in range(max(3, assets // 3))] + [f"org:{i}" for i in range(5)]
    parents, contributors = {}, {}
    for g, generation in enumerate(generations):
        chosen = {asset: [] for asset in generation}
        if g + 1 < len(generations):
            for i, parent in enumerate(generations[g + 1]):
                chosen[generation[i % len(generation)]].append(parent)
        above = [asset for up in generations[g + 1 : g + 4] for asset in up]
        for asset in generation:
            extra = [a for a in rng.sample(above, min(len(above), rng.randint(0, 4))) if a not in chosen[asset]]
            links = (chosen[asset] + extra)[:12]
            # An asset's first link always carries money, so that most of the graph is reached
            # (the rest may be 0: links that carry nothing are still validated).
            parents[asset] = [
                (parent, rng.choice(([0] if n else []) + [rng.randint(1, 100)] + [rng.randint(1, 10000 // len(links))] * 8))
                for n, parent in enumerate(links)
            ]
            chosen_people = rng.sample(people, rng.randint(1, 3))
            cuts = sorted(rng.randint(0, 10000) for _ in range(len(chosen_people) - 1))
            shares = [b - a for a, b in zip([0, *cuts], [*cuts, 10000], strict=True)]
            contributors[asset] = list(zip(chosen_people, shares, strict=True))
    return Graph(parents=parents, contributors=contributors)


def chain(generations: int, seed: int = 7) -> Graph:
    rng = random.Random(seed)
    parents = {asset: [(asset + 1, rng.randint(1, 9999))] for asset in range(generations)}
    contributors = {
        asset: [(f"user:{asset % 40}", 6000), (f"user:{asset % 40 + 40}", 4000)] for asset in range(generations + 1)
    }
    return Graph(parents=parents, contributors=contributors)


amounts_st = st.one_of(st.integers(-1000, 1000), st.integers(-(2**53) + 1, 2**53 - 1))

# ---------------------------------------------------------------- hand-computed events


def test_a_diamond_pays_its_top_asset_along_both_paths_with_the_numbers_written_out():
    # 1 earns 10.01 (1001 units) and owes 20% to 2 and 30% to 3; both owe to 4 (50% and 10%).
    graph = Graph(
        parents={1: [(2, 2000), (3, 3000)], 2: [(4, 5000)], 3: [(4, 1000)]},
        contributors={
            1: [("user:1", 10000)],
            2: [("user:2", 6000), ("user:3", 4000)],
            3: [("user:3", 10000)],
            4: [("org:9", 10000)],
        },
    )
    lines = {line.recipient: line for line in allocate(asset_id=1, amount=1001, graph=graph)}
    # 1 keeps 50%: 500.5. 2 gets 200.2 and keeps 50%: 100.1 = 60.06 + 40.04. 3 gets 300.3 and keeps
    # 90%: 270.27. 4 gets 100.1 (via 2) + 30.03 (via 3) = 130.13. Floors 500 + 60 + 310 + 130 = 1000;
    # the one unit left goes to the largest remainder, user:1's .5.
    assert {r: line.exact for r, line in lines.items()} == {
        "user:1": Fraction("500.5"),
        "user:2": Fraction("60.06"),
        "user:3": Fraction("310.31"),
        "org:9": Fraction("130.13"),
    }
    assert amounts(lines.values()) == {"user:1": 501, "user:2": 60, "user:3": 310, "org:9": 130}
    [top] = lines["org:9"].sources
    assert (top.asset_id, top.fraction, top.kept_bp, top.share_bp, top.paths) == (4, Fraction(13, 100), 10000, 10000, 2)
    # The heavier of the two paths: 20% × 50% = 10% against 30% × 10% = 3%.
    assert top.path == ((1, 10000), (2, 2000), (4, 5000))
    # The last link of each asset's heaviest path, shared by every source of the allocation.
    assert dict(top.last_links) == {2: (1, 2000), 3: (1, 3000), 4: (2, 5000)}
    assert 1 not in top.last_links and 4 in top.last_links
    assert [(s.asset_id, s.fraction, s.kept_bp, s.share_bp) for s in lines["user:3"].sources] == [
        (2, Fraction(1, 5), 5000, 4000),
        (3, Fraction(3, 10), 9000, 10000),
    ]


def test_a_three_generation_chain_pays_every_generation_and_breaks_an_exact_tie_by_key():
    # 10.00 (1000 units) earned by 10; 10 owes 10% to 20, which owes 25% to 30.
    graph = Graph(
        parents={10: [(20, 1000)], 20: [(30, 2500)]},
        contributors={
            10: [("user:alice", 7000), ("user:bob", 3000)],
            20: [("user:carol", 10000)],
            30: [("user:dave", 5000), ("user:erin", 5000)],
        },
    )
    lines = allocate(asset_id=10, amount=1000, graph=graph)
    # 10 keeps 900: 630 + 270. 20 gets 100, keeps 75. 30 gets 25: 12.5 each. Floors sum to 999; the
    # unit left goes to one of two equal remainders of equal amounts: the smaller key, user:dave.
    assert [(line.recipient, line.amount, line.exact) for line in lines] == [
        ("user:alice", 630, 630),
        ("user:bob", 270, 270),
        ("user:carol", 75, 75),
        ("user:dave", 13, Fraction(25, 2)),
        ("user:erin", 12, Fraction(25, 2)),
    ]
    [source] = lines[3].sources
    assert source.path == ((10, 10000), (20, 1000), (30, 2500))
    assert source.fraction == Fraction(1, 40) and source.paths == 1


def test_a_recipient_paid_through_several_assets_is_rounded_once_on_the_sum():
    # 2 units earned by 1, which owes 50% to 2. alice holds 40% of both: 0.4 + 0.4 = 0.8.
    graph = Graph(
        parents={1: [(2, 5000)]},
        contributors={1: [("user:alice", 4000), ("user:bob", 6000)], 2: [("user:alice", 4000), ("user:carol", 6000)]},
    )
    # Rounded per asset alice would get nothing; rounded once she has the largest remainder (.8), and
    # the second unit goes to bob over carol (equal remainders .6, equal amounts: the smaller key).
    assert amounts(allocate(asset_id=1, amount=2, graph=graph)) == {"user:alice": 1, "user:bob": 1}


def test_of_two_equal_remainders_the_larger_exact_amount_gets_the_unit():
    graph = Graph(parents={}, contributors={1: [("user:a", 2500), ("user:z", 7500)]})
    # 0.5 and 1.5: the same remainder; user:z has the larger amount although its key sorts last.
    # user:a is rounded to nothing, and so gets no line.
    assert amounts(allocate(asset_id=1, amount=2, graph=graph)) == {"user:z": 2}


def test_amounts_that_add_up_to_a_whole_number_through_two_assets_are_not_rounded_up():
    # alice gets 0.8 through 1 and 0.2 through 2: exactly 1, though neither part is a binary fraction.
    graph = Graph(parents={1: [(2, 2000)]}, contributors={1: [("user:alice", 10000)], 2: [("user:alice", 10000)]})
    [line] = allocate(asset_id=1, amount=1, graph=graph)
    assert (line.amount, line.exact) == (1, 1)


def test_a_zero_royalty_link_carries_nothing_and_its_parent_pays_nobody():
    graph = Graph(parents={1: [(2, 0)]}, contributors={1: [("user:a", 10000)], 2: [("user:b", 10000)]})
    assert amounts(allocate(asset_id=1, amount=500, graph=graph)) == {"user:a": 500}


def test_an_event_of_zero_pays_no_lines():
    graph = Graph(parents={1: [(2, 5000)]}, contributors={1: [("user:a", 10000)], 2: [("user:b", 10000)]})
    assert allocate(asset_id=1, amount=0, graph=graph) == []


def test_a_full_royalty_passes_everything_up_and_the_earning_assets_contributors_get_no_line():
    graph = Graph(parents={1: [(2, 10000)]}, contributors={1: [("user:a", 10000)], 2: [("user:b", 10000)]})
    [line] = allocate(asset_id=1, amount=-77, graph=graph)
    assert (line.recipient, line.amount, line.exact) == ("user:b", -77, -77)


def test_paths_through_a_lattice_of_diamonds_are_counted_not_listed():
    # 60 generations of two assets, each linked to both of the generation above: 2**59 paths reach the top.
    generations = 60
    parents = {0: [(1, 5000), (2, 5000)]}
    for g in range(1, generations):
        for lane in (0, 1):
            parents[2 * g - 1 + lane] = [(2 * g + 1, 5000), (2 * g + 2, 5000)]
    contributors = {asset: [(f"user:{asset}", 10000)] for asset in range(2 * generations + 1)}
    lines = {line.recipient: line for line in allocate(asset_id=0, amount=10**9, graph=Graph(parents, contributors))}
    assert lines[f"user:{2 * generations}"].sources[0].paths == 2 ** (generations - 1)
    assert sum(line.amount for line in lines.values()) == 10**9


def test_a_chain_of_a_thousand_five_hundred_generations_matches_the_exact_reference():
    graph = chain(1500)
    lines = allocate(asset_id=0, amount=123_456_789, graph=graph)
    exact = reference_by_generations(graph, 0, 123_456_789)
    rounded = reference_rounding(exact, 123_456_789)
    assert amounts(lines) == paid(rounded)
    assert {line.recipient: line.exact for line in lines} == {r: exact[r] for r in paid(rounded)}
    deepest = max((source for line in lines for source in line.sources), key=lambda source: source.depth)
    # A chain has one path: the heaviest is it, and its royalties multiply to the fraction.
    assert deepest.depth > 1400 and len(deepest.path) == deepest.depth + 1 and deepest.paths == 1
    assert math.prod(Fraction(bp, 10000) for _asset, bp in deepest.path[1:]) == deepest.fraction


# ---------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None)
@given(graph=small_graphs(), amount=amounts_st)
def test_small_graphs_pay_every_recipient_what_walking_every_path_gives_after_rounding(graph, amount):
    lines = allocate(asset_id=0, amount=amount, graph=graph)
    assert sum(line.amount for line in lines) == amount
    exact = reference_by_paths(graph, 0, amount) if amount else {}
    rounded = reference_rounding(exact, amount)
    assert amounts(lines) == paid(rounded)
    assert {line.recipient: line.exact for line in lines} == {r: exact[r] for r in paid(rounded)}
    assert [line.recipient for line in lines] == sorted(paid(rounded))
    for line in lines:
        assert math.floor(line.exact) <= line.amount <= math.ceil(line.exact)


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(), amount=st.integers(1, 10**9))
def test_every_source_explains_its_share_of_the_line(graph, amount):
    for line in allocate(asset_id=0, amount=amount, graph=graph):
        assert line.exact == sum(
            amount * s.fraction * Fraction(s.kept_bp, 10000) * Fraction(s.share_bp, 10000) for s in line.sources
        )
        for source in line.sources:
            every = money_paths(graph, 0, source.asset_id)
            weights = [math.prod(Fraction(royalty, 10000) for _asset, royalty in path) for path in every]
            assert source.paths == len(every)
            assert source.fraction == sum(weights)
            assert source.depth == max(len(path) for path in every)
            assert source.path[0] == (0, 10000) and source.path[-1][0] == source.asset_id
            assert list(source.path[1:]) in every
            assert math.prod(Fraction(royalty, 10000) for _asset, royalty in source.path[1:]) == max(weights)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    assets=st.integers(200, 3000),
    widest=st.integers(30, 400),
    amount=st.integers(-(10**12), 10**12),
)
def test_large_dags_with_diamonds_match_the_exact_reference_to_the_unit(seed, assets, widest, amount):
    graph = large_graph(seed, assets, widest)
    assert len(money_reached(graph)) > assets // 4
    lines = allocate(asset_id=0, amount=amount, graph=graph)
    assert sum(line.amount for line in lines) == amount
    exact = reference_by_generations(graph, 0, amount) if amount else {}
    rounded = reference_rounding(exact, amount)
    assert amounts(lines) == paid(rounded)
    assert {line.recipient: line.exact for line in lines} == {r: exact[r] for r in paid(rounded)}


@settings(max_examples=200, deadline=None)
@given(graph=small_graphs(), amount=amounts_st)
def test_a_negative_event_is_the_exact_mirror_of_the_positive_one(graph, amount):
    positive = allocate(asset_id=0, amount=amount, graph=graph)
    negative = allocate(asset_id=0, amount=-amount, graph=graph)
    assert [(line.recipient, -line.amount, -line.exact) for line in negative] == [
        (line.recipient, line.amount, line.exact) for line in positive
    ]
    assert [line.sources for line in negative] == [line.sources for line in positive]


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(), amount=amounts_st, seed=st.integers(0, 2**16))
def test_the_order_of_links_and_shares_in_the_input_changes_nothing_not_even_the_paths_shown(graph, amount, seed):
    rng = random.Random(seed)
    shuffled = Graph(
        parents={asset: rng.sample(links, len(links)) for asset, links in reversed(graph.parents.items())},
        contributors={asset: rng.sample(shares, len(shares)) for asset, shares in graph.contributors.items()},
    )

    def seen(lines) -> list:
        return [
            (line.recipient, line.amount, line.exact, [(s.asset_id, s.fraction, s.path, s.paths) for s in line.sources])
            for line in lines
        ]

    assert seen(allocate(asset_id=0, amount=amount, graph=shuffled)) == seen(
        allocate(asset_id=0, amount=amount, graph=graph)
    )


@settings(max_examples=100, deadline=None)
@given(
    graph=small_graphs(),
    events=st.lists(st.tuples(st.integers(0, 8), st.integers(-(10**6), 10**6)), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_the_order_of_events_and_their_refunds_does_not_change_the_final_balances(graph, events, seed):
    events = [(asset, amount) for asset, amount in events if asset in graph.contributors]
    refunds = [(asset, -amount) for asset, amount in events]

    def balances(sequence) -> Counter:
        total = Counter()
        for asset, amount in sequence:
            for line in allocate(asset_id=asset, amount=amount, graph=graph):
                total[line.recipient] += line.amount
        return total

    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    assert balances(events) == balances(shuffled)
    everything = events + refunds
    random.Random(seed + 1).shuffle(everything)
    assert all(value == 0 for value in balances(everything).values())


# ---------------------------------------------------------------- apportion


@settings(max_examples=400, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=30).filter(any),
    amount=st.integers(-(10**12), 10**12),
)
def test_apportion_sums_exactly_and_rounds_each_part_down_or_up_by_largest_remainder(weights, amount):
    parts = apportion(amount=amount, weights=weights)
    total = sum(weights)
    assert sum(parts) == amount
    exact = [Fraction(amount * weight, total) for weight in weights]
    for part, value in zip(parts, exact, strict=True):
        assert math.floor(value) <= part <= math.ceil(value)
    assert parts == [-part for part in apportion(amount=-amount, weights=weights)]
    # The reference: the leftover units to the largest remainders, then larger amounts, then the earlier index.
    magnitude = [abs(value) for value in exact]
    floors = [math.floor(value) for value in magnitude]
    order = sorted(range(len(weights)), key=lambda i: (-(magnitude[i] - floors[i]), -magnitude[i], i))
    for i in order[: abs(amount) - sum(floors)]:
        floors[i] += 1
    assert [abs(part) for part in parts] == floors


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=30).filter(any), data=st.data())
def test_a_partial_refund_never_takes_more_from_a_line_than_it_paid_and_a_full_one_takes_exactly_it(weights, data):
    refund = data.draw(st.integers(0, sum(weights)))
    parts = apportion(amount=-refund, weights=weights)
    assert all(-weight <= part <= 0 for part, weight in zip(parts, weights, strict=True))
    assert apportion(amount=sum(weights), weights=weights) == weights


def test_apportion_breaks_ties_by_larger_amount_then_earlier_line():
    assert apportion(amount=1, weights=[1, 1]) == [1, 0]
    assert apportion(amount=2, weights=[1, 3]) == [0, 2]  # 0.5 and 1.5: the larger amount wins
    assert apportion(amount=0, weights=[0, 0]) == [0, 0]
    assert apportion(amount=-5, weights=[1, 1, 1]) == [-2, -2, -1]


@pytest.mark.parametrize(
    ("amount", "weights", "error"),
    [
        (1.5, [1], InvalidAmount),
        (True, [1], InvalidAmount),
        (3, [1, 2.0], InvalidAmount),
        (3, [1, -1, 5], InvalidWeights),
        (3, [0, 0], InvalidWeights),
        (3, [], InvalidWeights),
    ],
)
def test_apportion_refuses_bad_amounts_and_weights(amount, weights, error):
    with pytest.raises(error) as raised:
        apportion(amount=amount, weights=weights)
    assert isinstance(raised.value, AllocationError) and isinstance(raised.value, ValueError)


# ---------------------------------------------------------------- bad input


def graph_with(parents=None, contributors=None) -> Graph:
    base_contributors = {asset: [("user:1", 10000)] for asset in range(40)}
    return Graph(parents=parents or {}, contributors={**base_contributors, **(contributors or {})})


@pytest.mark.parametrize(
    ("graph", "error", "asset", "words"),
    [
        (graph_with({1: [(2, 10)], 2: [(3, 10)], 3: [(1, 10)]}), CycleError, 1, "its own ancestor"),
        (graph_with({1: [(2, 0)], 2: [(1, 0)]}), CycleError, 1, "its own ancestor"),
        (graph_with({1: [(1, 10)]}), CycleError, 1, "1 → 1"),
        (graph_with({1: [(p, 100) for p in range(2, 2 + MAX_PARENTS + 1)]}), TooManyParents, 1, "17 parents"),
        (graph_with({1: [(2, 6000), (3, 4001)]}), RoyaltiesExceedWhole, 1, "10001"),
        (graph_with({1: [(2, 10)], 2: [(3, 10001)]}), BasisPointsOutOfRange, 2, "10001"),
        (graph_with({1: [(2, -1)]}), BasisPointsOutOfRange, 1, "-1"),
        (graph_with({1: [(2, 12.5)]}), BasisPointsOutOfRange, 1, "12.5"),
        (graph_with({1: [(2, 10), (2, 20)]}), DuplicateLink, 1, "parent 2 twice"),
        (graph_with({1: [(2, 10)]}, {2: [("user:1", 5000), ("user:2", 4000)]}), SharesNotWhole, 2, "9000"),
        (graph_with({1: [(2, 10)]}, {2: []}), SharesNotWhole, 2, "no contributors"),
        (graph_with({}, {1: [("user:1", 5000), ("user:1", 5000)]}), SharesNotWhole, 1, "twice"),
        (graph_with({}, {1: [("user:1", 10001), ("user:2", -1)]}), BasisPointsOutOfRange, 1, "10001"),
        (graph_with({}, {1: [("user:1", True), ("user:2", 9999)]}), BasisPointsOutOfRange, 1, "True"),
        (graph_with({}, {1: [(12, 10000)]}), SharesNotWhole, 1, "recipient key"),
    ],
)
def test_a_bad_graph_is_refused_with_an_error_naming_the_asset(graph, error, asset, words):
    for amount in (100, 0):
        with pytest.raises(error) as raised:
            allocate(asset_id=1, amount=amount, graph=graph)
        assert isinstance(raised.value, GraphError) and isinstance(raised.value, ValueError)
        assert raised.value.asset_id == asset
        assert f"asset {asset}" in str(raised.value) and words in str(raised.value)


def test_a_cycle_error_lists_the_assets_around_the_cycle():
    graph = graph_with({1: [(2, 10)], 2: [(3, 10), (4, 10)], 4: [(5, 0)], 5: [(2, 0)]})
    with pytest.raises(CycleError) as raised:
        allocate(asset_id=1, amount=10, graph=graph)
    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1] and len(cycle) == 4
    assert set(cycle) == {2, 4, 5}
    for child, parent in itertools.pairwise(cycle):
        assert parent in {p for p, _royalty in graph.parents[child]}


def test_problems_outside_the_ancestor_graph_do_not_concern_this_event():
    graph = Graph(
        parents={1: [(2, 10)], 3: [(1, 20000)]}, contributors={1: [("user:1", 10000)], 2: [("user:2", 10000)]}
    )
    assert sum(line.amount for line in allocate(asset_id=1, amount=10, graph=graph)) == 10


@pytest.mark.parametrize("amount", [1.5, 10.0, "10", True, None, Fraction(3)])
def test_an_amount_that_is_not_whole_minor_units_is_refused(amount):
    with pytest.raises(InvalidAmount, match="integer number of minor units"):
        allocate(asset_id=1, amount=amount, graph=graph_with())
