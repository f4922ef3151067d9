"""An asset's history as W3C PROV, built with the `prov` package.

    asset_prov_for_user(asset_id=, user=, format=)   PROV-JSON ("prov-json") or
                                                     PROV-O as JSON-LD ("prov-o")
    PROV_MEDIA_TYPES                                 the media type of each format

The document holds, within what the viewer may see (NotFound when the asset
itself is hidden, as everywhere):

    entity   assets/<id>/                 the asset; its ancestors and descendants
                                          (the lineage graph; a hidden one is a bare
                                          identifier, no label)
    entity   assets/<id>/versions/<n>/    each version, specializationOf the asset,
                                          wasRevisionOf the one before; attributes:
                                          the teaser fields, plus details, IP records
                                          and file hashes only with full access
    agent    people/<username>/, organisations/<slug>/
    activity log/entries/<seq>            each history entry about the asset (whoever
                                          sees the asset reads them, as on its timeline),
                                          with its time, type, log sequence number and
                                          RFC 9162 leaf hash (so a receipt can prove it)
    wasGeneratedBy     version ← the entry that made it
    wasAssociatedWith  entry → the person who acted
    wasAttributedTo    asset → owner (role "owner"), contributors (role, share_bp)
    wasDerivedFrom     child → parent (relation, royalty_bp, status)

Identifiers live under the platform's own address, taken from CC_LOG_ORIGIN
(the name its checkpoints are signed under), so they stay the same whichever
host name a request used; terms of our own are in its "ns#" vocabulary.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from prov.model import PROV_LABEL, PROV_TYPE, ProvDocument

from conceptcloud.core.errors import InvalidInput
from conceptcloud.history import selectors as history_selectors
from conceptcloud.lineage.selectors import LineageGraph, contributions_for_asset, lineage_graph_for_user
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import asset_get_for_user, asset_versions_for_user

PROV_MEDIA_TYPES = {"prov-json": "application/json", "prov-o": "application/ld+json"}
ProvFormat = Literal["prov-json", "prov-o"]

# Snapshot fields in the order they become attributes; lists give one attribute per item.
_SNAPSHOT_FIELDS = (
    "kind", "summary", "language", "visibility", "status", "owner_org", "owner_user", "trl", "sdgs",
    "cpc_codes", "keywords", "countries_developed", "countries_deployed", "availability",
    "rights_statement", "reference", "details",
)


def platform_base() -> str:
    """The address identifiers are minted under: https://<host of CC_LOG_ORIGIN>/."""
    host = settings.CC_LOG_ORIGIN.split("/", 1)[0]
    return f"https://{host}/"


def _asset_id(asset_id: int) -> str:
    return f"cc:assets/{asset_id}/"


class _Agents:
    """Declares each person or organisation once in the document."""

    def __init__(self, doc: ProvDocument):
        self.doc = doc
        self.declared: set[str] = set()

    def _agent(self, identifier: str, kind: str, label: str) -> str:
        if identifier not in self.declared:
            self.doc.agent(identifier, {PROV_TYPE: kind, PROV_LABEL: label})
            self.declared.add(identifier)
        return identifier

    def person(self, user) -> str:
        return self._agent(f"cc:people/{user.username}/", "prov:Person", user.name)

    def owner(self, asset: Asset) -> str:
        if asset.owner_org_id:
            org = asset.owner_org
            return self._agent(f"cc:organisations/{org.slug}/", "prov:Organization", org.name)
        return self.person(asset.owner_user)


def _snapshot_attributes(snapshot: dict[str, Any]) -> list[tuple[str, Any]]:
    """PROV attributes of a version snapshot (already cut to the viewer's access)."""
    attributes: list[tuple[str, Any]] = [(PROV_LABEL, snapshot["title"])]
    for name in _SNAPSHOT_FIELDS:
        value = snapshot.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                attributes.append((f"cct:{name}", item))
    for record in snapshot.get("ip_records", []):
        attributes.append(("cct:ip_record", f"{record['office']} {record['number']} ({record['kind']}, {record['status']})"))
    for attachment in snapshot.get("attachments", []):
        attributes.append(("cct:attachment_sha256", attachment["sha256"]))
    return attributes


def _lineage(doc: ProvDocument, agents: _Agents, *, asset_id: int, user) -> LineageGraph:
    """Entities for the asset's ancestors and descendants (those the viewer may
    see attributed to their owners), and the links between them."""
    graph = lineage_graph_for_user(asset_id=asset_id, user=user)
    visible = [node.asset_id for node in graph.nodes if node.visible and not node.focus]
    owned = Asset.objects.filter(pk__in=visible).select_related("owner_org", "owner_user").in_bulk()
    for node in graph.nodes:
        if node.focus:
            continue
        attributes = [(PROV_LABEL, node.title), ("cct:kind", node.kind)] if node.visible else []
        if node.first_idea:
            attributes.append(("cct:first_idea", True))
        entity = doc.entity(_asset_id(node.asset_id), attributes)
        if node.visible:
            doc.wasAttributedTo(entity, agents.owner(owned[node.asset_id]), other_attributes=[("cct:role", "owner")])
    for edge in graph.edges:
        doc.wasDerivedFrom(
            _asset_id(edge.child_id),
            _asset_id(edge.parent_id),
            other_attributes=[
                ("cct:relation", edge.relation),
                ("cct:royalty_bp", edge.royalty_bp),
                ("cct:status", edge.status),
            ],
        )
    return graph


def asset_prov_for_user(*, asset_id: int, user, format: ProvFormat) -> str:
    """The asset's history as a PROV document serialised in `format`, within the
    viewer's access (NotFound for an asset the viewer may not see)."""
    if format not in PROV_MEDIA_TYPES:
        raise InvalidInput.field("format", _("Choose prov-json or prov-o."))
    view = asset_get_for_user(asset_id=asset_id, user=user)
    asset = view.asset
    base = platform_base()
    doc = ProvDocument()
    doc.add_namespace("cc", base)
    doc.add_namespace("cct", f"{base}ns#")
    agents = _Agents(doc)

    graph = _lineage(doc, agents, asset_id=asset.pk, user=user)
    focus_attributes = [(PROV_LABEL, asset.title), ("cct:kind", asset.kind)]
    if graph.first_idea_id == asset.pk:
        focus_attributes.append(("cct:first_idea", True))
    subject = doc.entity(_asset_id(asset.pk), focus_attributes)
    doc.wasAttributedTo(subject, agents.owner(asset), other_attributes=[("cct:role", "owner")])
    for row in contributions_for_asset(asset=asset):
        doc.wasAttributedTo(
            subject,
            agents.person(row.user),
            other_attributes=[("cct:role", row.role), ("cct:share_bp", row.share_bp)],
        )

    versions: dict[int, Any] = {}
    for version in asset_versions_for_user(view=view):
        number = version["number"]
        versions[number] = doc.entity(f"cc:assets/{asset.pk}/versions/{number}/", _snapshot_attributes(version["snapshot"]))
        doc.specializationOf(versions[number], subject)
        if number - 1 in versions:
            doc.wasRevisionOf(versions[number], versions[number - 1])

    for entry in history_selectors.entries_for_subject(subject=f"asset:{asset.pk}"):
        activity = doc.activity(
            f"cc:log/entries/{entry.seq}",
            entry.created_at,
            entry.created_at,
            [
                (PROV_LABEL, entry.type),
                ("cct:entry_type", entry.type),
                ("cct:seq", entry.seq),
                ("cct:leaf_hash", bytes(entry.leaf_hash).hex()),
            ],
        )
        if entry.actor is not None:
            doc.wasAssociatedWith(activity, agents.person(entry.actor))
        number = entry.payload.get("version")
        if entry.type.startswith("asset.") and number in versions:
            doc.wasGeneratedBy(versions[number], activity, entry.created_at)

    if format == "prov-o":
        return doc.serialize(format="rdf", rdf_format="json-ld")
    return doc.serialize(format="json")
