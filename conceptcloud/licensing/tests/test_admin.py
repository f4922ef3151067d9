"""The operator's licensing screens list offers, deals and NDAs, change nothing,
and never show a deal's private thread."""

import pytest
from django.test import Client

from conceptcloud.licensing.models import Deal, LicenceOffer, Nda
from conceptcloud.licensing.services import inquiry_create, nda_propose


@pytest.fixture
def operator_client(db):
    from conceptcloud.accounts.models import User

    operator = User.objects.create_superuser(username="operator", email="operator@example.org", password="x")
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def deal(company, technology, make_offer):
    deal = inquiry_create(
        actor=company["user"], asset=technology, message="Our private plan", offer=make_offer(technology)
    )
    nda_propose(actor=company["user"], deal=deal)
    return deal


@pytest.mark.parametrize("model", ["licenceoffer", "deal", "nda"])
def test_each_licensing_screen_lists_its_rows(operator_client, deal, model):
    page = operator_client.get(f"/admin/licensing/{model}/")
    assert page.status_code == 200 and "Gear bearing drive" in page.content.decode()


def test_the_screens_change_nothing_and_keep_the_thread_private(operator_client, deal):
    before = [list(m.objects.values()) for m in (LicenceOffer, Deal, Nda)]
    assert operator_client.get("/admin/licensing/deal/add/").status_code == 403
    operator_client.post(f"/admin/licensing/deal/{deal.pk}/change/", {"stage": "active"})
    operator_client.post(f"/admin/licensing/deal/{deal.pk}/delete/", {"post": "yes"})
    assert [list(m.objects.values()) for m in (LicenceOffer, Deal, Nda)] == before
    page = operator_client.get(f"/admin/licensing/deal/{deal.pk}/change/")
    assert page.status_code == 200 and "Our private plan" not in page.content.decode()
    assert operator_client.get("/admin/licensing/dealmessage/").status_code == 404
