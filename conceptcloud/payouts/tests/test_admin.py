"""The operator's payouts screens: they list and show, and change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from conceptcloud.payouts.services import revenue_record
from conceptcloud.payouts.tests.conftest import TODAY


@pytest.fixture
def operator_client(make_user):
    user = make_user("operator")
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["revenueevent", "account", "ledgerline", "payout"])
def test_the_operator_lists_payouts_rows_without_add_change_or_delete(lineage, operator_client, model):
    revenue_record(
        actor=lineage.people["erin"], asset=lineage.e, amount=100, currency="EUR", date=TODAY, idempotency_key="k"
    )
    listing = operator_client.get(f"/admin/payouts/{model}/")
    assert listing.status_code == 200
    assert operator_client.get(f"/admin/payouts/{model}/add/").status_code == 403
    assert f"/admin/payouts/{model}/add/" not in listing.content.decode()
