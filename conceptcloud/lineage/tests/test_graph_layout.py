"""The layered layout of derivation graphs: placements, order, crossings and labels."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.lineage.graph_layout import (
    ELLIPSIS,
    crossings,
    layer_order,
    layout,
    text_width,
    wrap_label,
)


def overlap(a, b) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


@st.composite
def graphs(draw):
    """A random graph with depths; edges only go from a shallower to a deeper node, as in lineage graphs."""
    size = draw(st.integers(min_value=1, max_value=24))
    depths = draw(st.lists(st.integers(min_value=-4, max_value=4), min_size=size, max_size=size))
    nodes = [(f"n{i}", depth) for i, depth in enumerate(depths)]
    candidates = [(a, b) for (a, da), (b, db) in itertools.permutations(nodes, 2) if da < db]
    edges = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=40)) if candidates else []
    return nodes, edges


# ---------------------------------------------------------------- invariants


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=4))
def test_every_node_is_placed_once_inside_the_drawing_without_overlapping_another(graph, per_row):
    nodes, edges = graph
    drawn = layout(nodes, edges, per_row=per_row)
    assert sorted(drawn.boxes) == sorted(node for node, _depth in nodes)
    for box in drawn.boxes.values():
        assert 0 <= box.x and box.x + box.width <= drawn.width
        assert 0 <= box.y and box.y + box.height <= drawn.height
    for a, b in itertools.combinations(drawn.boxes.values(), 2):
        assert not overlap(a, b)


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=4))
def test_layers_stand_top_to_bottom_by_depth_and_every_edge_runs_downwards(graph, per_row):
    nodes, edges = graph
    drawn = layout(nodes, edges, per_row=per_row)
    for a, b in itertools.permutations(drawn.boxes.values(), 2):
        if a.depth < b.depth:
            assert a.bottom < b.y
    assert len(drawn.curves) == len(edges)
    for curve, (parent, child) in zip(drawn.curves, edges, strict=True):
        assert (curve.parent, curve.child) == (parent, child)
        assert curve.start == (drawn.boxes[parent].centre_x, drawn.boxes[parent].bottom)
        assert curve.end == (drawn.boxes[child].centre_x, drawn.boxes[child].y)
        assert curve.start[1] < curve.end[1]


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=4))
def test_no_layer_is_wider_than_per_row_boxes(graph, per_row):
    nodes, edges = graph
    drawn = layout(nodes, edges, per_row=per_row, node_width=100, gap_x=10, margin=5)
    widest = min(per_row, max(sum(1 for _n, d in nodes if d == depth) for _n, depth in nodes))
    assert drawn.width == 2 * 5 + widest * 100 + (widest - 1) * 10
    rows = {}
    for box in drawn.boxes.values():
        rows.setdefault(box.y, []).append(box)
    assert all(len(row) <= per_row for row in rows.values())


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_the_ordering_never_has_more_crossings_than_the_order_given(graph):
    nodes, edges = graph
    given_order = [[n for n, d in nodes if d == depth] for depth in sorted({d for _n, d in nodes})]
    assert crossings(layer_order(nodes, edges), edges) <= crossings(given_order, edges)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_the_same_graph_always_gets_the_same_drawing(graph):
    nodes, edges = graph
    assert layout(nodes, edges) == layout(list(nodes), list(edges))


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_crossings_count_agrees_with_checking_every_pair_of_edges(graph):
    nodes, edges = graph
    order = layer_order(nodes, edges)
    where = {node: (li, i) for li, layer in enumerate(order) for i, node in enumerate(layer)}
    expected = 0
    for (p1, c1), (p2, c2) in itertools.combinations(edges, 2):
        (lp1, x1), (lc1, y1) = where[p1], where[c1]
        (lp2, x2), (lc2, y2) = where[p2], where[c2]
        if (lp1, lc1) == (lp2, lc2) and (x1 - x2) * (y1 - y2) < 0:
            expected += 1
    assert crossings(order, edges) == expected


# ---------------------------------------------------------------- shapes


def test_a_diamond_draws_the_root_above_the_two_middles_side_by_side_above_the_focus():
    nodes = [("root", -2), ("left", -1), ("right", -1), ("focus", 0)]
    edges = [("root", "left"), ("root", "right"), ("left", "focus"), ("right", "focus")]
    drawn = layout(nodes, edges)
    root, left, right, focus = (drawn.boxes[n] for n, _d in nodes)
    assert left.y == right.y
    assert root.bottom < left.y and right.bottom < focus.y
    assert root.centre_x == focus.centre_x == drawn.width / 2
    assert left.centre_x < root.centre_x < right.centre_x
    assert crossings(layer_order(nodes, edges), edges) == 0


def test_sixteen_parents_wrap_two_to_a_row_above_the_asset_that_combines_them():
    parents = [(f"p{i}", -1) for i in range(16)]
    nodes = [*parents, ("focus", 0), ("child", 1)]
    edges = [(p, "focus") for p, _d in parents] + [("focus", "child")]
    drawn = layout(nodes, edges, node_width=170, node_height=60, gap_x=10, row_gap=12, layer_gap=30, margin=5)
    assert drawn.width == 5 + 170 + 10 + 170 + 5
    assert len({drawn.boxes[p].y for p, _d in parents}) == 8
    assert drawn.height == 5 + 8 * 60 + 7 * 12 + 30 + 60 + 30 + 60 + 5
    assert drawn.boxes["focus"].y > max(drawn.boxes[p].bottom for p, _d in parents)


def test_a_lone_node_in_a_wrapped_row_is_centred():
    drawn = layout([("a", 0), ("b", 0), ("c", 0)], [], per_row=2, node_width=100, gap_x=10, margin=0)
    assert drawn.boxes["c"].centre_x == drawn.width / 2
    assert drawn.boxes["c"].y > drawn.boxes["a"].y


def test_barycentre_sweeps_untangle_two_crossed_chains():
    nodes = [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 2), ("f", 2)]
    edges = [("a", "d"), ("b", "c"), ("c", "f"), ("d", "e")]
    assert crossings([["a", "b"], ["c", "d"], ["e", "f"]], edges) == 2
    order = layer_order(nodes, edges)
    assert crossings(order, edges) == 0
    assert order[0] == ["a", "b"]  # the first layer keeps the order given


def test_two_parents_each_linked_to_two_children_cross_once():
    assert crossings([["a", "b"], ["c", "d"]], [("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")]) == 1


def test_an_edge_path_is_a_vertical_s_curve_between_the_boxes():
    drawn = layout([("p", -1), ("c", 0)], [("p", "c")], node_width=100, node_height=50, layer_gap=40, margin=0)
    assert drawn.curves[0].path == "M50 50 C50 70 50 70 50 90"


def test_an_empty_graph_is_an_empty_drawing():
    drawn = layout([], [])
    assert drawn.boxes == {} and drawn.curves == [] and drawn.width == drawn.height == 16


def test_a_repeated_node_or_an_edge_to_an_unknown_node_is_refused():
    with pytest.raises(ValueError):
        layout([("a", 0), ("a", 1)], [])
    with pytest.raises(ValueError):
        layout([("a", 0)], [("a", "ghost")])
    with pytest.raises(ValueError):
        layout([("a", 0)], [], per_row=0)


# ---------------------------------------------------------------- labels


def test_a_short_title_stays_on_one_line():
    assert wrap_label("  Gear   bearing ", width=12, max_lines=2) == ["Gear bearing"]


def test_a_long_title_breaks_between_words_and_ends_in_an_ellipsis_when_cut():
    lines = wrap_label("Harmonic drive for robot joints with a tooth profile", width=11, max_lines=2)
    assert lines == ["Harmonic drive for", "robot joints with" + ELLIPSIS]


def test_japanese_titles_break_between_any_two_characters():
    lines = wrap_label("ロボット関節用の波動歯車装置", width=6, max_lines=3)
    assert lines == ["ロボット関節", "用の波動歯車", "装置"]


def test_a_word_longer_than_a_line_is_split():
    assert wrap_label("Supercalifragilistic", width=3, max_lines=4) == ["Super", "calif", "ragil", "istic"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab cdeXYZ-.関節用の波動"), max_size=80),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=4),
)
def test_every_label_line_fits_and_the_lines_keep_the_text_in_order(text, width, max_lines):
    lines = wrap_label(text, width=width, max_lines=max_lines)
    assert len(lines) <= max_lines
    assert all(text_width(line) <= width for line in lines)
    assert all(line == line.strip() and line for line in lines)
    joined = "".join(lines).replace(" ", "")
    original = text.replace(" ", "")
    if joined.endswith(ELLIPSIS) and not original.startswith(joined):
        assert original.startswith(joined[: -len(ELLIPSIS)])
    else:
        assert joined == original
