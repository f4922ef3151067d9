"""Fixtures for the registry's page tests: signed-in clients and a cast of readers."""

from dataclasses import dataclass

import pytest
from django.test import Client


@pytest.fixture
def client_of():
    """client_of(user) → a test client signed in as that person (None: anonymous)."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@dataclass
class Cast:
    owner: object  # admin of the owning organisation
    org: object
    member: object  # another member of the owning organisation
    outsider: object  # signed in, member of another organisation
    granted: object  # signed in, no organisation; receives access grants


@pytest.fixture
def cast(make_user, make_org) -> Cast:
    from conceptcloud.accounts.models import Membership

    owner = make_user("owner")
    org = make_org(owner, "Kansai University TLO", kind="tlo")
    member = make_user("member")
    Membership.objects.create(user=member, organisation=org, role=Membership.Role.MEMBER)
    outsider = make_user("outsider")
    make_org(outsider, "Other Robotics Inc", kind="company")
    granted = make_user("granted")
    return Cast(owner=owner, org=org, member=member, outsider=outsider, granted=granted)
