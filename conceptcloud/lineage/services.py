"""Every write to contributions, lineage terms and derivation links.

    terms_set                        what derivatives owe an asset, whether links to it
                                     need approval, what agreement share changes need
    contributions_propose            a new set of contributor shares: applied at once, or
                                     pending until every current contributor agrees
    share_proposal_agree / _decline
    asset_build_on                   register a new asset that improves one asset or
                                     combines several (1..MAX_PARENTS parents)
    derivation_add                   declare that an existing asset builds on another
    derivation_decide                a parent's managers approve or decline a pending link

Invariants held here (the models' constraints back some of them):
    - an asset's contributions sum to FULL_SHARE, one per person
    - a child has at most MAX_PARENTS non-declined parent links, and their
      royalties sum to at most FULL_SHARE
    - the non-declined links form no cycle

Each function validates before it writes (bad input changes nothing) and runs
in one transaction with its history entries, all about "asset:<id>". Applied
contributions and approved links also ask for the reputation to be computed again
(the task evaluation.reputation_recompute, after the commit). Entry
payloads hold usernames, roles, basis points and asset ids, never titles or
other content, so a link to or from a hidden asset reveals nothing of it.

    entry type               subject   written by
    asset.terms_changed      asset     terms_set
    asset.shares_proposed    asset     contributions_propose, while agreement is missing
    asset.shares_agreed      asset     share_proposal_agree, while agreement is still missing
    asset.shares_changed     asset     the call that applies a proposal
    asset.shares_declined    asset     share_proposal_decline
    asset.derived_from       child     asset_build_on, derivation_add
    derivation.requested     parent    asset_build_on, derivation_add ("status" says
                                       whether the link waits for approval)
    derivation.approved      parent    derivation_decide
    derivation.declined      parent    derivation_decide
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, collect_errors
from conceptcloud.core.tasks import task_enqueue
from conceptcloud.history.services import entry_append
from conceptcloud.lineage.models import (
    FULL_SHARE,
    MAX_PARENTS,
    Contribution,
    Derivation,
    LineageTerms,
    Role,
    ShareProposal,
)
from conceptcloud.lineage.selectors import contributions_for_asset, descendant_ids, terms_for_asset
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_access
from conceptcloud.registry.services import AssetData, asset_register

MAX_CONTRIBUTORS = 100
# Key of the PostgreSQL advisory lock that serialises new links between
# existing assets (see _lock_graph); any constant unique to this purpose.
_GRAPH_LOCK_KEY = 0x4C494E45  # "LINE"


@dataclass(frozen=True)
class ContributionData:
    username: str
    role: str
    share_bp: int  # basis points: 10000 = 100%


def _percent(bp: int) -> str:
    return f"{bp / 100:.2f}"


def _subject(asset_id: int) -> str:
    return f"asset:{asset_id}"


def _require_manager(actor, asset: Asset) -> None:
    """NotFound for those who may not see the asset, PermissionDenied for those who only see it."""
    access = asset_access(asset=asset, user=actor)
    if access == Access.NONE:
        raise NotFound(_("No such asset."))
    if access != Access.MANAGE:
        raise PermissionDenied(_("Only the asset's owners can change this."))


def _lock(asset_ids: list[int]) -> dict[int, Asset]:
    """Lock asset rows (in id order, so two callers never wait on each other crosswise)."""
    rows = Asset.objects.select_for_update(of=("self",)).filter(pk__in=asset_ids).order_by("pk")
    return {asset.pk: asset for asset in rows.select_related("owner_org", "owner_user")}


def _lock_graph() -> None:
    """Serialise the calls that add a link between existing assets.

    Two such links added at once could each pass the cycle check and together
    close a cycle, so the check must see every link committed before it. On
    PostgreSQL a transaction-scoped advisory lock does this; SQLite runs write
    transactions one at a time already (BEGIN IMMEDIATE, see settings).
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GRAPH_LOCK_KEY])


# Terms -------------------------------------------------------------------------


def _is_bp(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= FULL_SHARE


def terms_set(
    *, actor, asset: Asset, derivative_royalty_bp: int, derivatives_need_approval: bool, share_changes_need: str
) -> LineageTerms:
    """Set the asset's lineage terms (its managers only). Terms that change
    nothing write nothing. Links made earlier keep the royalty they were made with."""
    _require_manager(actor, asset)
    collect_errors(
        {
            "derivative_royalty_bp": [] if _is_bp(derivative_royalty_bp) else [_("A royalty is from 0% to 100%.")],
            "share_changes_need": []
            if share_changes_need in LineageTerms.Agreement.values
            else [_("Choose the owner or every contributor.")],
        }
    )
    values = {
        "derivative_royalty_bp": derivative_royalty_bp,
        "derivatives_need_approval": bool(derivatives_need_approval),
        "share_changes_need": share_changes_need,
    }
    with transaction.atomic():
        locked = _lock([asset.pk])[asset.pk]
        terms = terms_for_asset(asset=locked)
        if terms.pk is not None and all(getattr(terms, name) == value for name, value in values.items()):
            return terms
        for name, value in values.items():
            setattr(terms, name, value)
        terms.save()
        entry_append(actor=actor, type="asset.terms_changed", subject=_subject(locked.pk), payload=values)
    return terms


# Contributions -----------------------------------------------------------------


def _check_contributions(contributions: list[ContributionData]) -> dict[str, Any]:
    """Validate a full set of contributions (errors under "contributions");
    returns the people by username."""
    errors: list[str] = []
    people: dict[str, Any] = {}
    if not contributions:
        errors.append(_("Name at least one contributor."))
    if len(contributions) > MAX_CONTRIBUTORS:
        errors.append(_("At most %(limit)d contributors.") % {"limit": MAX_CONTRIBUTORS})
        raise InvalidInput(errors[0], errors={"contributions": errors})
    seen: set[str] = set()
    for n, item in enumerate(contributions, start=1):
        if item.username in seen:
            errors.append(_("%(username)s is named more than once.") % {"username": item.username})
        seen.add(item.username)
        try:
            people[item.username] = account_selectors.person_get(username=item.username)
        except NotFound:
            errors.append(_("Contributor %(n)d: no such person %(username)s.") % {"n": n, "username": item.username})
        if item.role not in Role.values:
            errors.append(_("Contributor %(n)d: unknown role %(role)s.") % {"n": n, "role": item.role})
        if not (_is_bp(item.share_bp) and item.share_bp >= 1):
            errors.append(_("Contributor %(n)d: a share is from 0.01%% to 100%%.") % {"n": n})
    total = sum(item.share_bp for item in contributions if _is_bp(item.share_bp))
    if contributions and total != FULL_SHARE:
        errors.append(
            _("The shares add up to %(total)s%%; they must add up to exactly 100%%.") % {"total": _percent(total)}
        )
    if errors:
        raise InvalidInput(errors[0], errors={"contributions": errors})
    return people


def _apply(proposal: ShareProposal, *, asset: Asset) -> list[int]:
    """Replace the asset's contributions by the proposal's; other pending
    proposals of the asset were made against the old shares and are withdrawn.
    Returns their ids. In the caller's transaction, with the asset row locked."""
    people = {}
    for item in proposal.contributions:
        try:
            people[item["user"]] = account_selectors.person_get(username=item["user"])
        except NotFound:
            raise Conflict(
                _("%(username)s can no longer be named as a contributor.") % {"username": item["user"]}
            ) from None
    now = timezone.now()
    Contribution.objects.filter(asset=asset).delete()
    Contribution.objects.bulk_create(
        [
            Contribution(asset=asset, user=people[item["user"]], role=item["role"], share_bp=item["share_bp"])
            for item in proposal.contributions
        ]
    )
    proposal.status = ShareProposal.Status.APPLIED
    proposal.decided_at = now
    proposal.save(update_fields=["status", "agreed", "decided_at"])
    others = asset.share_proposals.filter(status=ShareProposal.Status.PENDING).exclude(pk=proposal.pk)
    withdrawn = sorted(others.values_list("pk", flat=True))
    others.update(status=ShareProposal.Status.WITHDRAWN, decided_at=now)
    return withdrawn


def _reputation_later() -> None:
    """Contributions and approved links carry credit in the reputation graph: ask the
    evaluation app (above this one, reached by its task's name) to compute it again."""
    task_enqueue("evaluation.reputation_recompute", requested_at=timezone.now().isoformat())


def _shares_changed(proposal: ShareProposal, *, actor, asset: Asset) -> None:
    withdrawn = _apply(proposal, asset=asset)
    _reputation_later()
    entry_append(
        actor=actor,
        type="asset.shares_changed",
        subject=_subject(asset.pk),
        payload={
            "proposal": proposal.pk,
            "contributions": proposal.contributions,
            "agreed": proposal.agreed,
            "withdrawn_proposals": withdrawn,
        },
    )


def contributions_propose(*, actor, asset: Asset, contributions: list[ContributionData]) -> ShareProposal:
    """Propose the asset's full set of contributions (its managers only).

    Valid: known active people, known roles, each share 1..FULL_SHARE basis
    points, nobody twice, shares summing to exactly FULL_SHARE, and different
    from the current set. When the terms let the owner decide, the proposal is
    applied at once. When they ask for every contributor, it needs the agreement
    of every current contributor (the proposer's own counts at once) and is
    applied with the last one; until then it is pending.
    """
    _require_manager(actor, asset)
    _check_contributions(contributions)
    rows = [{"user": c.username, "role": c.role, "share_bp": c.share_bp} for c in contributions]
    with transaction.atomic():
        locked = _lock([asset.pk])[asset.pk]
        current = contributions_for_asset(asset=locked)
        as_set = {(c.user.username, c.role, c.share_bp) for c in current}
        if as_set == {(r["user"], r["role"], r["share_bp"]) for r in rows}:
            raise InvalidInput.field("contributions", _("These are the asset's contributions already."))
        needed: list[str] = []
        if terms_for_asset(asset=locked).share_changes_need == LineageTerms.Agreement.CONTRIBUTORS:
            needed = sorted({c.user.username for c in current})
        agreed = [actor.username] if actor.username in needed else []
        proposal = ShareProposal.objects.create(
            asset=locked, proposed_by=actor, contributions=rows, needed=needed, agreed=agreed
        )
        if set(needed) <= set(agreed):
            _shares_changed(proposal, actor=actor, asset=locked)
        else:
            entry_append(
                actor=actor,
                type="asset.shares_proposed",
                subject=_subject(locked.pk),
                payload={"proposal": proposal.pk, "contributions": rows, "needed": needed, "agreed": agreed},
            )
    return proposal


def _needs_agreement_of(actor, proposal: ShareProposal) -> bool:
    """Whether the proposal needs the actor's agreement; NotFound for anyone whose
    agreement it does not need and who does not manage the asset."""
    needed = actor.username in proposal.needed
    if not (needed or asset_access(asset=proposal.asset, user=actor) == Access.MANAGE):
        raise NotFound(_("No such proposal."))
    return needed


def _locked_pending(proposal: ShareProposal) -> tuple[ShareProposal, Asset]:
    """The proposal and its asset, locked (asset first, as the other share writes
    do), still pending; Conflict when it was decided meanwhile."""
    asset = _lock([proposal.asset_id])[proposal.asset_id]
    locked = ShareProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ShareProposal.Status.PENDING:
        raise Conflict(_("This proposal is no longer waiting for agreement."))
    return locked, asset


def share_proposal_agree(*, actor, proposal: ShareProposal) -> ShareProposal:
    """Give one needed agreement; the last one applies the proposal.

    Only the people whose agreement the proposal needs may agree (the asset's
    managers get PermissionDenied, anyone else NotFound), each once.
    """
    if not _needs_agreement_of(actor, proposal):
        raise PermissionDenied(_("Your agreement is not needed for this proposal."))
    with transaction.atomic():
        locked, asset = _locked_pending(proposal)
        if actor.username in locked.agreed:
            raise Conflict(_("You have agreed to this proposal already."))
        locked.agreed = [*locked.agreed, actor.username]
        if set(locked.needed) <= set(locked.agreed):
            _shares_changed(locked, actor=actor, asset=asset)
        else:
            locked.save(update_fields=["agreed"])
            entry_append(
                actor=actor,
                type="asset.shares_agreed",
                subject=_subject(asset.pk),
                payload={"proposal": locked.pk, "agreed": locked.agreed},
            )
    return locked


def share_proposal_decline(*, actor, proposal: ShareProposal) -> ShareProposal:
    """Decline a pending proposal: anyone whose agreement it needs, or a manager
    of the asset (who thereby withdraws it). The shares stay as they are."""
    _needs_agreement_of(actor, proposal)
    with transaction.atomic():
        locked, asset = _locked_pending(proposal)
        locked.status = ShareProposal.Status.DECLINED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        entry_append(
            actor=actor, type="asset.shares_declined", subject=_subject(asset.pk), payload={"proposal": locked.pk}
        )
    return locked


# Derivations -------------------------------------------------------------------


def _link_status(actor, parent: Asset, terms: LineageTerms) -> str:
    if terms.derivatives_need_approval and asset_access(asset=parent, user=actor) != Access.MANAGE:
        return Derivation.Status.PENDING
    return Derivation.Status.APPROVED


def _parent_problem(actor, parent: Asset | None, parent_id: Any) -> str | None:
    """Why an asset cannot be built on by this person, or None. An asset they
    may not see gets the same answer as an absent one."""
    if parent is None or asset_access(asset=parent, user=actor) == Access.NONE:
        return _("No such asset: %(id)s.") % {"id": parent_id}
    if parent.status == Asset.Status.WITHDRAWN:
        return _("Asset %(id)s was withdrawn; it cannot be built on.") % {"id": parent_id}
    return None


def _record_links(actor, child: Asset, links: list[Derivation], payload_extra: dict[str, Any] | None = None) -> None:
    """The child's "asset.derived_from" entry and one "derivation.requested" per parent."""
    described = [
        {"derivation": d.pk, "parent": d.parent_id, "relation": d.relation, "royalty_bp": d.royalty_bp, "status": d.status}
        for d in links
    ]
    entry_append(
        actor=actor,
        type="asset.derived_from",
        subject=_subject(child.pk),
        payload={"parents": described, **(payload_extra or {})},
    )
    for item in described:
        entry_append(
            actor=actor,
            type="derivation.requested",
            subject=_subject(item["parent"]),
            payload={"child": child.pk, **item},
        )
    if any(link.status == Derivation.Status.APPROVED for link in links):
        _reputation_later()


def asset_build_on(*, actor, parent_ids: list[int], data: AssetData, publish: bool = True) -> Asset:
    """Register a new asset that improves one asset or combines several.

    Parents (errors under "parents"): 1..MAX_PARENTS distinct assets the actor
    may see and that are not withdrawn; each link asks the royalty of its
    parent's terms, and the royalties may sum to at most FULL_SHARE. A link
    waits for approval when the parent's terms ask for it and the actor does not
    manage the parent. The asset itself is registered by registry's
    asset_register (its own field errors) in the same transaction, with the
    actor as its only contributor (improver or combiner, 100%). Parent rows are
    locked so a parent cannot be withdrawn while it is being built on.
    """
    errors: list[str] = []
    if not parent_ids:
        errors.append(_("Choose at least one asset to build on."))
    if len(parent_ids) > MAX_PARENTS:
        errors.append(_("An asset builds on at most %(limit)d others.") % {"limit": MAX_PARENTS})
    if len(set(parent_ids)) != len(parent_ids):
        errors.append(_("Name each asset to build on once."))
    if not all(isinstance(pid, int) and not isinstance(pid, bool) for pid in parent_ids):
        errors.append(_("Assets are named by their numbers."))
    if errors:
        raise InvalidInput(errors[0], errors={"parents": errors})
    relation = Derivation.Relation.IMPROVES if len(parent_ids) == 1 else Derivation.Relation.COMBINES
    role = Role.IMPROVER if len(parent_ids) == 1 else Role.COMBINER
    with transaction.atomic():
        parents = _lock(parent_ids)
        errors = [p for pid in parent_ids if (p := _parent_problem(actor, parents.get(pid), pid))]
        if errors:
            raise InvalidInput(errors[0], errors={"parents": errors})
        terms = {pid: terms_for_asset(asset=parents[pid]) for pid in parent_ids}
        total = sum(t.derivative_royalty_bp for t in terms.values())
        if total > FULL_SHARE:
            raise InvalidInput.field(
                "parents",
                _("These assets ask royalties of %(total)s%% together; at most 100%% is possible.")
                % {"total": _percent(total)},
            )
        child = asset_register(actor=actor, data=data, publish=publish)
        links = Derivation.objects.bulk_create(
            [
                Derivation(
                    child=child,
                    parent=parents[pid],
                    relation=relation,
                    royalty_bp=terms[pid].derivative_royalty_bp,
                    status=_link_status(actor, parents[pid], terms[pid]),
                    requested_by=actor,
                )
                for pid in parent_ids
            ]
        )
        Contribution.objects.create(asset=child, user=actor, role=role, share_bp=FULL_SHARE)
        _record_links(
            actor,
            child,
            links,
            {"contributions": [{"user": actor.username, "role": role, "share_bp": FULL_SHARE}]},
        )
    return child


def derivation_add(*, actor, child: Asset, parent_id: int) -> Derivation:
    """Declare that an existing asset (managed by the actor) builds on another.

    Refused under "parent_id": an asset the actor may not see or that is absent
    (same answer), a withdrawn one, the child itself, a parent already linked
    (or declined before), and any descendant of the child (a cycle). Refused
    under "parents": a link beyond MAX_PARENTS, or a royalty sum beyond
    FULL_SHARE. The relation is "improves" for a first parent, "combines" when
    the child has others. Both rows are locked, and links between existing
    assets are serialised (_lock_graph), so no two calls close a cycle together.
    """
    _require_manager(actor, child)
    if parent_id == child.pk:
        raise InvalidInput.field("parent_id", _("An asset cannot build on itself."))
    with transaction.atomic():
        _lock_graph()
        locked = _lock([child.pk, parent_id] if isinstance(parent_id, int) else [child.pk])
        child = locked[child.pk]
        parent = locked.get(parent_id)
        problem = _parent_problem(actor, parent, parent_id)
        if problem:
            raise InvalidInput.field("parent_id", problem)
        existing = Derivation.objects.filter(child=child, parent=parent).first()
        if existing is not None and existing.status == Derivation.Status.DECLINED:
            raise InvalidInput.field("parent_id", _("The owners of that asset declined this link."))
        if existing is not None:
            raise InvalidInput.field("parent_id", _("This asset builds on that one already."))
        if parent.pk in descendant_ids(asset_id=child.pk):
            raise InvalidInput.field(
                "parent_id", _("That asset builds on this one: the link would close a cycle.")
            )
        current = list(child.parent_links.exclude(status=Derivation.Status.DECLINED))
        if len(current) >= MAX_PARENTS:
            raise InvalidInput.field("parents", _("An asset builds on at most %(limit)d others.") % {"limit": MAX_PARENTS})
        terms = terms_for_asset(asset=parent)
        total = sum(link.royalty_bp for link in current) + terms.derivative_royalty_bp
        if total > FULL_SHARE:
            raise InvalidInput.field(
                "parents",
                _("With this link the royalties would add up to %(total)s%%; at most 100%% is possible.")
                % {"total": _percent(total)},
            )
        link = Derivation.objects.create(
            child=child,
            parent=parent,
            relation=Derivation.Relation.COMBINES if current else Derivation.Relation.IMPROVES,
            royalty_bp=terms.derivative_royalty_bp,
            status=_link_status(actor, parent, terms),
            requested_by=actor,
        )
        _record_links(actor, child, [link])
    return link


def derivation_decide(*, actor, derivation: Derivation, approve: bool) -> Derivation:
    """Approve or decline a pending link (the parent's managers only: the child's
    managers get PermissionDenied, anyone else NotFound). A declined link leaves
    the graph, the parent count and the royalty sum."""
    if asset_access(asset=derivation.parent, user=actor) != Access.MANAGE:
        if asset_access(asset=derivation.child, user=actor) == Access.MANAGE:
            raise PermissionDenied(_("Only the owners of the asset built on can decide."))
        raise NotFound(_("No such derivation."))
    with transaction.atomic():
        _lock([derivation.child_id])
        link = Derivation.objects.select_for_update().get(pk=derivation.pk)
        if link.status != Derivation.Status.PENDING:
            raise Conflict(_("This link was decided already."))
        link.status = Derivation.Status.APPROVED if approve else Derivation.Status.DECLINED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.save(update_fields=["status", "decided_by", "decided_at"])
        entry_append(
            actor=actor,
            type=f"derivation.{link.status}",
            subject=_subject(link.parent_id),
            payload={
                "derivation": link.pk,
                "child": link.child_id,
                "parent": link.parent_id,
                "relation": link.relation,
                "royalty_bp": link.royalty_bp,
            },
        )
        if approve:
            _reputation_later()
    return link
