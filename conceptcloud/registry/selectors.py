"""Every read of assets and needs, through the one visibility rule.

The rule (DESIGN.md §4.2), per asset and viewer:

    level     who                                         sees
    MANAGE    owner person, members of the owner org      everything, drafts, edit
    FULL      public asset: anyone                        details, attachments,
              members asset: any signed-in person         full version history
              confidential: people with an AccessGrant
    TEASER    everyone else, for published assets         title, summary, owner,
                                                          kind, SDGs, availability...
    NONE      drafts and withdrawn assets, for non-       nothing (404)
              managers; anything for suspended viewers

`asset_get_for_user` is the choke point: views and the API fetch assets only
through it and render only what `AssetView` exposes for that level.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import NotFound
from conceptcloud.history import selectors as history_selectors
from conceptcloud.history.canonical import commitment
from conceptcloud.registry.models import (
    AccessGrant,
    Asset,
    AssetFacet,
    AssetVersion,
    Attachment,
    IpRecord,
    Need,
    NeedFacet,
)

# Fields anyone who may see an asset at all may see: its non-confidential teaser.
TEASER_FIELDS = (
    "kind", "title", "summary", "language", "visibility", "status", "trl", "sdgs",
    "cpc_codes", "keywords", "countries_developed", "countries_deployed", "availability",
    "rights_statement", "reference",
)
# Fields reaching only FULL and MANAGE viewers.
DETAIL_FIELDS = ("details", "ip_records", "attachments")


class Access(enum.IntEnum):
    NONE = 0
    TEASER = 1
    FULL = 2
    MANAGE = 3


@dataclass(frozen=True)
class AssetView:
    asset: Asset
    access: Access

    @property
    def can_see_details(self) -> bool:
        return self.access >= Access.FULL

    @property
    def can_manage(self) -> bool:
        return self.access == Access.MANAGE


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def asset_access(*, asset: Asset, user) -> Access:
    """The viewer's access level to one asset (see the module table)."""
    if _is_active(user):
        if asset.owner_user_id == user.id:
            return Access.MANAGE
        if asset.owner_org_id and asset.owner_org_id in account_selectors.organisation_ids_for_user(user=user):
            return Access.MANAGE
    if asset.status != Asset.Status.PUBLISHED:
        return Access.NONE
    if asset.visibility == Asset.Visibility.PUBLIC:
        return Access.FULL
    if asset.visibility == Asset.Visibility.MEMBERS and _is_active(user):
        return Access.FULL
    if asset.visibility == Asset.Visibility.CONFIDENTIAL and _is_active(user):
        if AccessGrant.objects.filter(asset=asset, user=user, revoked_at__isnull=True).exists():
            return Access.FULL
    return Access.TEASER


def asset_get_for_user(*, asset_id: int, user) -> AssetView:
    """Fetch and authorise. Raises NotFound for absent and invisible alike."""
    try:
        asset = Asset.objects.select_related("owner_org", "owner_user").get(pk=asset_id)
    except (Asset.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such asset.")) from None
    access = asset_access(asset=asset, user=user)
    if access == Access.NONE:
        raise NotFound(_("No such asset."))
    return AssetView(asset=asset, access=access)


def assets_visible_to(*, user) -> QuerySet[Asset]:
    """Assets the user may at least see the teaser of (published, or managed)."""
    published = Q(status=Asset.Status.PUBLISHED)
    if _is_active(user):
        org_ids = account_selectors.organisation_ids_for_user(user=user)
        published |= Q(owner_user=user) | Q(owner_org_id__in=org_ids)
    return Asset.objects.filter(published).select_related("owner_org", "owner_user")


def assets_managed_q(*, user, prefix: str = "") -> Q:
    """A filter for the assets the user manages (owns, or owns through an
    organisation), reached through `prefix` (e.g. "asset__" from a deal)."""
    if not _is_active(user):
        return Q(pk__in=[])
    org_ids = account_selectors.organisation_ids_for_user(user=user)
    return Q(**{f"{prefix}owner_user": user}) | Q(**{f"{prefix}owner_org_id__in": org_ids})


def asset_managers(*, asset: Asset) -> list:
    """The people who manage an asset (MANAGE access): its owner person, or the
    members of its owning organisation; for telling them what happened to it."""
    if asset.owner_org_id:
        return [m.user for m in account_selectors.organisation_members(organisation=asset.owner_org)]
    return [asset.owner_user]


def assets_full_access_q(*, user) -> Q:
    """A filter for the assets whose details the user may see (the FULL rule as SQL)."""
    q = Q(status=Asset.Status.PUBLISHED, visibility=Asset.Visibility.PUBLIC)
    if _is_active(user):
        org_ids = account_selectors.organisation_ids_for_user(user=user)
        granted = AccessGrant.objects.filter(asset=OuterRef("pk"), user=user, revoked_at__isnull=True)
        q |= Q(status=Asset.Status.PUBLISHED, visibility=Asset.Visibility.MEMBERS)
        q |= Q(status=Asset.Status.PUBLISHED, visibility=Asset.Visibility.CONFIDENTIAL) & Q(Exists(granted))
        q |= Q(owner_user=user) | Q(owner_org_id__in=org_ids)
    return q


# What a higher app adds to asset lists (evaluation, in its AppConfig.ready): more
# orders (sort key → (label, queryset → ordered queryset)) and standing filters
# (key → (label, queryset → filtered queryset)). The registry knows none of them.
ASSET_ORDERS: dict[str, tuple[Any, Callable[[QuerySet], QuerySet]]] = {}
ASSET_STANDINGS: dict[str, tuple[Any, Callable[[QuerySet], QuerySet]]] = {}
# The registry's own orders of asset lists.
BASE_ORDERS = {
    "newest": ("-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
    "title": ("title", "id"),
}


def asset_sorts() -> list[str]:
    """Every sort key an asset list accepts."""
    return [*BASE_ORDERS, *ASSET_ORDERS]


def assets_ordered(assets: QuerySet[Asset], sort: str) -> QuerySet[Asset]:
    """`assets` in the order `sort` names (newest first for an unknown key)."""
    if sort in ASSET_ORDERS:
        return ASSET_ORDERS[sort][1](assets)
    return assets.order_by(*BASE_ORDERS.get(sort, BASE_ORDERS["newest"]))


@dataclass(frozen=True)
class AssetFilters:
    q: str = ""
    kind: str = ""
    sdg: int | None = None
    country: str = ""
    availability: str = ""
    organisation: str = ""
    status: str = ""
    standing: str = ""  # a key of ASSET_STANDINGS


def asset_list(*, user, filters: AssetFilters) -> QuerySet[Asset]:
    """Browse: the visible assets matching plain database filters, newest first.

    The text filter matches title, summary and keywords for everyone, and
    details only where the viewer has FULL access, so a match never reveals
    hidden text.
    """
    qs = assets_visible_to(user=user)
    if filters.q:
        text = Q(title__icontains=filters.q) | Q(summary__icontains=filters.q) | Q(reference__iexact=filters.q)
        text |= Q(Exists(AssetFacet.objects.filter(asset=OuterRef("pk"), name="keyword", value=filters.q.lower()[:40])))
        text |= Q(details__icontains=filters.q) & assets_full_access_q(user=user)
        qs = qs.filter(text)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    for name, value in (
        ("sdg", str(filters.sdg) if filters.sdg else ""),
        ("country", filters.country),
        ("availability", filters.availability),
    ):
        if value:
            qs = qs.filter(Exists(AssetFacet.objects.filter(asset=OuterRef("pk"), name=name, value=value)))
    if filters.organisation:
        qs = qs.filter(owner_org__slug=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.standing in ASSET_STANDINGS:
        qs = ASSET_STANDINGS[filters.standing][1](qs)
    # Lists show teasers: the details text is never loaded (nor sorted) for them.
    return qs.defer("details")


def assets_by_person(*, user, person) -> QuerySet[Asset]:
    """Published assets a person owns or registered, as far as `user` may see them
    (teasers; for a people-directory profile), newest first."""
    return assets_visible_to(user=user).filter(
        Q(owner_user=person) | Q(created_by=person), status=Asset.Status.PUBLISHED
    )


def _counted(*, user, filters: AssetFilters | None) -> QuerySet[Asset]:
    """The assets a count covers, as a plain (join-free) queryset to group."""
    assets = asset_list(user=user, filters=filters) if filters else assets_visible_to(user=user)
    return assets.select_related(None).order_by()


def asset_facet_counts(*, user, name: str, filters: AssetFilters | None = None) -> dict[str, int]:
    """How many visible assets carry each value of one facet (sdg, country, availability).

    With `filters`, only the assets matching them are counted (drill-down counts).
    """
    rows = (
        AssetFacet.objects.filter(name=name, asset__in=_counted(user=user, filters=filters))
        .values("value")
        .annotate(n=Count("asset", distinct=True))
    )
    return {row["value"]: row["n"] for row in rows}


def asset_kind_counts(*, user, filters: AssetFilters | None = None) -> dict[str, int]:
    """How many visible assets (matching `filters`, when given) there are of each kind."""
    rows = _counted(user=user, filters=filters).values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


def asset_organisation_counts(
    *, user, filters: AssetFilters | None = None, limit: int = 20
) -> list[tuple[str, str, int]]:
    """(slug, name, count) of the organisations owning the most matching assets."""
    # Group by the key alone, then fetch the few names: grouping by the joined
    # name columns costs a join and a wide sort over every matching asset.
    counts = dict(
        _counted(user=user, filters=filters)
        .filter(owner_org__isnull=False)
        .values_list("owner_org_id")
        .annotate(n=Count("pk"))
        .values_list("owner_org_id", "n")
    )
    organisations = account_selectors.organisations_by_id(ids=set(counts))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], organisations[item[0]].name))[:limit]
    return [(organisations[pk].slug, organisations[pk].name, n) for pk, n in ranked]


def asset_teaser(asset: Asset) -> dict[str, Any]:
    data = {field: getattr(asset, field) for field in TEASER_FIELDS}
    data["id"] = asset.pk
    data["owner_org"] = asset.owner_org.slug if asset.owner_org_id else None
    data["owner_user"] = asset.owner_user.username if asset.owner_user_id else None
    data["version"] = asset.version
    data["created_at"] = asset.created_at
    data["updated_at"] = asset.updated_at
    return data


def attachments_for_view(*, view: AssetView) -> QuerySet[Attachment]:
    if not view.can_see_details:
        return Attachment.objects.none()
    return view.asset.attachments.filter(removed_at__isnull=True)


def ip_records_for_view(*, view: AssetView) -> QuerySet[IpRecord]:
    if not view.can_see_details:
        return IpRecord.objects.none()
    return view.asset.ip_records.order_by("id")


def access_grants_for_view(*, view: AssetView) -> QuerySet[AccessGrant]:
    """Who holds access to the asset's details: shown to its managers only."""
    if not view.can_manage:
        return AccessGrant.objects.none()
    return view.asset.access_grants.filter(revoked_at__isnull=True).select_related("user").order_by("user__username")


def access_grant_get(*, view: AssetView, username: str) -> AccessGrant:
    """One person's standing grant, for its managers to revoke (also when that
    person has since been suspended and left the directory)."""
    grant = access_grants_for_view(view=view).filter(user__username=username).first()
    if grant is None:
        raise NotFound(_("This person has no access to revoke."))
    return grant


def attachment_get_for_user(*, asset_id: int, attachment_id: int, user) -> Attachment:
    view = asset_get_for_user(asset_id=asset_id, user=user)
    if not view.can_see_details:
        raise NotFound(_("No such attachment."))
    try:
        return view.asset.attachments.get(pk=attachment_id, removed_at__isnull=True)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such attachment.")) from None


def _visible_snapshot(snapshot: dict[str, Any], view: AssetView) -> dict[str, Any]:
    if view.can_see_details:
        return snapshot
    return {k: v for k, v in snapshot.items() if k not in DETAIL_FIELDS}


def _changes(before: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"field": key, "before": before.get(key), "after": current.get(key)}
        for key in current
        if before.get(key) != current.get(key)
    ]


def _visible_note(version: AssetVersion, previous: AssetVersion | None, view: AssetView) -> str:
    # A note describes its change: when that change touched the details, IP records
    # or files (a file's note is its filename), the note may tell what they hold.
    if view.can_see_details or previous is None:
        return version.note
    if any(version.snapshot.get(key) != previous.snapshot.get(key) for key in DETAIL_FIELDS):
        return ""
    return version.note


def asset_versions_for_user(*, view: AssetView) -> list[dict[str, Any]]:
    """Version history, oldest first, each with its changes against the one before
    (none for the first); teaser viewers get teaser fields only."""
    history = []
    previous = None
    for v in view.asset.versions.select_related("author").order_by("number"):
        snapshot = _visible_snapshot(v.snapshot, view)
        history.append(
            {
                "number": v.number,
                "created_at": v.created_at,
                "author": v.author.username,
                "note": _visible_note(v, previous, view),
                "snapshot": snapshot,
                "changes": _changes(_visible_snapshot(previous.snapshot, view), snapshot) if previous else [],
            }
        )
        previous = v
    return history


def asset_version_diff(*, view: AssetView, number: int) -> dict[str, Any]:
    """One version and what changed against the one before it, within the viewer's access."""
    try:
        version = view.asset.versions.select_related("author").get(number=number)
    except (AssetVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such version.")) from None
    previous = view.asset.versions.filter(number=number - 1).first()
    current = _visible_snapshot(version.snapshot, view)
    before = _visible_snapshot(previous.snapshot, view) if previous else {}
    return {
        "number": version.number,
        "created_at": version.created_at,
        "author": version.author.username,
        "note": _visible_note(version, previous, view),
        "snapshot": current,
        "changes": _changes(before, current),
    }


def assets_for_dashboard(*, user) -> QuerySet[Asset]:
    org_ids = account_selectors.organisation_ids_for_user(user=user)
    return Asset.objects.filter(Q(owner_user=user) | Q(owner_org_id__in=org_ids)).select_related("owner_org")


def assets_granted_to(*, user) -> QuerySet[Asset]:
    """Published assets of others whose details the user was granted access to."""
    if not _is_active(user):
        return Asset.objects.none()
    granted = AccessGrant.objects.filter(asset=OuterRef("pk"), user=user, revoked_at__isnull=True)
    return Asset.objects.filter(Exists(granted), status=Asset.Status.PUBLISHED).select_related("owner_org", "owner_user")


# Needs are public calls for technology: every non-draft need is visible to all.


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    sdg: int | None = None
    country: str = ""
    status: str = ""
    organisation: str = ""
    deal_type: str = ""


def need_list(*, filters: NeedFilters) -> QuerySet[Need]:
    qs = Need.objects.select_related("seeker_org")
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    for name, value in (
        ("sdg", str(filters.sdg) if filters.sdg else ""),
        ("country", filters.country),
        ("deal_type", filters.deal_type),
    ):
        if value:
            qs = qs.filter(Exists(NeedFacet.objects.filter(need=OuterRef("pk"), name=name, value=value)))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.organisation:
        qs = qs.filter(seeker_org__slug=filters.organisation)
    return qs


def need_get(*, need_id: int) -> Need:
    try:
        return Need.objects.select_related("seeker_org", "created_by").get(pk=need_id)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such need.")) from None


def need_get_for_manager(*, need_id: int, user) -> Need:
    need = need_get(need_id=need_id)
    if not _is_active(user) or need.seeker_org_id not in account_selectors.organisation_ids_for_user(user=user):
        raise NotFound(_("No such need."))
    return need


def needs_by_person(*, person, limit: int = 50) -> QuerySet[Need]:
    """The needs a person posted, newest first (needs are public)."""
    return Need.objects.filter(created_by=person).order_by("-created_at", "-pk")[:limit]


def needs_for_dashboard(*, user) -> QuerySet[Need]:
    org_ids = account_selectors.organisation_ids_for_user(user=user)
    return Need.objects.filter(seeker_org_id__in=org_ids).select_related("seeker_org")


def entry_commitment_for_user(*, seq: int, user) -> dict[str, Any] | None:
    """The opening {salt, content} of an asset entry's commitment, for the asset's managers only.

    The content is the part of the version snapshot the entry left out; it is
    returned only when it re-creates the entry's commitment, else the salt alone.
    None for anyone else, and for entries without a commitment.
    """
    entry = history_selectors.entry_get(seq=seq)
    kind, _colon, asset_id = entry.subject.partition(":")
    salt = history_selectors.commitment_salt_get(entry=entry) if kind == "asset" and asset_id.isdigit() else None
    if salt is None:
        return None
    asset = Asset.objects.filter(pk=int(asset_id)).first()
    if asset is None or asset_access(asset=asset, user=user) != Access.MANAGE:
        return None
    opening: dict[str, Any] = {"salt": salt.hex()}
    version = AssetVersion.objects.filter(asset=asset, number=entry.payload.get("version")).first()
    if version is not None:
        content = {key: value for key, value in version.snapshot.items() if key not in entry.payload}
        if commitment(content, salt) == entry.payload.get("commitment", {}).get("value"):
            opening["content"] = content
    return opening
