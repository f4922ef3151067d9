"""Fixtures for the accounts tests: signed-in clients and the platform operator."""

import pytest
from django.test import Client

PASSWORD = "correct horse 42"


@pytest.fixture
def client_for():
    """client_for(user) → a test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def operator(db):
    """A superuser: the platform operator who moderates in the admin."""
    from conceptcloud.accounts.models import User

    return User.objects.create_superuser(username="operator", email="operator@example.org", password=PASSWORD)
