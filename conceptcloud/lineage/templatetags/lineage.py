"""What the lineage app shows on other apps' pages.

    {% asset_lineage view %}   the asset page's "Creative lineage" section: the derivation
                               graph drawn as an inline SVG (laid out by graph_layout), the
                               same graph as a list, the contributors and the terms, and the
                               "Build on this" and "Contributors and terms" buttons
    {% lineage_requests %}     the dashboard's "Waiting for your decision": derivation
                               requests on my assets and share proposals waiting for me
    {{ bp|percent }}           basis points as a percentage: 3333 → "33.33%"
    {{ code|role_label }}      a contributor's role in the reader's language

Both tags read through the lineage selectors with the viewer from the request, so
the visibility rule holds wherever they are placed: an asset the viewer may not
see is drawn as an unlabelled placeholder without a link and listed without a title.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from conceptcloud.lineage import selectors
from conceptcloud.lineage.forms import percent_text
from conceptcloud.lineage.graph_layout import layout, svg_number, wrap_label
from conceptcloud.lineage.models import Derivation, LineageTerms, Role
from conceptcloud.registry.models import Asset

register = template.Library()

# The drawing in SVG user units. Two boxes to a row make the drawing 360 units
# wide, so on a 360 px phone (328 px of content) it scales to about 0.9 and the
# 14-unit titles stay at about 12.8 px; on wider screens it keeps its size.
NODE_WIDTH = 168
NODE_HEIGHT = 66
PER_ROW = 2
GAP_X = 12
ROW_GAP = 14
LAYER_GAP = 38
MARGIN = 6
TITLE_SIZE = 14
LABEL_SIZE = 12
PADDING = 10
LABEL_BASELINE = 19
TITLE_BASELINE = 40
TITLE_LEADING = 18
TITLE_LINES = 2

# Each link in the list, said from the ancestor's side and from the descendant's.
RELATION_FROM_PARENT = {
    Derivation.Relation.IMPROVES: _("improved by {asset}"),
    Derivation.Relation.COMBINES: _("combined into {asset}"),
}
RELATION_FROM_CHILD = {
    Derivation.Relation.IMPROVES: _("improves {asset}"),
    Derivation.Relation.COMBINES: _("combines {asset} with others"),
}


@register.filter
def percent(bp) -> str:
    """Basis points as a percentage, e.g. 3333 → "33.33%"."""
    try:
        return f"{percent_text(int(bp))}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def role_label(role) -> str:
    """A stored role code in the reader's language."""
    return str(dict(Role.choices).get(role, role))


@dataclass(frozen=True)
class DrawnNode:
    """One box of the drawing; coordinates are SVG numbers (strings, never localised)."""

    node: selectors.LineageNode
    x: str
    y: str
    text_x: str
    label_y: str
    url: str | None  # None for an asset the viewer may not see: no link, no text
    label: str  # the small first line: "First idea" or the kind
    lines: list[tuple[str, str]]  # (baseline y, text) of the title

    @property
    def name(self) -> str:
        """What the link says to a screen reader: the title, then "first idea" and "this asset" where they hold."""
        marks = [str(mark) for mark, holds in ((_("first idea"), self.node.first_idea), (_("this asset"), self.node.focus)) if holds]
        return f"{self.node.title} ({', '.join(marks)})" if marks else self.node.title or ""


@dataclass(frozen=True)
class DrawnEdge:
    path: str
    pending: bool


def _drawing(graph: selectors.LineageGraph) -> dict:
    """The graph as boxes and curves in SVG units, for the template."""
    drawn = layout(
        [(node.asset_id, node.depth) for node in graph.nodes],
        [(edge.parent_id, edge.child_id) for edge in graph.edges],
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        gap_x=GAP_X,
        row_gap=ROW_GAP,
        layer_gap=LAYER_GAP,
        margin=MARGIN,
        per_row=PER_ROW,
    )
    kinds = dict(Asset.Kind.choices)
    title_width = (NODE_WIDTH - 2 * PADDING) / TITLE_SIZE
    nodes = []
    for node in graph.nodes:
        box = drawn.boxes[node.asset_id]
        where = {
            "x": svg_number(box.x),
            "y": svg_number(box.y),
            "text_x": svg_number(box.x + PADDING),
            "label_y": svg_number(box.y + LABEL_BASELINE),
        }
        if not node.visible:
            nodes.append(DrawnNode(node=node, url=None, label="", lines=[], **where))
            continue
        lines = wrap_label(node.title or "", width=title_width, max_lines=TITLE_LINES)
        nodes.append(
            DrawnNode(
                node=node,
                url=reverse("registry:asset_detail", args=[node.asset_id]),
                label=str(_("First idea")) if node.first_idea else str(kinds.get(node.kind, node.kind or "")),
                lines=[(svg_number(box.y + TITLE_BASELINE + TITLE_LEADING * i), line) for i, line in enumerate(lines)],
                **where,
            )
        )
    curves = {(curve.parent, curve.child): curve for curve in drawn.curves}
    edges = [
        DrawnEdge(path=curves[(edge.parent_id, edge.child_id)].path, pending=edge.status == Derivation.Status.PENDING)
        for edge in graph.edges
    ]
    return {
        "width": svg_number(drawn.width),
        "height": svg_number(drawn.height),
        "node_width": svg_number(NODE_WIDTH),
        "node_height": svg_number(NODE_HEIGHT),
        "title_size": svg_number(TITLE_SIZE),
        "label_size": svg_number(LABEL_SIZE),
        "nodes": nodes,
        "edges": edges,
        "has_pending": any(edge.pending for edge in edges),
        "has_hidden": any(not node.node.visible for node in nodes),
    }


def _node_html(node: selectors.LineageNode) -> str:
    if node.focus:
        return format_html("<strong>{}</strong>", _("this asset"))
    if node.visible:
        return format_html('<a href="{}">{}</a>', reverse("registry:asset_detail", args=[node.asset_id]), node.title)
    return format_html('<span class="muted">{}</span>', _("an asset you cannot see"))


def _as_lists(graph: selectors.LineageGraph) -> tuple[list[dict], list[dict]]:
    """Ancestors (nearest first) with the links to what was built on them, and
    descendants (nearest first) with the links to what they build on."""
    by_id = {node.asset_id: node for node in graph.nodes}

    def link(edge: selectors.LineageEdge, *, other: int, sentences: dict) -> dict:
        return {
            "sentence": format_html(str(sentences[edge.relation]), asset=_node_html(by_id[other])),
            "royalty_bp": edge.royalty_bp,
            "pending": edge.status == Derivation.Status.PENDING,
        }

    def item(node: selectors.LineageNode, links: list[dict]) -> dict:
        return {"node": node, "html": _node_html(node), "generations": abs(node.depth), "links": links}

    ancestors = [
        item(node, [link(e, other=e.child_id, sentences=RELATION_FROM_PARENT) for e in graph.edges if e.parent_id == node.asset_id])
        for node in sorted((n for n in graph.nodes if n.depth < 0), key=lambda n: (-n.depth, n.asset_id))
    ]
    descendants = [
        item(node, [link(e, other=e.parent_id, sentences=RELATION_FROM_CHILD) for e in graph.edges if e.child_id == node.asset_id])
        for node in graph.nodes
        if node.depth > 0
    ]
    return ancestors, descendants


@register.inclusion_tag("lineage/partials/_lineage.html", takes_context=True)
def asset_lineage(context, view):
    """The lineage section of an asset page, for the viewer of `view` (an AssetView)."""
    request = context["request"]
    user = request.user
    asset = view.asset
    graph = selectors.lineage_graph_for_user(asset_id=asset.pk, user=user)
    ancestors, descendants = _as_lists(graph)
    terms = selectors.terms_for_asset(asset=asset)
    return {
        "request": request,
        "asset": asset,
        "view": view,
        "graph": graph,
        "drawing": _drawing(graph) if len(graph.nodes) > 1 else None,
        "ancestors": ancestors,
        "descendants": descendants,
        "first_idea": next(node for node in graph.nodes if node.first_idea),
        "contributors": selectors.contributions_for_asset(asset=asset),
        "terms": terms,
        "agreement_label": LineageTerms.Agreement(terms.share_changes_need).label,
        "can_build_on": user.is_authenticated and user.is_active,
    }


@register.inclusion_tag("lineage/partials/_requests.html", takes_context=True)
def lineage_requests(context):
    """Pending derivation requests on the viewer's assets and share proposals waiting for them."""
    request = context["request"]
    return {
        "request": request,
        "derivations": selectors.derivation_requests_for_user(user=request.user),
        "proposals": selectors.share_proposals_for_user(user=request.user),
    }
