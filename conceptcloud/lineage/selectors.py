"""Every read of contributions, lineage terms and derivation links.

    terms_for_asset(asset=)                 the asset's terms (unsaved defaults when none stored)
    contributions_for_asset(asset=)         ContributorRows; the registrant as implicit
                                            originator with 100% while none are stored
    share_proposals_for_user(user=)         pending proposals waiting for this person's agreement
    share_proposals_for_asset(asset=, user=)  pending proposals of one asset this person is party to
    share_proposal_get_for_user(proposal_id=, user=)
    derivation_requests_for_user(user=)     pending links to assets this person manages
    derivation_get_for_user(derivation_id=, user=)
    lineage_graph_for_user(asset_id=, user=)  ancestors and descendants of an asset (LineageGraph)
    descendant_ids(asset_id=)               every asset building on one, over non-declined links
    contribution_shares(assets=)            (asset id, person id, share_bp) of the stored
                                            contributions of a queryset of assets, in bulk
    approved_links(assets=)                 (child id, parent id, royalty_bp) of the approved
                                            links between assets of a queryset, in bulk
    contribution_roles(user_id=)            (asset id, role) of a person's stored contributions

Visibility: assets are named only through `registry.selectors.asset_access`.
An asset the viewer may not see (Access.NONE) appears as an `AssetRef` or a
graph node without title or kind, never with its content. Proposals and link
requests are answered only to the people they concern (404 to everyone else).
Declined links are history: they take no part in the graph, the parent count
or the royalty sum; pending links do.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from conceptcloud.core.errors import NotFound
from conceptcloud.lineage.models import FULL_SHARE, Contribution, Derivation, LineageTerms, Role, ShareProposal
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_access, asset_get_for_user, assets_managed_q


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _manages(user, asset: Asset) -> bool:
    return asset_access(asset=asset, user=user) == Access.MANAGE


@dataclass(frozen=True)
class AssetRef:
    """An asset named for one viewer: `title` is None when the viewer may not see it."""

    asset_id: int
    title: str | None

    @property
    def visible(self) -> bool:
        return self.title is not None


def _ref(asset: Asset, user) -> AssetRef:
    visible = asset_access(asset=asset, user=user) != Access.NONE
    return AssetRef(asset_id=asset.pk, title=asset.title if visible else None)


# Terms and contributions ------------------------------------------------------


def terms_for_asset(*, asset: Asset) -> LineageTerms:
    """The asset's lineage terms; an unsaved LineageTerms with the defaults
    (no royalty, no approval, the owner decides shares) when none are stored."""
    return LineageTerms.objects.filter(asset=asset).first() or LineageTerms(asset=asset)


@dataclass(frozen=True)
class ContributorRow:
    user: object  # accounts.User
    role: str
    share_bp: int
    implicit: bool  # True: no contributions are stored; the registrant counts as the originator

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def contributions_for_asset(*, asset: Asset) -> list[ContributorRow]:
    """The asset's contributors, largest share first. Shares sum to FULL_SHARE."""
    stored = Contribution.objects.filter(asset=asset).select_related("user")
    rows = [ContributorRow(user=c.user, role=c.role, share_bp=c.share_bp, implicit=False) for c in stored]
    if rows:
        return rows
    return [ContributorRow(user=asset.created_by, role=Role.ORIGINATOR, share_bp=FULL_SHARE, implicit=True)]


def contribution_shares(*, assets) -> list[tuple[int, int, int]]:
    """(asset id, person id, share_bp) of every stored contribution to `assets` (a
    queryset the caller chose; not per viewer: for computations over the whole graph).
    Assets with none stored have their registrant as implicit originator, which the
    caller adds (see contributions_for_asset)."""
    rows = Contribution.objects.filter(asset__in=assets.order_by().values("pk"))
    return list(rows.order_by().values_list("asset_id", "user_id", "share_bp"))


def approved_links(*, assets) -> list[tuple[int, int, int]]:
    """(child id, parent id, royalty_bp) of every approved link whose two ends are
    both in `assets` (a queryset; not per viewer, as contribution_shares)."""
    ids = assets.order_by().values("pk")
    rows = Derivation.objects.filter(status=Derivation.Status.APPROVED, child__in=ids, parent__in=ids)
    return list(rows.order_by().values_list("child_id", "parent_id", "royalty_bp"))


def contribution_roles(*, user_id: int) -> list[tuple[int, str]]:
    """(asset id, role) of each stored contribution of one person (ids only: the
    caller shows the assets through the visibility rule)."""
    return list(Contribution.objects.filter(user_id=user_id).order_by().values_list("asset_id", "role"))


# Share proposals --------------------------------------------------------------


def contributions_of_people(*, user_ids: Iterable[int], assets) -> list[tuple[int, int]]:
    """(user id, asset id) of each contribution other than as originator that these
    people made to `assets` (a queryset the caller has already limited to what its
    viewer may see): a person's record of improving, combining, funding others' work."""
    rows = Contribution.objects.filter(user_id__in=list(user_ids), asset__in=assets.order_by().values("pk"))
    return list(rows.exclude(role=Role.ORIGINATOR).values_list("user_id", "asset_id"))


def _proposal_parties(proposal: ShareProposal, user) -> tuple[bool, bool]:
    """(whose agreement is needed, manages the asset) for one viewer."""
    if not _is_active(user):
        return False, False
    return user.username in proposal.needed, _manages(user, proposal.asset)


def share_proposal_get_for_user(*, proposal_id: int, user) -> ShareProposal:
    """One proposal, for the people whose agreement it needs and the asset's managers;
    NotFound for everyone else."""
    try:
        proposal = ShareProposal.objects.select_related("asset", "proposed_by").get(pk=proposal_id)
    except (ShareProposal.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such proposal.")) from None
    if not any(_proposal_parties(proposal, user)):
        raise NotFound(_("No such proposal."))
    return proposal


@dataclass(frozen=True)
class ProposalRow:
    proposal: ShareProposal
    asset: AssetRef

    @property
    def waiting_for(self) -> list[str]:
        """Usernames whose agreement is still missing."""
        return [name for name in self.proposal.needed if name not in self.proposal.agreed]


def share_proposals_for_user(*, user) -> list[ProposalRow]:
    """Pending proposals waiting for this person's agreement, oldest first."""
    if not _is_active(user):
        return []
    # Whose agreement a proposal needs is fixed when it is made: the asset's
    # contributors then (the registrant while none are stored). Contributions
    # do not change while it is pending (applying another proposal withdraws
    # it), so the candidates are found by SQL and confirmed in Python (JSON
    # containment is not portable to SQLite).
    contributes = Q(asset__contributions__user=user) | Q(asset__created_by=user, asset__contributions__isnull=True)
    candidates = (
        ShareProposal.objects.filter(contributes, status=ShareProposal.Status.PENDING)
        .select_related("asset", "proposed_by")
        .distinct()
        .order_by("created_at", "id")
    )
    return [
        ProposalRow(proposal=p, asset=_ref(p.asset, user))
        for p in candidates
        if user.username in p.needed and user.username not in p.agreed
    ]


def share_proposals_for_asset(*, asset: Asset, user) -> list[ShareProposal]:
    """Pending proposals of one asset: all of them for its managers, those that
    need their agreement for its contributors, none for anyone else."""
    if not _is_active(user):
        return []
    pending = asset.share_proposals.filter(status=ShareProposal.Status.PENDING).select_related("proposed_by")
    if _manages(user, asset):
        return list(pending)
    return [p for p in pending if user.username in p.needed]


# Derivation links --------------------------------------------------------------


def derivation_get_for_user(*, derivation_id: int, user) -> Derivation:
    """One link, for the managers of its parent or of its child; NotFound for everyone else."""
    try:
        link = Derivation.objects.select_related("parent", "child", "requested_by").get(pk=derivation_id)
    except (Derivation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such derivation.")) from None
    if not (_is_active(user) and (_manages(user, link.parent) or _manages(user, link.child))):
        raise NotFound(_("No such derivation."))
    return link


@dataclass(frozen=True)
class DerivationRequest:
    derivation: Derivation
    parent: AssetRef  # managed by the viewer: always visible
    child: AssetRef  # no title when the viewer may not see the child (e.g. a draft)


def derivation_requests_for_user(*, user) -> list[DerivationRequest]:
    """Pending links whose parent the user manages, oldest first."""
    if not _is_active(user):
        return []
    pending = (
        Derivation.objects.filter(assets_managed_q(user=user, prefix="parent__"), status=Derivation.Status.PENDING)
        .select_related("parent", "child", "requested_by")
        .order_by("created_at", "id")
    )
    return [DerivationRequest(derivation=d, parent=_ref(d.parent, user), child=_ref(d.child, user)) for d in pending]


def _links(*, ends: Iterable[int], direction: str) -> list[tuple[int, int]]:
    """(parent_id, child_id) of the non-declined links whose child (direction "up")
    or parent ("down") is among `ends`."""
    column = "child_id__in" if direction == "up" else "parent_id__in"
    return list(
        Derivation.objects.filter(**{column: list(ends)})
        .exclude(status=Derivation.Status.DECLINED)
        .values_list("parent_id", "child_id")
    )


def _reachable(start: int, *, direction: str) -> dict[int, list[int]]:
    """Every asset reachable from `start` (upwards: ancestors, downwards:
    descendants) mapped to its neighbours in that direction; one query per level."""
    neighbours: dict[int, list[int]] = {start: []}
    frontier = {start}
    while frontier:
        found: set[int] = set()
        for parent_id, child_id in _links(ends=frontier, direction=direction):
            here, there = (child_id, parent_id) if direction == "up" else (parent_id, child_id)
            neighbours[here].append(there)
            if there not in neighbours:
                neighbours[there] = []
                found.add(there)
        frontier = found
    return neighbours


def descendant_ids(*, asset_id: int) -> set[int]:
    """Ids of every asset that builds on `asset_id`, directly or not (non-declined links)."""
    return set(_reachable(asset_id, direction="down")) - {asset_id}


def _longest_paths(start: int, neighbours: dict[int, list[int]]) -> dict[int, int]:
    """Length of the longest path from `start` to every node of an acyclic
    neighbour map (Kahn's topological order; no recursion, any depth)."""
    indegree: dict[int, int] = defaultdict(int)
    for node in neighbours:
        for other in neighbours[node]:
            indegree[other] += 1
    length = {node: 0 for node in neighbours}
    ready = deque(node for node in neighbours if indegree[node] == 0)
    while ready:
        node = ready.popleft()
        for other in neighbours[node]:
            length[other] = max(length[other], length[node] + 1)
            indegree[other] -= 1
            if indegree[other] == 0:
                ready.append(other)
    return length


@dataclass(frozen=True)
class LineageNode:
    asset_id: int
    title: str | None  # None: the viewer may not see this asset (a placeholder)
    kind: str | None
    visible: bool
    depth: int  # ancestors < 0, the focus 0, descendants > 0 (longest path)
    first_idea: bool
    focus: bool


@dataclass(frozen=True)
class LineageEdge:
    parent_id: int
    child_id: int
    relation: str
    royalty_bp: int
    status: str


@dataclass(frozen=True)
class LineageGraph:
    focus_id: int
    nodes: list[LineageNode]  # by depth, then id
    edges: list[LineageEdge]  # every non-declined link between two of the nodes

    @property
    def first_idea_id(self) -> int:
        return next(node.asset_id for node in self.nodes if node.first_idea)


def lineage_graph_for_user(*, asset_id: int, user) -> LineageGraph:
    """The asset, its ancestors and its descendants over approved and pending links.

    NotFound when the viewer may not see the asset itself. Depth is the longest
    path to the focus (negative upwards), so in a diamond the shared ancestor
    sits above both branches. The first idea is the earliest registered root
    (an asset without parents) among the focus and its ancestors. Assets the
    viewer may not see are placeholders: no title, no kind.
    """
    focus = asset_get_for_user(asset_id=asset_id, user=user).asset
    up = _reachable(focus.pk, direction="up")
    down = _reachable(focus.pk, direction="down")
    depth = {node: -length for node, length in _longest_paths(focus.pk, up).items()}
    depth.update(_longest_paths(focus.pk, down))
    assets = {a.pk: a for a in Asset.objects.filter(pk__in=list(depth)).select_related("owner_org", "owner_user")}
    roots = [assets[node] for node, parents in up.items() if not parents]
    first = min(roots, key=lambda a: (a.created_at, a.pk)).pk
    nodes = []
    for node_id in sorted(depth, key=lambda n: (depth[n], n)):
        asset = assets[node_id]
        visible = asset_access(asset=asset, user=user) != Access.NONE
        nodes.append(
            LineageNode(
                asset_id=node_id,
                title=asset.title if visible else None,
                kind=asset.kind if visible else None,
                visible=visible,
                depth=depth[node_id],
                first_idea=node_id == first,
                focus=node_id == focus.pk,
            )
        )
    links = (
        Derivation.objects.filter(child_id__in=list(depth), parent_id__in=list(depth))
        .exclude(status=Derivation.Status.DECLINED)
        .order_by("child_id", "parent_id")
    )
    edges = [
        LineageEdge(
            parent_id=d.parent_id, child_id=d.child_id, relation=d.relation, royalty_bp=d.royalty_bp, status=d.status
        )
        for d in links
    ]
    return LineageGraph(focus_id=focus.pk, nodes=nodes, edges=edges)
