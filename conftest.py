"""Test set-up shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when CC_DATABASE_URL is set
(.ci/run runs both). Settings: conceptcloud.config.test_settings.
"""

import os

# Browser tests drive a live server from the test process's own threads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_user(db):
    """make_user("alice") → an active user with password 'correct horse 42'."""
    from conceptcloud.accounts.services import user_signup

    def make(username: str, **extra):
        return user_signup(
            username=username,
            email=extra.pop("email", f"{username}@example.org"),
            password=extra.pop("password", "correct horse 42"),
            display_name=extra.pop("display_name", username.title()),
        )

    return make


@pytest.fixture
def make_org(db):
    """make_org(admin_user, "Tokyo TLO", kind="tlo") → an organisation with that admin."""
    from conceptcloud.accounts.services import OrganisationData, organisation_create

    def make(admin, name: str, kind: str = "university", country: str = "JP"):
        return organisation_create(actor=admin, data=OrganisationData(name=name, kind=kind, country=country))

    return make


@pytest.fixture
def make_asset(db):
    """make_asset(owner, org=None, visibility="public", **fields) → a published asset."""
    from conceptcloud.registry.services import AssetData, asset_register

    def make(owner, org=None, visibility="public", publish=True, **fields):
        values = {
            "kind": "technology",
            "title": "Gear bearing drive",
            "summary": "A gear and a bearing in one unit.",
            "details": "Confidential tolerances: 0.002 mm.",
        }
        values.update(fields)
        data = AssetData(owner_org=org.slug if org else "", visibility=visibility, **values)
        return asset_register(actor=owner, data=data, publish=publish)

    return make
