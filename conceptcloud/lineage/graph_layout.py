"""Layered drawing of a derivation graph: where each node goes, for an SVG.

Pure: imports nothing from Django. Nodes carry a depth (ancestors negative, the
focus 0, descendants positive); edges go from a parent to a child.

    layer_order(nodes, edges)   the nodes grouped in layers by depth (shallowest
                                first), each layer ordered to reduce crossings:
                                alternate down and up sweeps place every node at
                                the barycentre (mean position) of its neighbours
                                in the layers already swept; the ordering with
                                the fewest crossings seen is kept
    crossings(layers, edges)    how many pairs of edges cross in that ordering
    layout(nodes, edges, ...)   boxes and edge curves: one band of rows per
                                layer, top to bottom by depth (ancestors above),
                                a layer wider than `per_row` nodes wrapping onto
                                further rows so the drawing stays narrow enough
                                for a phone; overall width and height
    wrap_label(text, ...)       a title broken into at most a few lines that fit
                                a box, estimating widths (East Asian wide
                                characters one em, others a little over half)

Everything is deterministic: ties keep the order the nodes were given in, so
the same graph always draws the same way. Node ids only need to be hashable.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

NodeId = Hashable

SWEEPS = 12
ELLIPSIS = "…"


@dataclass(frozen=True)
class Box:
    """A node's rectangle: (x, y) is its top-left corner."""

    id: NodeId
    depth: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Curve:
    """An edge drawn from the parent's bottom centre to the child's top centre
    (or from top to bottom when the child is drawn above its parent)."""

    parent: NodeId
    child: NodeId
    start: tuple[float, float]
    end: tuple[float, float]

    @property
    def path(self) -> str:
        """SVG path data: a cubic Bézier that leaves and enters vertically."""
        (x1, y1), (x2, y2) = self.start, self.end
        middle = (y1 + y2) / 2
        return "M{} {} C{} {} {} {} {} {}".format(*map(svg_number, (x1, y1, x1, middle, x2, middle, x2, y2)))


@dataclass(frozen=True)
class Layout:
    boxes: dict[NodeId, Box]
    curves: list[Curve]
    width: float
    height: float


def svg_number(value: float) -> str:
    """A coordinate as SVG wants it: at most one decimal, no exponent, never localised."""
    return f"{round(value, 1):.1f}".removesuffix(".0")


def _check(nodes: Sequence[tuple[NodeId, int]], edges: Sequence[tuple[NodeId, NodeId]]) -> None:
    ids = [node for node, _depth in nodes]
    if len(set(ids)) != len(ids):
        raise ValueError("a node is given twice")
    known = set(ids)
    for parent, child in edges:
        if parent not in known or child not in known:
            raise ValueError(f"edge {parent!r} -> {child!r} names an unknown node")


def layer_order(
    nodes: Sequence[tuple[NodeId, int]], edges: Sequence[tuple[NodeId, NodeId]], *, sweeps: int = SWEEPS
) -> list[list[NodeId]]:
    """The nodes in layers by ascending depth, each ordered to reduce edge crossings.

    Preconditions: node ids are unique and every edge names two given nodes
    (ValueError otherwise). The first ordering is the order given; a sweep
    reorders a layer by the mean normalised position of each node's neighbours
    in the layers before it (down) or after it (up), keeping the node's own
    position when it has none there, ties in the current order.
    """
    _check(nodes, edges)
    depths = sorted({depth for _node, depth in nodes})
    layers = [[node for node, depth in nodes if depth == d] for d in depths]
    layer_of = {node: i for i, layer in enumerate(layers) for node in layer}
    neighbours: dict[NodeId, list[NodeId]] = {node: [] for node, _depth in nodes}
    for parent, child in edges:
        if parent != child:
            neighbours[parent].append(child)
            neighbours[child].append(parent)

    def positions(order: list[list[NodeId]]) -> dict[NodeId, float]:
        return {node: (i + 0.5) / len(layer) for layer in order for i, node in enumerate(layer)}

    def reorder(order: list[list[NodeId]], index: int, *, before: bool) -> None:
        pos = positions(order)
        layer = order[index]

        def key(item: tuple[int, NodeId]) -> tuple[float, int]:
            i, node = item
            sides = [
                pos[other]
                for other in neighbours[node]
                if (layer_of[other] < index if before else layer_of[other] > index)
            ]
            return (sum(sides) / len(sides) if sides else pos[node], i)

        order[index] = [node for _i, node in sorted(enumerate(layer), key=key)]

    order = [list(layer) for layer in layers]
    best, fewest = [list(layer) for layer in order], crossings(order, edges)
    for sweep in range(sweeps):
        if fewest == 0:
            break
        down = sweep % 2 == 0
        indexes = range(1, len(order)) if down else range(len(order) - 2, -1, -1)
        for index in indexes:
            reorder(order, index, before=down)
        count = crossings(order, edges)
        if count < fewest:
            best, fewest = [list(layer) for layer in order], count
    return best


def crossings(layers: Sequence[Sequence[NodeId]], edges: Sequence[tuple[NodeId, NodeId]]) -> int:
    """Pairs of edges that cross when each layer is drawn in the given order.

    Edges are compared with the others joining the same two layers (for edges
    between neighbouring layers, exactly the crossings of the drawing); edges
    sharing an end never cross. O(E log E) per pair of layers (Fenwick tree).
    """
    where = {node: (li, i) for li, layer in enumerate(layers) for i, node in enumerate(layer)}
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for parent, child in edges:
        (la, pa), (lb, pb) = where[parent], where[child]
        if la == lb:
            continue
        if la > lb:
            (la, pa), (lb, pb) = (lb, pb), (la, pa)
        groups.setdefault((la, lb), []).append((pa, pb))
    total = 0
    for (_la, lb), pairs in groups.items():
        pairs.sort()
        size = len(layers[lb])
        tree = [0] * (size + 1)
        seen = 0
        for _pa, pb in pairs:
            # Earlier edges (smaller or equal top end) whose bottom end lies strictly to the right.
            at_most = 0
            i = pb + 1
            while i > 0:
                at_most += tree[i]
                i -= i & -i
            total += seen - at_most
            i = pb + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
            seen += 1
    return total


def layout(
    nodes: Sequence[tuple[NodeId, int]],
    edges: Sequence[tuple[NodeId, NodeId]],
    *,
    node_width: float = 176,
    node_height: float = 64,
    gap_x: float = 16,
    row_gap: float = 16,
    layer_gap: float = 40,
    margin: float = 8,
    per_row: int = 2,
) -> Layout:
    """Boxes for every node and curves for every edge, layers top to bottom by depth.

    Each layer takes ceil(n / per_row) rows, each row centred; boxes never
    overlap and every box lies inside (0, 0)–(width, height), `margin` from
    the edges. Curves run from the parent's bottom to the child's top.
    """
    if per_row < 1:
        raise ValueError("per_row must be at least 1")
    layers = layer_order(nodes, edges)
    depth_of = dict(nodes)
    columns = min(per_row, max((len(layer) for layer in layers), default=0))
    width = 2 * margin + columns * node_width + max(columns - 1, 0) * gap_x
    boxes: dict[NodeId, Box] = {}
    y = margin
    for layer in layers:
        rows = math.ceil(len(layer) / per_row)
        for r in range(rows):
            row = layer[r * per_row : (r + 1) * per_row]
            row_width = len(row) * node_width + (len(row) - 1) * gap_x
            left = (width - row_width) / 2
            for i, node in enumerate(row):
                boxes[node] = Box(
                    id=node,
                    depth=depth_of[node],
                    x=left + i * (node_width + gap_x),
                    y=y + r * (node_height + row_gap),
                    width=node_width,
                    height=node_height,
                )
        y += rows * node_height + (rows - 1) * row_gap + layer_gap
    height = (y - layer_gap + margin) if layers else 2 * margin
    curves = []
    for parent, child in edges:
        top, bottom = boxes[parent], boxes[child]
        if top.y <= bottom.y:
            start, end = (top.centre_x, top.bottom), (bottom.centre_x, bottom.y)
        else:
            start, end = (top.centre_x, top.y), (bottom.centre_x, bottom.bottom)
        curves.append(Curve(parent=parent, child=child, start=start, end=end))
    return Layout(boxes=boxes, curves=curves, width=width, height=height)


# ---------------------------------------------------------------- labels


def char_width(char: str) -> float:
    """Estimated advance of one character in em: wide East Asian characters 1, others 0.6."""
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.6


def text_width(text: str) -> float:
    return sum(char_width(char) for char in text)


def _tokens(text: str) -> list[str]:
    """Words, single wide characters (which may break anywhere) and single spaces."""
    tokens: list[str] = []
    word = ""
    for char in " ".join(text.split()):
        if char == " " or char_width(char) == 1.0:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def _fit(text: str, width: float) -> str:
    """The longest prefix of `text` within `width` em."""
    used = 0.0
    for i, char in enumerate(text):
        used += char_width(char)
        if used > width:
            return text[:i]
    return text


def wrap_label(text: str, *, width: float, max_lines: int) -> list[str]:
    """`text` (whitespace collapsed) in at most `max_lines` lines of at most `width` em.

    Lines break between words and around wide characters; a word longer than
    a line is split. When the text does not fit, the last line ends in "…".
    """
    if width < 1 or max_lines < 1:
        raise ValueError("a label needs room for at least one line of one character")
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if token == " ":
            if line and text_width(line + " ") <= width:
                line += " "
            elif line:
                lines.append(line)
                line = ""
            continue
        if text_width(line + token) <= width:
            line += token
            continue
        if line:
            lines.append(line.rstrip())
        while text_width(token) > width:  # a word longer than a whole line
            head = _fit(token, width)
            lines.append(head)
            token = token[len(head) :]
        line = token
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = _fit(kept[-1], width - char_width(ELLIPSIS)).rstrip() + ELLIPSIS
    return kept
