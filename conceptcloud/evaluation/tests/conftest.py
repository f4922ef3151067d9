"""What the evaluation tests share: an owner organisation with a public and a
confidential asset, a reviewer from outside, and a helper for full scores."""

import pytest

from conceptcloud.accounts.services import invitation_accept, invitation_create
from conceptcloud.evaluation.services import ReviewData


def scores(value: int = 4, **changes) -> dict:
    base = dict.fromkeys(
        ("challenge", "novelty", "inventive_step", "cause_analysis", "quality", "versatility"), value
    )
    base.update(changes)
    return base


def review_data(value: int = 4, text: str = "A careful analysis of why the pilot failed.", **changes) -> ReviewData:
    return ReviewData(**scores(value, **changes), text=text)


@pytest.fixture
def lab(make_user, make_org):
    """Tanaka administers the Kyoto Lab; Sato is a member of it."""
    tanaka, sato = make_user("tanaka"), make_user("sato")
    org = make_org(tanaka, "Kyoto Lab", kind="university")
    invitation, _token = invitation_create(
        actor=tanaka, organisation=org, email=sato.email, role="member", accept_url_base="http://testserver/"
    )
    invitation_accept(actor=sato, invitation=invitation)
    return {"org": org, "admin": tanaka, "member": sato}


@pytest.fixture
def public_asset(make_asset, lab):
    return make_asset(lab["admin"], org=lab["org"], title="Solar dryer", kind="lesson")


@pytest.fixture
def confidential_asset(make_asset, lab):
    return make_asset(lab["admin"], org=lab["org"], visibility="confidential", title="Secret cell chemistry")


@pytest.fixture
def reviewer(make_user):
    return make_user("yamada")
