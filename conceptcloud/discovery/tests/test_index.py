"""Stored vectors and this process's index of them (services/indexing.py, index.py)."""

import numpy as np
import pytest

from conceptcloud.discovery import index as vector_index
from conceptcloud.discovery.embeddings import embed
from conceptcloud.discovery.index import VectorCache, asset_index_cache, query_vector
from conceptcloud.discovery.models import AssetVector, NeedVector, PersonVector
from conceptcloud.discovery.services.indexing import asset_index, asset_vector_text, index_rebuild, need_index
from conceptcloud.discovery.vectors import unpack
from conceptcloud.registry.models import Asset
from conceptcloud.registry.services import AssetData, NeedData, asset_update, need_create

pytestmark = pytest.mark.django_db


def stored(asset):
    row = AssetVector.objects.get(asset=asset)
    return row, unpack([bytes(row.vector)], dimensions=384)[0]


def test_an_assets_vector_is_the_embedding_of_what_every_viewer_sees(make_user, make_asset):
    owner = make_user("owner")
    public = make_asset(owner, title="Wind turbine blade", summary="A blade.", details="Carbon fibre layup.")
    secret = make_asset(owner, visibility="confidential", title="Wind turbine hub", summary="A hub.", details="Secret alloy.")
    asset_index(asset_id=public.pk)
    asset_index(asset_id=secret.pk)
    assert "Carbon fibre layup." in asset_vector_text(public)
    assert "Secret alloy." not in asset_vector_text(secret)
    _row, vector = stored(secret)
    assert np.dot(vector, embed([asset_vector_text(secret)])[0]) > 0.999


def test_an_unchanged_text_is_not_embedded_again_and_a_changed_one_is(make_user, make_asset):
    owner = make_user("owner")
    asset = make_asset(owner, title="Wind turbine blade", summary="A blade.")
    asset_index(asset_id=asset.pk)
    first, vector = stored(asset)
    data = AssetData(kind="technology", title=asset.title, summary=asset.summary, details=asset.details, trl=5)
    asset = asset_update(actor=owner, asset=asset, data=data)
    asset_index(asset_id=asset.pk)
    again, _ = stored(asset)
    assert again.updated_at == first.updated_at  # TRL is not in the text: nothing re-embedded
    data = AssetData(kind="technology", title="Tidal turbine blade", summary=asset.summary, details=asset.details)
    asset_index(asset_id=asset_update(actor=owner, asset=asset, data=data).pk)
    changed, new_vector = stored(asset)
    assert changed.text_hash != first.text_hash and float(np.dot(vector, new_vector)) < 0.999


def test_a_deleted_asset_leaves_the_index(make_user, make_asset):
    asset = make_asset(make_user("owner"))
    asset_index(asset_id=asset.pk)
    pk = asset.pk
    Asset.objects.filter(pk=pk).delete()
    asset_index(asset_id=pk)
    assert not AssetVector.objects.filter(asset_id=pk).exists()


def test_the_cache_finds_a_new_listing_at_the_next_query_and_forgets_a_deleted_one(make_user, make_asset):
    owner = make_user("owner")
    cache = VectorCache(AssetVector, "asset_id")
    first = make_asset(owner, title="Desalination by solar stills", summary="Sun-powered water stills.")
    asset_index(asset_id=first.pk)
    query = query_vector("solar desalination of sea water")
    assert [hit.id for hit in cache.search(query, 5)] == [first.pk]
    second = make_asset(owner, title="Solar desalination membrane", summary="Solar heat drives sea water desalination.")
    asset_index(asset_id=second.pk)
    assert {hit.id for hit in cache.search(query, 5)} == {first.pk, second.pk}  # from the delta
    assert cache.search(query, 5, allowed={first.pk})[0].id == first.pk
    assert np.allclose(cache.vector(second.pk), stored(second)[1])
    AssetVector.objects.filter(asset_id=second.pk).delete()
    assert [hit.id for hit in cache.search(query, 5)] == [first.pk]  # rebuilt: the rows no longer add up
    assert cache.vector(second.pk) is None and len(cache) == 1


def test_a_changed_vector_shadows_its_old_copy_in_the_base_index(make_user, make_asset):
    owner = make_user("owner")
    asset = make_asset(owner, title="Desalination by solar stills", summary="Sun-powered water stills.")
    asset_index(asset_id=asset.pk)
    cache = VectorCache(AssetVector, "asset_id")
    assert len(cache) == 1
    data = AssetData(kind="technology", title="Violin varnish recipe", summary="An old varnish for violins.")
    asset_index(asset_id=asset_update(actor=owner, asset=asset, data=data).pk)
    hits = cache.search(query_vector("violin varnish"), 5)
    assert len(hits) == 1 and hits[0].score > 0.5


def test_needs_and_people_get_vectors_and_rebuild_restores_everything(make_user, make_org, make_asset):
    seeker = make_user("seeker")
    org = make_org(seeker, "Osaka City", kind="government")
    need = need_create(actor=seeker, data=NeedData(title="Flood warning sensors", description="River level sensors.", seeker_org=org.slug))
    need_index(need_id=need.pk)
    assert NeedVector.objects.filter(need=need).exists()
    asset = make_asset(seeker, org)
    AssetVector.objects.all().delete()
    NeedVector.objects.all().delete()
    assert index_rebuild() >= 1
    assert AssetVector.objects.filter(asset=asset).exists() and NeedVector.objects.filter(need=need).exists()
    assert PersonVector.objects.filter(user=seeker).exists()  # their published public asset is their record
    assert asset_index_cache().vector(asset.pk) is not None
    assert vector_index.need_index_cache().search(query_vector("river flood sensor"), 1)[0].id == need.pk


def test_warming_builds_every_copy_from_the_rows_stored(make_user, make_asset, settings):
    from conceptcloud.discovery.backends.base import postings_copy
    from conceptcloud.discovery.models import LexicalDocument
    from conceptcloud.discovery.services.copies import search_copies_warm

    owner = make_user("owner")
    for title in ("Wind turbine blade", "Tidal turbine hub"):
        asset_index(asset_id=make_asset(owner, title=title).pk)
    held = search_copies_warm()
    assert held == {
        "postings": LexicalDocument.objects.count(),
        "assets": AssetVector.objects.count(),
        "needs": NeedVector.objects.count(),
        "people": PersonVector.objects.count(),
        "signatures": AssetVector.objects.count(),
    }
    assert held["postings"] == held["assets"] == 2
    assert postings_copy().loaded and asset_index_cache().loaded
    settings.CC_SEARCH_POSTINGS_COPY = False  # the database ranks: no postings copy to build
    assert "postings" not in search_copies_warm()
