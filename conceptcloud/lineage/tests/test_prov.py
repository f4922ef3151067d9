"""The W3C PROV export: PROV-JSON and PROV-O (JSON-LD), both parsed back with
the `prov` package, and cut to what the viewer may see."""

import warnings

import pytest
from django.contrib.auth.models import AnonymousUser
from prov.model import (
    PROV_ATTR_ACTIVITY,
    PROV_ATTR_AGENT,
    PROV_ATTR_ENTITY,
    PROV_ATTR_GENERATED_ENTITY,
    PROV_ATTR_USED_ENTITY,
    PROV_LABEL,
    ProvActivity,
    ProvAgent,
    ProvAssociation,
    ProvAttribution,
    ProvDerivation,
    ProvDocument,
    ProvEntity,
    ProvGeneration,
    ProvWarning,
)

from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.history.models import Entry
from conceptcloud.lineage.prov import asset_prov_for_user, platform_base
from conceptcloud.lineage.services import ContributionData, contributions_propose, derivation_add, terms_set
from conceptcloud.registry.services import AssetData, access_grant, asset_update

DETAILS = "Confidential tolerances: 0.002 mm."


def parsed(content: str, format: str) -> ProvDocument:
    if format == "prov-json":
        return ProvDocument.deserialize(content=content, format="json")
    # Expanded JSON-LD carries full IRIs and no prefixes: the parser mints its
    # own and says so; identifiers are compared as full URIs below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvWarning)
        return ProvDocument.deserialize(content=content, format="rdf", rdf_format="json-ld")


def export(asset, user, format="prov-json") -> tuple[str, ProvDocument]:
    content = asset_prov_for_user(asset_id=asset.pk, user=user, format=format)
    return content, parsed(content, format)


def uris(doc: ProvDocument, kind) -> set[str]:
    return {record.identifier.uri for record in doc.get_records(kind)}


def relation(doc: ProvDocument, kind, first, second) -> set[tuple[str, str]]:
    pairs = set()
    for record in doc.get_records(kind):
        attributes = dict(record.formal_attributes)
        pairs.add((attributes[first].uri, attributes[second].uri))
    return pairs


def extra(record) -> dict[str, list]:
    """A record's own attributes by local name (values as str)."""
    values: dict[str, list] = {}
    for name, value in record.extra_attributes:
        values.setdefault(name.localpart, []).append(str(value))
    return values


def url(path: str) -> str:
    return platform_base() + path


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def history(people, make_org, make_asset):
    """alice's organisation's public root, bob's asset improving it (edited once,
    shares with carol), and a draft of bob's that only he may see."""
    org = make_org(people["alice"], "Kansai TLO", kind="tlo")
    root = make_asset(people["alice"], org=org, title="Root idea")
    terms_set(actor=people["alice"], asset=root, derivative_royalty_bp=500, derivatives_need_approval=False,
              share_changes_need="owner")
    hidden = make_asset(people["bob"], title="Hidden draft title", publish=False)
    child = make_asset(people["bob"], title="Improved idea")
    derivation_add(actor=people["bob"], child=child, parent_id=root.pk)
    asset_update(actor=people["bob"], asset=child, data=AssetData(
        kind="technology", title="Improved idea", summary="Now quieter.", details=DETAILS), note="quieter")
    contributions_propose(actor=people["bob"], asset=child, contributions=[
        ContributionData(username="bob", role="improver", share_bp=8000),
        ContributionData(username="carol", role="funder", share_bp=2000)])
    return {"root": root, "hidden": hidden, "child": child, "org": org}


@pytest.mark.parametrize("format", ["prov-json", "prov-o"])
def test_both_formats_parse_back_with_entities_agents_activities_and_derivations(people, history, format):
    root, child = history["root"], history["child"]
    derivation_add(actor=people["bob"], child=child, parent_id=history["hidden"].pk)
    _content, doc = export(child, people["carol"], format)

    assert {url(f"assets/{child.pk}/"), url(f"assets/{child.pk}/versions/1/"), url(f"assets/{child.pk}/versions/2/"),
            url(f"assets/{root.pk}/"), url(f"assets/{history['hidden'].pk}/")} <= uris(doc, ProvEntity)
    assert uris(doc, ProvAgent) == {
        url("people/bob/"), url("people/carol/"), url(f"organisations/{history['org'].slug}/")}
    # Links between assets, and each version a revision of the one before.
    assert relation(doc, ProvDerivation, PROV_ATTR_GENERATED_ENTITY, PROV_ATTR_USED_ENTITY) == {
        (url(f"assets/{child.pk}/"), url(f"assets/{root.pk}/")),
        (url(f"assets/{child.pk}/"), url(f"assets/{history['hidden'].pk}/")),
        (url(f"assets/{child.pk}/versions/2/"), url(f"assets/{child.pk}/versions/1/")),
    }
    [link] = [r for r in doc.get_records(ProvDerivation)
              if dict(r.formal_attributes)[PROV_ATTR_USED_ENTITY].uri == url(f"assets/{root.pk}/")]
    assert extra(link) == {"relation": ["improves"], "royalty_bp": ["500"], "status": ["approved"]}
    attributed = relation(doc, ProvAttribution, PROV_ATTR_ENTITY, PROV_ATTR_AGENT)
    assert {(url(f"assets/{child.pk}/"), url("people/bob/")), (url(f"assets/{child.pk}/"), url("people/carol/"))} <= attributed

    entries = list(Entry.objects.filter(subject=f"asset:{child.pk}").order_by("seq"))
    assert uris(doc, ProvActivity) == {url(f"log/entries/{e.seq}") for e in entries}
    for record in doc.get_records(ProvActivity):
        entry = next(e for e in entries if record.identifier.uri == url(f"log/entries/{e.seq}"))
        assert extra(record)["seq"] == [str(entry.seq)]
        assert extra(record)["leaf_hash"] == [bytes(entry.leaf_hash).hex()]
        assert extra(record)["entry_type"] == [entry.type]
    registered = next(e for e in entries if e.type == "asset.registered")
    assert (url(f"assets/{child.pk}/versions/1/"), url(f"log/entries/{registered.seq}")) in relation(
        doc, ProvGeneration, PROV_ATTR_ENTITY, PROV_ATTR_ACTIVITY)
    assert (url(f"log/entries/{registered.seq}"), url("people/bob/")) in relation(
        doc, ProvAssociation, PROV_ATTR_ACTIVITY, PROV_ATTR_AGENT)


def test_the_owning_organisation_is_an_agent_and_the_first_idea_is_marked(people, history):
    root = history["root"]
    _content, doc = export(history["child"], people["carol"])
    organisation = url(f"organisations/{history['org'].slug}/")
    assert organisation in uris(doc, ProvAgent)
    assert (url(f"assets/{root.pk}/"), organisation) in relation(doc, ProvAttribution, PROV_ATTR_ENTITY, PROV_ATTR_AGENT)
    [root_entity] = [r for r in doc.get_records(ProvEntity) if r.identifier.uri == url(f"assets/{root.pk}/")]
    assert extra(root_entity)["first_idea"] == ["True"]


def test_hidden_parents_are_bare_identifiers_without_content(people, history):
    derivation_add(actor=people["bob"], child=history["child"], parent_id=history["hidden"].pk)
    content, doc = export(history["child"], people["carol"])
    assert "Hidden draft title" not in content
    [placeholder] = [r for r in doc.get_records(ProvEntity)
                     if r.identifier.uri == url(f"assets/{history['hidden'].pk}/")]
    assert list(placeholder.attributes) == []
    owners_content, _doc = export(history["child"], people["bob"])
    assert "Hidden draft title" in owners_content


@pytest.mark.parametrize("format", ["prov-json", "prov-o"])
def test_teaser_viewers_get_no_details_and_full_viewers_do(people, make_asset, format):
    secret = make_asset(people["alice"], visibility="confidential", title="Secret alloy")
    teaser, teaser_doc = export(secret, people["bob"], format)
    assert DETAILS not in teaser and "Secret alloy" in teaser
    assert not any("details" in extra(r) for r in teaser_doc.get_records(ProvEntity))
    access_grant(actor=people["alice"], asset=secret, user=people["bob"])
    full, full_doc = export(secret, people["bob"], format)
    assert DETAILS in full
    [version] = [r for r in full_doc.get_records(ProvEntity) if r.identifier.uri.endswith("/versions/1/")]
    assert extra(version)["details"] == [DETAILS]


def test_an_asset_one_may_not_see_has_no_export(people, history):
    with pytest.raises(NotFound):
        asset_prov_for_user(asset_id=history["hidden"].pk, user=AnonymousUser(), format="prov-json")
    with pytest.raises(InvalidInput):
        asset_prov_for_user(asset_id=history["child"].pk, user=AnonymousUser(), format="turtle")


def test_labels_are_the_titles_the_viewer_may_see(people, history):
    _content, doc = export(history["child"], AnonymousUser(), "prov-o")
    labels = {r.identifier.uri: [str(v) for v in r.get_attribute(PROV_LABEL)] for r in doc.get_records(ProvEntity)}
    assert labels[url(f"assets/{history['child'].pk}/")] == ["Improved idea"]
    assert labels[url(f"assets/{history['root'].pk}/")] == ["Root idea"]
