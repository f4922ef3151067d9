"""What the licensing tests share: a TLO with a technology, a company seeker, an outsider."""

from dataclasses import replace

import pytest

from conceptcloud.accounts.services import invitation_accept, invitation_create
from conceptcloud.licensing.services import offer_create, offer_template


@pytest.fixture
def tlo(make_user, make_org):
    """Tanaka administers the Tokyo TLO; Sato is a member of it too."""
    tanaka, sato = make_user("tanaka"), make_user("sato")
    org = make_org(tanaka, "Tokyo TLO", kind="tlo")
    invitation, _token = invitation_create(
        actor=tanaka, organisation=org, email=sato.email, role="member", accept_url_base="http://testserver/"
    )
    invitation_accept(actor=sato, invitation=invitation)
    return {"org": org, "admin": tanaka, "member": sato}


@pytest.fixture
def company(make_user, make_org):
    """Yamada acts for Acme Robotics."""
    yamada = make_user("yamada")
    return {"org": make_org(yamada, "Acme Robotics", kind="company"), "user": yamada}


@pytest.fixture
def outsider(make_user):
    return make_user("mallory")


@pytest.fixture
def technology(make_asset, tlo):
    return make_asset(tlo["admin"], org=tlo["org"], title="Gear bearing drive")


@pytest.fixture
def secret(make_asset, tlo):
    """A confidential technology: its details reach only the TLO and people granted access."""
    return make_asset(tlo["admin"], org=tlo["org"], visibility="confidential", title="Sealed battery")


@pytest.fixture
def make_offer(tlo):
    """make_offer(asset, template="express", **changes) → an open offer by the TLO's admin."""

    def make(asset, template: str = "express", **changes):
        data = replace(offer_template(template=template, asset=asset), **changes)
        return offer_create(actor=tlo["admin"], asset=asset, data=data)

    return make
