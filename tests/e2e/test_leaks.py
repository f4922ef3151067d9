"""Confidential content never reaches a reader without access, by any path (DESIGN.md §4.2).

The word, file, hash and IP number below exist only in the hidden part of an
asset: its details, version notes about them, IP records and attachments. Every
page, fragment, API answer, count, admin screen and history entry a reader can
reach is searched for them; counts and facets must not move when they are
searched for.
"""

import re
from collections import Counter
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conceptcloud.accounts.models import Membership
from conceptcloud.accounts.services import token_create, user_set_operator
from conceptcloud.history.models import Entry
from conceptcloud.discovery.services.indexing import index_rebuild
from conceptcloud.registry.services import (
    AssetData,
    NeedData,
    IpRecordData,
    access_grant,
    asset_set_status,
    asset_update,
    attachment_add,
    attachment_remove,
    need_create,
)

# Each asset's hidden content, found nowhere else.
WORDS = {"confidential": "Quuxfrobium", "members": "Zorbanite"}
FILENAMES = {"confidential": "furnace-recipe-quux.pdf", "members": "kiln-plan-zorb.pdf"}
IP_NUMBERS = {"confidential": "JP2099-424242", "members": "JP2099-515151"}
WORD, FILENAME, IP_NUMBER = WORDS["confidential"], FILENAMES["confidential"], IP_NUMBERS["confidential"]
NOTE = f"raised the {WORD} share to 12%"
TEASER = dict(kind="technology", title="Heat-resistant alloy", summary="An alloy for turbine blades.",
              sdgs=[7, 9], countries_developed=["JP"], availability=["licence"], keywords=["alloy"])


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="leak test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def world(make_user, make_org, make_asset):
    """A confidential and a members-only asset of one organisation, each with an IP
    record, a removed and a current file, and an edit of the details with a note."""
    owner = make_user("owner")
    org = make_org(owner, "Owner University TLO", kind="tlo")
    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, organisation=org, role=Membership.Role.MEMBER)
    outsider = make_user("outsider")
    make_org(outsider, "Rival Metals KK", kind="company")
    granted = make_user("granted")
    operator = make_user("operator")
    user_set_operator(actor=None, user=operator, operator=True)
    assets = {}
    for visibility in ("confidential", "members"):
        word, filename = WORDS[visibility], FILENAMES[visibility]
        records = [IpRecordData(office="JP", number=IP_NUMBERS[visibility], kind="patent", status="pending")]
        asset = make_asset(owner, org=org, visibility=visibility, details=f"{word} 8%", ip_records=records, **TEASER)
        removed = attachment_add(actor=owner, asset=asset, upload=SimpleUploadedFile(
            "old-" + filename, f"%PDF-1.7 old {word}".encode(), content_type="application/pdf"))
        attachment_remove(actor=owner, asset=asset, attachment_id=removed.pk)
        attachment = attachment_add(actor=owner, asset=asset, upload=SimpleUploadedFile(
            filename, f"%PDF-1.7 {word}".encode(), content_type="application/pdf"))
        asset = asset_update(
            actor=owner, asset=asset, note=f"raised the {word} share to 12%",
            data=AssetData(details=f"{word} 12%", visibility=visibility, owner_org=org.slug, ip_records=records,
                           **TEASER),
        )
        access_grant(actor=owner, asset=asset, user=granted, reason="NDA 2025-01")
        assets[visibility] = (asset, attachment, removed)
    need = need_create(actor=outsider, data=NeedData(
        title="Heat-resistant alloy for turbine blades", description="Blades that last longer in hot turbines.",
        seeker_org="rival-metals-kk", sdgs=[9]))
    index_rebuild()  # the test's transaction never commits, so the indexing tasks have not run
    return {
        "assets": assets, "org": org, "owner": owner, "colleague": colleague, "outsider": outsider,
        "granted": granted, "operator": operator, "need": need,
    }


def _secrets(world, visibility: str) -> list[str]:
    _asset, attachment, removed = world["assets"][visibility]
    return [WORDS[visibility], FILENAMES[visibility], IP_NUMBERS[visibility],
            attachment.sha256[:12], removed.sha256[:12]]


def _leaks(world, text: str, visibility: str = "confidential") -> list[str]:
    return [secret for secret in _secrets(world, visibility) if secret in text]


def _readers_without_access(world, visibility: str):
    readers = {"anonymous": None}
    if visibility == "confidential":
        readers.update(outsider=world["outsider"], operator=world["operator"])
    return readers


def _reachable_urls(world, asset, attachment) -> list[str]:
    org = world["org"].slug
    need = world["need"].pk
    return [
        "/", "/assets/", "/assets/?sort=updated", f"/assets/?organisation={org}", "/assets/?sdg=7",
        f"/assets/{asset.pk}/", f"/assets/{asset.pk}/versions/",
        *[f"/assets/{asset.pk}/versions/{n}/" for n in range(1, asset.version + 1)],
        f"/organisations/{org}/", "/people/owner/", "/needs/",
        "/assets/cpc-check/?cpc_codes=F16H", f"/assets/{asset.pk}/attachments/{attachment.pk}/",
        "/api/v1/assets/?page_size=100", f"/api/v1/assets/?organisation={org}",
        f"/api/v1/assets/{asset.pk}", f"/api/v1/assets/{asset.pk}/versions?page_size=100",
        *[f"/api/v1/assets/{asset.pk}/versions/{n}" for n in range(1, asset.version + 1)],
        f"/api/v1/assets/{asset.pk}/attachments", f"/api/v1/assets/{asset.pk}/attachments/{attachment.pk}",
        f"/api/v1/assets/{asset.pk}/grants", f"/api/v1/organisations/{org}", "/api/v1/people/owner",
        # Search and matching: teasers, snippets, reasons and counts.
        "/search/?q=alloy+turbine", "/search/?q=alloy&sdg=7&sort=newest", "/search/?kind=technology",
        "/api/v1/search?q=alloy+turbine", "/api/v1/search?q=heat+resistant&trl=",
        f"/needs/{need}/technologies/", f"/api/v1/needs/{need}/technologies",
        f"/assets/{asset.pk}/matches/", f"/assets/{asset.pk}/matches/needs/",
        f"/assets/{asset.pk}/matches/partners/", f"/api/v1/assets/{asset.pk}/needs",
        f"/api/v1/assets/{asset.pk}/partners", "/people/owner/mentors/", "/api/v1/people/owner/mentors",
    ]


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


@pytest.mark.parametrize("visibility", ["confidential", "members"])
def test_no_page_fragment_or_api_answer_shows_hidden_content_to_readers_without_access(world, visibility):
    asset, attachment, _removed = world["assets"][visibility]
    for name, user in _readers_without_access(world, visibility).items():
        for client in (_client(user), _bearer(user) if user else Client()):
            for url in _reachable_urls(world, asset, attachment):
                response = client.get(url)
                assert response.status_code < 500, (name, url)
                assert _leaks(world, _content(response), visibility) == [], (name, url)


@pytest.mark.parametrize("reader", ["owner", "colleague", "granted"])
def test_readers_with_access_do_see_the_hidden_content(world, reader):
    asset, attachment, _removed = world["assets"]["confidential"]
    client = _client(world[reader])
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert WORD in page and FILENAME in page and IP_NUMBER in page
    assert NOTE in client.get(f"/assets/{asset.pk}/versions/").content.decode()
    assert client.get(f"/api/v1/assets/{asset.pk}/versions/{asset.version}").json()["note"] == NOTE


def _result_count(page: str) -> int:
    return int(re.search(r"(\d+) assets?\b", page).group(1))


def _facet_counts(page: str) -> list[str]:
    facets = page[page.index('class="facets"'):page.index("</aside>")]
    return re.findall(r">([^<>]+)</a>\s*<span class=\"muted\">\((\d+)\)", facets)


@pytest.mark.parametrize("visibility", ["confidential", "members"])
def test_searching_a_hidden_word_moves_no_count_and_no_facet(world, visibility):
    for name, user in _readers_without_access(world, visibility).items():
        client = _client(user)
        for word in (WORDS[visibility], FILENAMES[visibility], IP_NUMBERS[visibility]):
            searched = client.get("/assets/", {"q": word}).content.decode()
            nothing = client.get("/assets/", {"q": "no-such-word-anywhere"}).content.decode()
            assert _result_count(searched) == _result_count(nothing) == 0, (name, word)
            assert _facet_counts(searched) == _facet_counts(nothing), (name, word)
            api = _bearer(user) if user else Client()
            assert api.get("/api/v1/assets/", {"q": word}).json()["count"] == 0, (name, word)
            assert client.get("/assets/", {"q": word, "organisation": world["org"].slug}).status_code == 200


def _search_counts(page: str) -> tuple[int, list[str]]:
    """The search page's result count and every facet value's count."""
    status = re.search(r'role="status"[^>]*>\s*(\d+)', page)
    return int(status.group(1)), re.findall(r"\((\d+)\)</span>", page)


@pytest.mark.parametrize("visibility", ["confidential", "members"])
def test_searching_a_hidden_word_on_the_search_page_moves_no_count(world, visibility):
    for name, user in _readers_without_access(world, visibility).items():
        client = _client(user)
        api = _bearer(user) if user else Client()
        for word in (WORDS[visibility], FILENAMES[visibility], IP_NUMBERS[visibility]):
            answer = api.get("/api/v1/search", {"q": word}).json()
            assert answer["count"] == 0 and answer["results"] == [], (name, word)
            assert all(v["count"] == 0 for values in answer["facets"].values() for v in values), (name, word)
            searched = client.get("/search/", {"q": word}).content.decode()
            nothing = client.get("/search/", {"q": "nosuchwordanywhere"}).content.decode()
            assert _search_counts(searched) == _search_counts(nothing), (name, word)


def test_the_hidden_word_finds_the_asset_for_readers_with_access(world):
    for reader in ("owner", "colleague", "granted", "outsider"):
        for visibility, word in WORDS.items():
            found = _result_count(_client(world[reader]).get("/assets/", {"q": word}).content.decode())
            # Members-only details are for every signed-in person, the outsider too.
            assert found == (0 if (reader, visibility) == ("outsider", "confidential") else 1), (reader, word)


def test_teaser_readers_see_notes_only_of_versions_that_changed_nothing_hidden(world):
    asset, _attachment, _removed = world["assets"]["confidential"]
    owner = world["owner"]
    asset = asset_update(
        actor=owner, asset=asset, note="shorter title",
        data=AssetData(**{**TEASER, "title": "Alloy"}, details=f"{WORD} 12%", visibility="confidential",
                       owner_org=world["org"].slug,
                       ip_records=[IpRecordData(office="JP", number=IP_NUMBER, kind="patent", status="pending")]),
    )
    versions = Client().get(f"/api/v1/assets/{asset.pk}/versions?page_size=100").json()["items"]
    notes = {version["number"]: version["note"] for version in versions}
    assert notes[asset.version] == "shorter title"
    assert NOTE not in notes.values() and not any(FILENAME in note for note in notes.values())


def test_history_entries_of_hidden_content_hold_only_a_commitment(world):
    asset, _attachment, _removed = world["assets"]["confidential"]
    asset_set_status(actor=world["owner"], asset=asset, status="withdrawn", reason="superseded")
    entries = list(Entry.objects.filter(subject=f"asset:{asset.pk}"))
    assert Counter(e.type for e in entries) == {
        "asset.registered": 1, "asset.attachment_added": 2, "asset.attachment_removed": 1,
        "asset.updated": 1, "asset.access_granted": 1, "asset.withdrawn": 1,
    }
    for entry in entries:
        assert _leaks(world, bytes(entry.canonical).decode()) == [], entry.type
        if entry.type != "asset.access_granted":
            assert set(entry.payload["commitment"]) == {"alg", "value"}, entry.type
            assert not {"details", "ip_records", "attachments"} & set(entry.payload), entry.type


def test_the_operator_admin_shows_teasers_only(world, client):
    asset, _attachment, _removed = world["assets"]["confidential"]
    admin = _client(world["operator"])
    for url in ("/admin/registry/asset/", f"/admin/registry/asset/{asset.pk}/change/", "/admin/"):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert _leaks(world, response.content.decode()) == [], url
    assert "0 results" in admin.get("/admin/registry/asset/", {"q": WORD}).content.decode()


@pytest.mark.parametrize("reader", ["anonymous", "outsider", "owner"])
def test_people_who_are_not_staff_cannot_open_the_admin(world, reader):
    client = _client(world.get(reader))
    for url in ("/admin/", "/admin/registry/asset/", "/admin/accounts/user/", "/admin/history/entry/"):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url


def _normalised(content: bytes, url: str) -> bytes:
    """An answer with its own address and its per-response CSRF token masked."""
    for spelling in (url, quote(url, safe=""), url.split("/api/v1")[-1]):
        content = content.replace(spelling.encode(), b"URL")
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1TOKEN", content)


def test_a_draft_answers_exactly_like_an_absent_asset(make_user, make_org, make_asset):
    owner = make_user("owner")
    draft = make_asset(owner, org=make_org(owner, "Owner Org"), publish=False)
    absent = draft.pk + 1000
    outsider = make_user("outsider")
    for client in (Client(), _client(outsider), _bearer(outsider)):
        for method, template, body in (
            ("get", "/assets/{}/", None), ("get", "/assets/{}/versions/", None),
            ("get", "/assets/{}/versions/1/", None), ("post", "/assets/{}/attachments/", {}),
            ("post", "/assets/{}/status/", {"status": "published"}), ("get", "/api/v1/assets/{}", None),
            ("get", "/api/v1/assets/{}/versions", None), ("get", "/api/v1/assets/{}/attachments", None),
            ("patch", "/api/v1/assets/{}", {"title": "x"}), ("post", "/api/v1/assets/{}/status", {"status": "published"}),
            ("get", "/api/v1/assets/{}/grants", None), ("delete", "/api/v1/assets/{}/grants/owner", None),
        ):
            kwargs = {"data": body, "content_type": "application/json"} if body is not None and "/api/" in template else {}
            if body is not None and "/api/" not in template:
                kwargs = {"data": body}
            urls = [template.format(pk) for pk in (draft.pk, absent)]
            seen = [(answer.status_code, _normalised(answer.content, url))
                    for url, answer in ((url, getattr(client, method)(url, **kwargs)) for url in urls)]
            assert seen[0] == seen[1], (method, template)
            assert seen[0][0] in (302, 401, 404), (method, template)
