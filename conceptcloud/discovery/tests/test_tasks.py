"""Every change that makes an asset version reaches the search index through the
task interface (inline here: no broker is configured in the tests)."""

import pytest
from django.db import transaction

from conceptcloud.discovery.models import LexicalDocument
from conceptcloud.discovery.selectors.lexical import assets_lexical_search
from conceptcloud.registry.services import AssetData, asset_register, asset_set_status, asset_update


def found(user, query):
    return [asset_id for asset_id, _ in assets_lexical_search(user=user, query=query)]


def data(**fields):
    values = {"kind": "technology", "title": "Ratchet winch", "summary": "A winch with a ratchet."}
    values.update(fields)
    return AssetData(**values)


@pytest.mark.django_db(transaction=True)
def test_a_registered_asset_is_found_once_its_transaction_commits(make_user):
    alice = make_user("alice")
    asset = asset_register(actor=alice, data=data(title="小水力発電機の羽根車"))
    assert found(None, "発電") == [asset.pk]


@pytest.mark.django_db
def test_an_edit_and_a_withdrawal_reach_the_index(make_user, django_capture_on_commit_callbacks):
    alice = make_user("alice")
    with django_capture_on_commit_callbacks(execute=True):
        asset = asset_register(actor=alice, data=data())
    assert found(None, "winch") == [asset.pk]
    with django_capture_on_commit_callbacks(execute=True):
        asset_update(actor=alice, asset=asset, data=data(title="Ratchet hoist", summary="A hoist with a ratchet."))
    assert found(None, "winch") == [] and found(None, "hoist") == [asset.pk]
    with django_capture_on_commit_callbacks(execute=True):
        asset_set_status(actor=alice, asset=asset, status="withdrawn")
    assert found(None, "hoist") == [] and found(alice, "hoist") == [asset.pk]


@pytest.mark.django_db
def test_a_registration_that_rolls_back_indexes_nothing(make_user, django_capture_on_commit_callbacks):
    alice = make_user("alice")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            asset_register(actor=alice, data=data())
            raise RuntimeError("the caller fails after registering")
    assert callbacks == [] and not LexicalDocument.objects.exists()
