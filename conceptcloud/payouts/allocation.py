"""Value distribution by the cascade rule, exact to the unit (pure; no Django).

    Graph(parents, contributors)        the approved links and contributor shares
    allocate(asset_id=, amount=, graph=) one revenue event → [Allocation], one per recipient
                                        paid at least one unit
    Allocation(recipient, amount)       what one recipient gets; .exact and .sources
                                        are built on first access
    Source(asset_id, numerator, depth,  one asset through which a recipient was paid;
           kept_bp, share_bp, paths)    .fraction, .path, .last_links explain the line
    apportion(amount=, weights=)        an integer amount over integer weights
                                        (a partial refund over an event's lines)

    AllocationError (ValueError)        every refusal; the message names the asset
    ├── InvalidAmount                   amount (or a weight) is not an int
    ├── InvalidWeights                  apportion: negative weights, or none to carry
    │                                   a non-zero amount
    └── GraphError                      .asset_id: the asset at fault
        ├── CycleError                  .cycle: the assets around the cycle
        ├── TooManyParents              more than MAX_PARENTS parents
        ├── DuplicateLink               the same parent listed twice
        ├── BasisPointsOutOfRange       a royalty or share outside 0..10000
        ├── RoyaltiesExceedWhole        an asset's royalties sum to more than 10000
        └── SharesNotWhole              contributor shares do not sum to 10000 (or
                                        there are none, or a recipient is listed twice)

The cascade rule (DESIGN.md §6). Revenue R earned by asset X sends
royalty_bp/10000 × R to each parent P of X *as revenue of P*, which cascades
further up by the same rule, and (10000 − Σ royalty_bp)/10000 × R (the part X
"keeps") to X's contributors by their share_bp/10000. Every path through the
ancestor graph carries money, so a diamond pays its top asset along each path;
the number of ancestors is unlimited. The money reaching an asset is
R × fraction(asset), where fraction(X) = 1 and fraction(P) = Σ over P's children
C of fraction(C) × royalty(C→P)/10000. Links with royalty 0 carry nothing and are
not followed (they are still validated); an asset reached only through them pays
nobody.

Exactness. If depth(A) is the length of the LONGEST money-carrying path from X to
A, fraction(A) is an integer numerator over 10000**depth(A). `_walk` takes the
ancestor graph in topological order (each asset after all of its children):
breadth-first, in one pass over its links, where that order is topological (no
link skips a generation), else by Kahn's algorithm in a second; it keeps only
integer numerators over powers of 10000: no gcd, no Fraction arithmetic, and no
path enumeration (diamonds can hold exponentially many paths; they are counted
with Python's unbounded ints, never listed).

Rounding: each recipient's exact amount (summed over every asset through which
they are paid) is rounded ONCE, by the largest-remainder method: everyone gets
the floor of their exact amount, and the units left over (R minus the sum of the
floors, always fewer than the number of recipients with a remainder) go one each
to the recipients with the largest fractional remainders. Tie-break,
deterministic and independent of the input's order: larger remainder first,
then larger exact amount, then recipient key ascending (Python str order). The
amounts sum to R exactly. A recipient rounded to 0 gets no line.

How the rounding stays exact and fast: an asset 1,000 generations up carries a
13,000-bit numerator, and summing a recipient's terms over one denominator costs
the square of that. So `allocate` first brackets every recipient's amount
between fixed-point bounds, [a, a + s) × 2**-128 (one division per asset, none
at all for an asset whose share is below 2**-128 of a unit); wherever a floor or
the order of two remainders at the cut is not settled by those bounds (a sum
that is exactly whole, remainders that are exactly equal), the exact sums of
the recipients concerned decide. The result is the exact rounding, always.

Signs: rounding works on |R|; a negative R gives exactly the negated allocation
of −R (allocate(-x) mirrors allocate(x) line by line), so a refund reverses an
event exactly. R == 0 gives no lines.

Cost: linear in the number of links, times the size of the numerators (~13.3
bits per generation). A single chain of n generations with non-zero royalties
is therefore quadratic in n (its exact fractions alone take Θ(n²) bits: some
8 GB for n = 100,000); benchmarks/payouts.py measures both. The exact Fractions (Allocation.exact,
Source.fraction; reducing one is a gcd, quadratic in Python) and the explanations
(Allocation.sources: the number of paths and the heaviest path into each asset,
in one more pass over the links, for all of an allocation's lines at once) are
built on first access, not by allocate. Per asset and per recipient allocate
keeps ints in flat lists and arrays, not objects, so the garbage collector has
little to look through.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

WHOLE = 10_000  # basis points in 100%
MAX_PARENTS = 16
_LOG2_WHOLE = math.log2(WHOLE)
_PRECISION = 128  # bits of the fixed-point bounds that settle most roundings; exact sums settle the rest
_LINK_BITS = 14  # a link is noted as parent position << _LINK_BITS | royalty_bp (royalty_bp <= 10000 < 2**14)
_BP_MASK = (1 << _LINK_BITS) - 1


class AllocationError(ValueError):
    """A refused allocation: bad amount, bad weights or a bad graph. Nothing was computed."""


class InvalidAmount(AllocationError):
    """An amount or a weight that is not an int (bool is refused too): money is integer minor units."""


class InvalidWeights(AllocationError):
    """apportion: a negative weight, or a non-zero amount with no weight to carry it."""


class GraphError(AllocationError):
    """Something wrong in the ancestor graph of the earning asset; `asset_id` names the asset at fault."""

    def __init__(self, message: str, *, asset_id: int):
        super().__init__(message)
        self.asset_id = asset_id


class CycleError(GraphError):
    """The ancestor graph has a cycle; `cycle` lists its assets, first one repeated at the end."""

    def __init__(self, cycle: Sequence[int]):
        self.cycle = tuple(cycle)
        super().__init__(
            f"asset {cycle[0]} is its own ancestor: " + " → ".join(str(a) for a in self.cycle), asset_id=cycle[0]
        )


class TooManyParents(GraphError):
    pass


class DuplicateLink(GraphError):
    pass


class BasisPointsOutOfRange(GraphError):
    pass


class RoyaltiesExceedWhole(GraphError):
    pass


class SharesNotWhole(GraphError):
    pass


@dataclass(frozen=True)
class Graph:
    """The approved derivation links and contributor shares the cascade needs.

    parents: asset id → [(parent asset id, royalty_bp)], APPROVED links only; an
      asset missing from the mapping has no parents.
    contributors: asset id → [(recipient key, share_bp)], shares summing to 10000;
      a key is a str such as "user:12" (a contributor) or "org:3" (the owning
      organisation, when an asset has no contributors). Every asset of the
      ancestor graph needs an entry.

    The graph may hold more than the earning asset's ancestors; only the assets
    reachable from it through parent links (of any royalty) are read and validated.
    """

    parents: Mapping[int, Sequence[tuple[int, int]]]
    contributors: Mapping[int, Sequence[tuple[str, int]]]


@dataclass(frozen=True)
class Source:
    """One asset through which a recipient was paid, and how the money got there.

    numerator, depth: the exact fraction of the event's revenue that reached this
      asset is numerator / 10000**depth (not in lowest terms; .fraction is that
      Fraction); depth is the length of the longest money-carrying path from the
      earning asset (0 for it).
    kept_bp: 10000 − the sum of this asset's royalties to its parents: the part of
      what reaches it that its contributors keep.
    share_bp: the recipient's share of this asset.
    paths: how many distinct money-carrying paths lead from the earning asset to
      this one (exact and unbounded: a lattice of diamonds doubles it per generation).

    The recipient's exact amount through this asset is
    revenue × fraction × kept_bp/10000 × share_bp/10000.
    """

    asset_id: int
    numerator: int
    depth: int
    kept_bp: int
    share_bp: int
    paths: int
    _trail: Mapping[int, tuple[int, int]] = field(repr=False, compare=False)

    @property
    def last_links(self) -> Mapping[int, tuple[int, int]]:
        """asset → (child, royalty_bp): the last link of the heaviest path into each asset money
        reached, one map shared by all sources of an allocation. Following it from asset_id down
        to the earning asset gives `path` in reverse; a caller summarising many long paths can
        memoise along it rather than build every `path` whole."""
        return self._trail

    @cached_property
    def fraction(self) -> Fraction:
        """The exact fraction of the event's revenue that reached this asset (1 for the earning asset)."""
        return Fraction(self.numerator, WHOLE**self.depth)

    @cached_property
    def path(self) -> tuple[tuple[int, int], ...]:
        """The heaviest path from the earning asset: ((earning asset, 10000), (next asset, royalty_bp of
        the link into it), ..., (this asset, royalty_bp of the link into it)).

        The product of its royalty_bp/10000 is the largest over all money-carrying
        paths. Among equally heavy paths, the one whose last link comes from the
        smaller asset id, applied at every step, so the choice does not depend on
        the order of the input.
        """
        steps = []
        asset = self.asset_id
        while asset in self._trail:
            child, royalty_bp = self._trail[asset]
            steps.append((asset, royalty_bp))
            asset = child
        steps.append((asset, WHOLE))
        return tuple(reversed(steps))


@dataclass(frozen=True, eq=False)
class Allocation:
    """What one recipient gets from one revenue event.

    amount: minor units, the same sign as the revenue: the exact amount rounded.
    .exact: the exact amount before rounding, a Fraction (built on first access).
    .sources: the assets through which the recipient was paid, nearest the
      earning asset first (by depth, then asset id); built on first access.
    Two allocations are equal when their recipients, amounts, revenues and the
    assets through which the recipients were paid are.
    """

    recipient: str
    amount: int
    _revenue: int = field(repr=False)
    _walk: _Walk = field(repr=False)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.recipient, self.amount, self._revenue, self._assets) == (
            other.recipient,
            other.amount,
            other._revenue,
            other._assets,
        )

    def __hash__(self) -> int:
        return hash((self.recipient, self.amount, self._revenue, self._assets))

    @cached_property
    def _assets(self) -> tuple[int, ...]:
        return self._walk.paying(self._walk.number[self.recipient])

    @cached_property
    def exact(self) -> Fraction:
        """The exact amount before rounding; amount is its floor or its ceiling."""
        numerator, exponent = _exact_amount(self._walk, abs(self._revenue), self.recipient, self._assets)
        return Fraction(numerator if self._revenue > 0 else -numerator, WHOLE**exponent)

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        walk = self._walk
        walk.explain()
        sources = []
        for asset in self._assets:
            i = walk.index[asset]
            share_bp = _share_bp(walk, asset, self.recipient)
            sources.append(
                Source(asset, walk.flow[i], walk.depth[i], walk.kept[i], share_bp, walk.paths[i], walk.trail)
            )
        sources.sort(key=lambda source: (source.depth, source.asset_id))
        return tuple(sources)


def allocate(*, asset_id: int, amount: int, graph: Graph) -> list[Allocation]:
    """Distribute `amount` minor units earned by `asset_id` over its ancestor graph by the cascade rule.

    Returns one Allocation per recipient paid at least one unit, ordered by
    recipient key; a recipient whose exact amount rounds to 0 (a distant
    ancestor's contributor, say) gets no line. Guarantees:
    sum(a.amount) == amount; each amount is its exact amount rounded down or up
    by the largest-remainder method with the tie-break of the module docstring;
    allocate(amount=-x) is allocate(amount=x) with amounts and exact amounts
    negated; amount 0 → [] (after the graph is validated all the same).

    Raises InvalidAmount if amount is not an int, and a GraphError (naming the
    asset) for a cycle, more than 16 parents, a parent listed twice, a royalty or
    share outside 0..10000, royalties summing to more than 10000, or shares not
    summing to 10000 (or no contributors), anywhere in the ancestor graph (links
    of royalty 0 included).
    """
    _check_int(amount, "amount")
    walk = _walk(asset_id, graph)
    contributors, assets, flow, depth, kept = graph.contributors, walk.assets, walk.flow, walk.depth, walk.kept
    if amount == 0:
        for asset in assets:
            _check_shares(asset, contributors.get(asset))
        return []
    revenue = abs(amount)

    # Recipient k's amount × 2**_PRECISION lies in [low, low + slack). Per asset,
    # revenue × fraction × kept_bp/10000 over 10000**(depth + 2) is rounded down to
    # _PRECISION bits once (error < 1) and multiplied by each share_bp (error < share_bp).
    # Both sums are kept in one int, owed[k] == low << slack_bits | slack (slack is at
    # most 10000 × the number of assets, below 2**slack_bits): one addition per share.
    # The assets through which recipient k is paid make a chain through flat arrays (a
    # list per recipient would be 10,000s more objects for the garbage collector to look
    # into): its last entry is latest[k]; entry e is the asset at position paid_by[e],
    # after entry earlier[e] (-1: none). _Walk.paying follows it.
    number = walk.number = {}
    find = number.get
    owed: list[int] = []
    latest, earlier, paid_by = walk.latest, walk.earlier, walk.paid_by = array("q"), array("q"), array("q")
    chain, note = earlier.append, paid_by.append
    slack_bits = (WHOLE * len(assets)).bit_length()
    units = _Units(revenue)
    powers = walk.powers
    try:
        # By position (breadth-first, as the graph was read). Each asset's shares are
        # validated on the way; where they may be at fault, _check_shares names the fault
        # (a share above 10000 shows in the total, since none is negative).
        for i, (asset, numerator, kept_bp, generation) in enumerate(zip(assets, flow, kept, depth, strict=True)):
            shares = contributors.get(asset)
            if numerator is None or not kept_bp or not shares:
                _check_shares(asset, shares)
                continue
            if numerator.bit_length() <= units[generation]:
                unit = 1  # below 2**-_PRECISION of a unit: known without dividing (low += 0)
            else:
                unit = (((revenue * numerator * kept_bp) << _PRECISION) // powers[generation + 2]) << slack_bits | 1
            total = 0
            for recipient, share_bp in shares:
                if type(share_bp) is not int or share_bp <= 0 or type(recipient) is not str:
                    if type(share_bp) is int and not share_bp and type(recipient) is str and recipient:
                        continue  # a share of 0: nothing to pay
                    _check_shares(asset, shares)
                total += share_bp
                k = find(recipient)
                if k is None:
                    if not recipient:
                        _check_shares(asset, shares)
                    number[recipient] = len(owed)
                    owed.append(unit * share_bp)
                    latest.append(len(paid_by))
                    chain(-1)
                else:
                    owed[k] += unit * share_bp
                    chain(latest[k])
                    latest[k] = len(paid_by)
                note(i)
            if total != WHOLE or (len(shares) > 1 and len(dict(shares)) != len(shares)):
                _check_shares(asset, shares)
    except (GraphError, TypeError, ValueError):
        _check_shares_in_order(walk)  # the fault Kahn's order meets first: the same whatever the input's order
        raise

    recipients = list(number)
    mask = (1 << slack_bits) - 1
    low = [both >> slack_bits for both in owed]
    slack = [both & mask for both in owed]
    amounts = _largest_remainders(
        revenue, recipients, low, slack, lambda k: _exact_amount(walk, revenue, recipients[k], walk.paying(k))
    )
    sign = 1 if amount > 0 else -1
    paid = sorted(filter(amounts.__getitem__, range(len(recipients))), key=recipients.__getitem__)
    return [Allocation(recipients[k], sign * amounts[k], amount, walk) for k in paid]


def apportion(*, amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` over `weights` in proportion, by the largest-remainder method.

    result[i] is amount × weights[i] / sum(weights) rounded down or up, and the
    results sum to amount exactly. The units left over after rounding down go
    one each to the largest remainders; ties: larger exact amount, then the
    smaller index. A weight of 0 gets 0, and |result[i]| <= weights[i] whenever
    |amount| <= sum(weights) (a partial refund never takes more back from a line
    than it paid; a full one takes back exactly the weights). Negative amounts
    mirror positive ones exactly; amount 0 gives zeros.

    Weights are ints >= 0 (pass the magnitudes of an event's lines). Raises
    InvalidAmount for a non-int amount or weight, InvalidWeights for a negative
    weight or a non-zero amount with no positive weight.
    """
    _check_int(amount, "amount")
    for index, weight in enumerate(weights):
        _check_int(weight, f"weight {index}")
        if weight < 0:
            raise InvalidWeights(f"weight {index} is {weight}; weights must be 0 or more")
    total = sum(weights)
    if amount == 0:
        return [0] * len(weights)
    if total == 0:
        raise InvalidWeights(f"cannot apportion {amount} over weights that sum to 0")
    magnitude = abs(amount)
    parts = [divmod(magnitude * weight, total) for weight in weights]
    result = [whole for whole, _remainder in parts]
    leftover = magnitude - sum(result)
    ranked = sorted(range(len(parts)), key=lambda i: (-parts[i][1], -parts[i][0], i))
    for index in ranked[:leftover]:
        result[index] += 1
    return result if amount > 0 else [-part for part in result]


# The walk ---------------------------------------------------------------------------------


class _Powers(dict):
    """10000**k, computed once per k during one allocation (a long chain meets many k)."""

    def __missing__(self, k: int) -> int:
        value = self[k] = self[k - 1] * WHOLE if k - 1 in self else WHOLE**k
        return value


class _Units(dict):
    """Per depth d, for one revenue: the most bits a numerator may have and still bring
    its asset's contributors less than 2**-_PRECISION of a unit in all, i.e.
    numerator × revenue × 10000 × 2**_PRECISION < scale = 10000**(d + 2) (one 10000 for
    kept_bp, one for share_bp). Judged by bit lengths alone, so that a long chain (a
    new depth at every asset) never builds the power nor divides by it for its many
    negligible assets: bit_length(10000**k) - 1 is floor(k · log2 10000), which a
    float gives to within one, hence the margin of one bit. A numerator with more
    bits is divided exactly; the test only saves divisions whose result is 0."""

    def __init__(self, revenue: int):
        super().__init__()
        self.most_bits = ((revenue * WHOLE) << _PRECISION).bit_length()

    def __missing__(self, d: int) -> int:
        value = self[d] = math.floor((d + 2) * _LOG2_WHOLE) - 1 - self.most_bits
        return value


class _Walk:
    """The cascade through one earning asset's ancestor graph, before any amount is applied.

    Per asset of the ancestor graph, at its position i (index[asset] == i,
    assets[i] == asset; breadth-first from the earning asset at 0), in parallel
    lists and arrays of ints, which the cyclic garbage collector need not look
    into (one object per asset would cost it a pass over each, and the walk makes
    100,000s):
        kept[i]      kept_bp
        depth[i]     length of the longest money-carrying path from the earning
                     asset; None when no money reaches the asset
        flow[i]      numerator of the fraction that reaches it, over 10000**depth
    and, once `explain()` has run (Allocation.sources calls it: only the
    explanations need them):
        paths[i]     number of money-carrying paths
        via[i], via_bp[i]
                     the child at the end of its heaviest path (None for the
                     earning asset) and the royalty_bp of that last link
    links: the links of the asset at position i, as the graph lists them, are
    links[start[i]:start[i + 1]], each its parent's position << _LINK_BITS |
    royalty_bp. order: positions, each after those of all of its children.
    trail: `via` as the Mapping Source.last_links. number, latest, earlier,
    paid_by: which assets pay each recipient (set by allocate; see `paying`).
    """

    __slots__ = (
        "graph",
        "assets",
        "index",
        "start",
        "links",
        "order",
        "kept",
        "depth",
        "flow",
        "powers",
        "paths",
        "via",
        "via_bp",
        "trail",
        "number",
        "latest",
        "earlier",
        "paid_by",
    )

    def paying(self, k: int) -> tuple[int, ...]:
        """The assets through which recipient k (number[recipient] == k) is paid, by position."""
        assets, earlier, paid_by = self.assets, self.earlier, self.paid_by
        found = []
        entry = self.latest[k]
        while entry >= 0:
            found.append(assets[paid_by[entry]])
            entry = earlier[entry]
        found.reverse()
        return tuple(found)

    def explain(self) -> None:
        """Fill paths, via, via_bp and trail (once): one more pass over the links, in `order`.

        Depths are final by now, so every heaviest-path weight is a numerator over
        10000**depth of its own asset from the start: no rescaling.
        """
        if self.trail is not None:
            return
        assets, start, links, depth, powers = self.assets, self.start, self.links, self.depth, self.powers
        size = len(assets)
        paths = [0] * size
        heaviest = [0] * size
        via: list[int | None] = [None] * size
        via_bp = [0] * size
        paths[0] = heaviest[0] = 1
        for i in self.order:
            count = paths[i]
            if not count:  # no money here
                continue
            asset = assets[i]
            above = depth[i] + 1
            weight = heaviest[i]
            for link in links[start[i] : start[i + 1]]:
                royalty_bp = link & _BP_MASK
                if not royalty_bp:
                    continue
                j = link >> _LINK_BITS
                paths[j] += count
                candidate = weight * royalty_bp
                if depth[j] != above:
                    candidate *= powers[depth[j] - above]
                if candidate > heaviest[j] or (candidate == heaviest[j] and asset < via[j]):
                    heaviest[j], via[j], via_bp[j] = candidate, asset, royalty_bp
            heaviest[i] = 0  # passed on to every parent: its memory back (it is as large as the flow)
        self.paths, self.via, self.via_bp = paths, via, via_bp
        self.trail = _Trail(self)


class _Trail(Mapping):
    """Source.last_links: asset → (child, royalty_bp), the last link of its heaviest path."""

    __slots__ = ("_walk",)

    def __init__(self, walk: _Walk):
        self._walk = walk

    def __getitem__(self, asset: int) -> tuple[int, int]:
        i = self._walk.index[asset]
        if self._walk.via[i] is None:
            raise KeyError(asset)
        return self._walk.via[i], self._walk.via_bp[i]

    def __contains__(self, asset: object) -> bool:
        i = self._walk.index.get(asset)
        return i is not None and self._walk.via[i] is not None

    def __iter__(self) -> Iterator[int]:
        return (asset for asset, via in zip(self._walk.assets, self._walk.via, strict=True) if via is not None)

    def __len__(self) -> int:
        return sum(1 for via in self._walk.via if via is not None)


def _walk(asset_id: int, graph: Graph) -> _Walk:
    """Validate the ancestor graph and carry the fractions through it.

    Breadth-first from the earning asset through links of any royalty: every
    asset reached has its links validated (allocate validates the shares, as it
    reads them), and each link is noted by its parent's position. The money is
    carried on the way: the asset at position p passes royalty_bp/10000 of what
    reached it to each parent. What reached it is complete as long as every link
    so far has led to a later position (each child of p then came before p),
    which is so unless a link skips a generation (or closes a cycle). If one
    does, Kahn's algorithm over the noted links orders the assets, each after
    all of its children (assets it never takes lie on or above a cycle), and the
    money is carried again in that order (_carry).

    A parent's flow is a numerator over 10000**depth; when a longer path turns
    up, it is rescaled by the power of 10000 of the difference (integers only, no
    gcd).
    """
    parents = graph.parents
    index = {asset_id: 0}
    assets = [asset_id]
    kept = array("q")
    start = array("q", [0])
    links = array("q")
    note = links.append
    depth: list[int | None] = [0]
    flow: list[int | None] = [1]
    powers = _Powers()
    in_order = True  # every link so far has led to a later position
    for p, asset in enumerate(assets):  # grows while it is read: breadth-first
        listed = parents.get(asset, ())
        if len(listed) > MAX_PARENTS:
            raise TooManyParents(
                f"asset {asset} has {len(listed)} parents; at most {MAX_PARENTS} are allowed", asset_id=asset
            )
        numerator = flow[p] if in_order else None
        above = depth[p] + 1 if numerator is not None else 0
        royalties = 0
        for parent, royalty_bp in listed:
            if type(royalty_bp) is not int or royalty_bp < 0 or royalty_bp > WHOLE:
                raise _out_of_range(royalty_bp, f"the royalty to parent {parent}", asset)
            royalties += royalty_bp
            j = index.get(parent)
            if j is None:
                j = index[parent] = len(assets)
                assets.append(parent)
                depth.append(None)
                flow.append(None)
            elif j <= p:
                in_order = False
                numerator = None
            note(j << _LINK_BITS | royalty_bp)
            if numerator is None or not royalty_bp:
                continue
            have = depth[j]
            if have == above:
                flow[j] += numerator * royalty_bp
            elif have is None:
                depth[j] = above
                flow[j] = numerator * royalty_bp
            elif have > above:
                flow[j] += numerator * royalty_bp * powers[have - above]
            else:
                flow[j] = flow[j] * powers[above - have] + numerator * royalty_bp
                depth[j] = above
        if royalties > WHOLE:
            raise RoyaltiesExceedWhole(
                f"asset {asset}: royalties to its parents sum to {royalties} basis points, more than {WHOLE} (100%)",
                asset_id=asset,
            )
        if len(listed) > 1 and len(dict(listed)) != len(listed):
            twice = next(p for i, (p, _r) in enumerate(listed) if any(p == q for q, _r in listed[:i]))
            raise DuplicateLink(f"asset {asset} lists parent {twice} twice", asset_id=asset)
        kept.append(WHOLE - royalties)
        start.append(len(links))

    size = len(assets)
    order: Sequence[int] = range(size)
    if not in_order:
        order, children = _kahn(start, links, size)
        if len(order) < size:
            raise CycleError(_cycle([asset for asset, left in zip(assets, children, strict=True) if left], parents))
        depth, flow = _carry(order, start, links, powers)

    walk = _Walk()
    walk.graph, walk.assets, walk.index, walk.start, walk.links = graph, assets, index, start, links
    walk.order, walk.kept, walk.depth, walk.flow, walk.powers = order, kept, depth, flow, powers
    walk.paths = walk.via = walk.via_bp = walk.trail = None
    return walk


def _kahn(start: array, links: array, size: int) -> tuple[array, list[int]]:
    """Kahn's algorithm over the noted links, the last asset made ready taken first.

    Returns the positions taken, each after those of all of its children, and per
    position the number of its children never taken (not 0: on or above a cycle).
    """
    children = [0] * size
    for link in links:
        children[link >> _LINK_BITS] += 1
    order = array("q")
    ready = [0] if not children[0] else []
    while ready:
        i = ready.pop()
        order.append(i)
        for link in links[start[i] : start[i + 1]]:
            j = link >> _LINK_BITS
            left = children[j] - 1
            children[j] = left
            if not left:
                ready.append(j)
    return order, children


def _carry(order: array, start: array, links: array, powers: _Powers) -> tuple[list[int | None], list[int | None]]:
    """(depth, flow) per position, the money carried along `order` (each asset after its children)."""
    size = len(order)
    depth: list[int | None] = [None] * size
    flow: list[int | None] = [None] * size
    depth[0], flow[0] = 0, 1
    for i in order:
        numerator = flow[i]
        if numerator is None:  # no money here
            continue
        above = depth[i] + 1
        for link in links[start[i] : start[i + 1]]:
            royalty_bp = link & _BP_MASK
            if not royalty_bp:
                continue
            j = link >> _LINK_BITS
            have = depth[j]
            if have == above:
                flow[j] += numerator * royalty_bp
            elif have is None:
                depth[j] = above
                flow[j] = numerator * royalty_bp
            elif have > above:
                flow[j] += numerator * royalty_bp * powers[have - above]
            else:
                flow[j] = flow[j] * powers[above - have] + numerator * royalty_bp
                depth[j] = above
    return depth, flow


def _cycle(stuck: list[int], parents: Mapping[int, Sequence[tuple[int, int]]]) -> list[int]:
    """One cycle among the assets Kahn's algorithm could not take (each has an untaken child).

    Stepping from one of them to an untaken child, and on, must come back round.
    """
    stuck_set = set(stuck)
    child_of = {}
    for child in stuck:
        for parent, _royalty_bp in parents.get(child, ()):
            if parent in stuck_set:
                child_of.setdefault(parent, child)
    steps = [stuck[0]]
    seen = {stuck[0]: 0}
    while (step := child_of[steps[-1]]) not in seen:
        seen[step] = len(steps)
        steps.append(step)
    cycle = steps[seen[step] :]
    cycle.reverse()  # child → parent, as the links go
    first = cycle.index(min(cycle))  # from the smallest id: the same message whatever the input's order
    cycle = cycle[first:] + cycle[:first]
    return [*cycle, cycle[0]]


# Rounding ---------------------------------------------------------------------------------


def _largest_remainders(
    revenue: int, recipients: list[str], low: list[int], slack: list[int], exact: Callable[[int], tuple[int, int]]
) -> list[int]:
    """Round every recipient's amount (the amounts sum to `revenue`) by the largest-remainder method.

    Recipient k's amount × 2**_PRECISION lies in [low[k], low[k] + slack[k]).
    Where those bounds settle a floor, or the order of remainders at the cut,
    that is the exact answer; where they do not (a sum that may be whole, or
    remainders too close to tell apart at the cut), `exact(k)` → (numerator,
    exponent) of the exact amount over 10000**exponent decides.
    """
    one = 1 << _PRECISION
    amounts = [0] * len(recipients)
    ranked = []  # (-lower, upper, k): the remainder × 2**_PRECISION lies in [lower, upper)
    for k, lower in enumerate(low):
        upper = lower + slack[k]
        whole = lower >> _PRECISION
        if (upper - 1) >> _PRECISION == whole:
            amounts[k] = whole
            ranked.append((whole * one - lower, upper - whole * one, k))
            continue
        numerator, exponent = exact(k)
        whole, remainder = divmod(numerator, WHOLE**exponent)
        amounts[k] = whole
        if remainder:
            lower = (remainder << _PRECISION) // WHOLE**exponent
            ranked.append((-lower, lower + 1, k))
    leftover = revenue - sum(amounts)
    # The exact amounts sum to the revenue, so the leftover is the sum of the remainders:
    # a whole number smaller than the number of non-zero remainders.
    assert 0 <= leftover <= len(ranked), "the cascade lost or created money"
    if not leftover:
        return amounts
    ranked.sort()
    cut = -ranked[leftover - 1][0]  # the smallest lower bound among the first `leftover`
    rest_upper = max((upper for _lower, upper, _k in ranked[leftover:]), default=0)
    if cut >= rest_upper:
        # Each of the first `leftover` certainly has a larger remainder than every other.
        winners = [k for _lower, _upper, k in ranked[:leftover]]
    else:
        winners = [k for lower, _upper, k in ranked[:leftover] if -lower >= rest_upper]
        unsure = [k for lower, _upper, k in ranked[:leftover] if -lower < rest_upper]
        unsure += [k for _lower, upper, k in ranked[leftover:] if upper > cut]
        winners += _exactly_ranked(unsure, recipients, amounts, exact)[: leftover - len(winners)]
    for k in winners:
        amounts[k] += 1
    return amounts


def _exactly_ranked(
    unsure: list[int], recipients: list[str], amounts: list[int], exact: Callable[[int], tuple[int, int]]
) -> list[int]:
    """Recipients by the full tie-break: larger exact remainder, larger exact amount, key ascending."""
    exacts = {k: exact(k) for k in unsure}
    top = max(exponent for _numerator, exponent in exacts.values())

    def rank(k: int) -> tuple[int, int, str]:
        numerator, exponent = exacts[k]
        remainder = numerator % WHOLE**exponent
        return -remainder * WHOLE ** (top - exponent), -amounts[k], recipients[k]

    return sorted(unsure, key=rank)


def _exact_amount(walk: _Walk, revenue: int, recipient: str, assets: Sequence[int]) -> tuple[int, int]:
    """(numerator, exponent): the recipient's exact amount is numerator / 10000**exponent.

    The terms revenue × flow × kept_bp × share_bp over 10000**(depth + 2), summed
    by Horner's rule from the shallowest exponent up: exact, but its cost grows
    with the square of the depth, so allocate() calls it only where the
    fixed-point bounds cannot decide.
    """
    by_exponent: dict[int, int] = {}
    for asset in assets:
        i = walk.index[asset]
        exponent = walk.depth[i] + 2
        term = revenue * walk.flow[i] * walk.kept[i] * _share_bp(walk, asset, recipient)
        by_exponent[exponent] = by_exponent.get(exponent, 0) + term
    numerator = 0
    previous = 0
    for exponent in sorted(by_exponent):
        if numerator:
            numerator *= walk.powers[exponent - previous]
        numerator += by_exponent[exponent]
        previous = exponent
    return numerator, previous


def _share_bp(walk: _Walk, asset: int, recipient: str) -> int:
    return next(share_bp for key, share_bp in walk.graph.contributors[asset] if key == recipient)


# Validation -------------------------------------------------------------------------------


def _check_int(value: object, what: str) -> None:
    if type(value) is not int:
        raise InvalidAmount(f"{what} must be an integer number of minor units, not {value!r}")


def _out_of_range(value: object, what: str, asset: int) -> BasisPointsOutOfRange:
    return BasisPointsOutOfRange(
        f"asset {asset}: {what} is {value!r}; it must be an integer from 0 to {WHOLE} basis points", asset_id=asset
    )


def _check_shares_in_order(walk: _Walk) -> None:
    """Check the shares of every asset in the order Kahn's algorithm takes them: the first fault met is raised."""
    contributors = walk.graph.contributors
    for i in _kahn(walk.start, walk.links, len(walk.assets))[0]:
        asset = walk.assets[i]
        _check_shares(asset, contributors.get(asset))


def _check_shares(asset: int, shares: Sequence[tuple[str, int]] | None) -> None:
    if not shares:
        raise SharesNotWhole(f"asset {asset} has no contributors to pay", asset_id=asset)
    total = 0
    for recipient, share_bp in shares:
        if type(share_bp) is not int or share_bp < 0 or share_bp > WHOLE:
            raise _out_of_range(share_bp, f"the share of {recipient!r}", asset)
        if type(recipient) is not str or not recipient:
            raise SharesNotWhole(f"asset {asset}: recipient key {recipient!r} is not a non-empty str", asset_id=asset)
        total += share_bp
    if len(shares) > 1 and len(dict(shares)) != len(shares):
        twice = next(r for i, (r, _s) in enumerate(shares) if any(r == q for q, _s in shares[:i]))
        raise SharesNotWhole(f"asset {asset} lists recipient {twice!r} twice", asset_id=asset)
    if total != WHOLE:
        raise SharesNotWhole(
            f"asset {asset}: contributor shares sum to {total} basis points, not {WHOLE} (100%)", asset_id=asset
        )
