import csv
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from conceptcloud.accounts.models import Membership, Organisation, User
from conceptcloud.history.models import Entry
from conceptcloud.registry.demo import demo_load
from conceptcloud.registry.demo.sources import (
    AGENCIES,
    CENTRES,
    DATA_DIR,
    application_number,
    merge_by_reference,
    nasa_patents,
    nasa_software,
    nasa_technologies,
    patent_expiry,
    patent_number,
    sbir_date,
    sbir_needs,
    shorten,
)
from conceptcloud.registry.models import Asset, IpRecord, Need
from conceptcloud.registry.selectors import Access, asset_get_for_user

TODAY = date.today()


# ---- normalising the sources' quirky values ------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10/03/2015", date(2015, 10, 3)),  # month first, the list's format
        ("06/16/2024", date(2024, 6, 16)),  # can only be month first
        ("11/18/1930", date(2030, 11, 18)),  # the year wrapped a century back
        ("02/26/1934", date(2034, 2, 26)),
        ("0000-00-00", None),
        ("", None),
        ("25/12/2030", date(2030, 12, 25)),  # a first part over 12 is the day
        ("02/30/2020", None),
        ("2031-05-07", date(2031, 5, 7)),
    ],
)
def test_patent_dates_are_normalised_from_the_lists_quirky_formats(raw, expected):
    assert patent_expiry(raw) == expected


def test_every_date_in_the_bundled_patent_list_is_read_or_deliberately_empty():
    with gzip.open(DATA_DIR / "nasa_patents_datagov" / "NASA_Patents.csv.gz", "rt", encoding="utf-8") as handle:
        raw_dates = [row["Patent Expiration Date"] for row in csv.DictReader(io.StringIO(handle.read()))]
    parsed = [patent_expiry(raw) for raw in raw_dates]
    assert all(p is not None for raw, p in zip(raw_dates, parsed, strict=True) if raw not in ("", "0000-00-00"))
    assert all(date(2015, 1, 1) <= p <= date(2034, 12, 31) for p in parsed if p)
    assert sum(p is None for p in parsed) == 118 + 232


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5694939", "5,694,939"), ("464750", "464,750"), ("RE43,880", "RE43,880"), ("D628,609", "D628,609"), ("0", ""), ("", "")],
)
def test_patent_numbers_are_written_the_usptos_way(raw, expected):
    assert patent_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13/033,085", "13/033,085"),
        ("09/822470", "09/822,470"),
        ("14/ 033725", "14/033,725"),
        ("12/533/258", "12/533,258"),
        ("11/5,624", "11/005,624"),
        ("   13/444,777", "13/444,777"),
        ("/0", ""),
        ("/", ""),
        ("", ""),
    ],
)
def test_application_serial_numbers_are_normalised_and_placeholders_mean_none(raw, expected):
    assert application_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("March 21, 2018", date(2018, 3, 21)), ("September 30, 2014", date(2014, 9, 30)), ("", None), ("Smarch 1, 2018", None)],
)
def test_sbir_dates_are_read_without_the_process_locale(raw, expected):
    assert sbir_date(raw) == expected


def test_a_long_text_is_shortened_at_a_sentence_end():
    text = "First sentence. " * 200
    short = shorten(text, 2000)
    assert len(short) <= 2000 and short.endswith("sentence.")
    assert shorten("Short.", 2000) == "Short."


# ---- the bundled records --------------------------------------------------------


def test_every_bundled_record_belongs_to_a_known_organisation_and_fits_the_fields():
    slugs = set(CENTRES.values()) | set(AGENCIES.values())
    assets = nasa_technologies() + nasa_software() + nasa_patents(today=TODAY)
    needs = sbir_needs()
    assert (len(assets), len(needs)) == (633 + 931 + 1393, 5701)
    assert {a.data.owner_org for a in assets} <= slugs and {n.data.seeker_org for n in needs} <= slugs
    assert all(len(a.data.summary) <= 2000 and len(a.data.title) <= 300 and a.data.reference for a in assets)
    assert all(len(n.data.description) <= 100_000 and n.data.deadline and n.status == "closed" for n in needs)


def test_a_case_number_listed_as_software_and_as_a_patent_becomes_one_asset_with_both_records():
    assets = merge_by_reference(nasa_technologies() + nasa_software() + nasa_patents(today=TODAY))
    assert len(assets) == 633 + 931 + 1393 - 6
    cart3d = [a for a in assets if a.data.reference == "ARC-14275-1"]
    assert len(cart3d) == 1 and cart3d[0].source == "nasa-software"
    records = {(r.office, r.number, r.kind) for r in cart3d[0].data.ip_records}
    assert records == {("OTHER", "ARC-14275-1", "software"), ("US", "6,445,390", "patent")}


# ---- loading ---------------------------------------------------------------------


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_a_small_load_creates_organisations_accounts_assets_and_needs():
    report = demo_load(limit=20)

    assert report.created["organisations"] == Organisation.objects.count() == 23
    goddard = Organisation.objects.get(slug="nasa-goddard")
    assert (goddard.kind, goddard.country) == ("government", "US")
    assert Organisation.objects.get(slug="demo-university-tlo").kind == "tlo"
    assert Membership.objects.filter(user__username="demo-curator", organisation=goddard, role="admin").exists()
    assert Membership.objects.filter(user__username="demo-company", organisation__slug="demo-precision-works").exists()

    spacecube = Asset.objects.get(reference="GSC-TOPS-35")
    assert (spacecube.kind, spacecube.owner_org.slug, spacecube.availability) == ("technology", "nasa-goddard", ["licence"])
    assert spacecube.status == "published" and spacecube.countries_developed == ["US"]

    isce = Asset.objects.get(reference="NPO-48344-1")
    assert (isce.owner_org.slug, isce.availability) == ("nasa-jpl", ["open"])
    assert isce.ip_records.get().kind == "software"

    patent = Asset.objects.get(reference="ARC-14231-2DIV")
    record = patent.ip_records.get()
    assert (patent.kind, patent.owner_org.slug) == ("patent", "nasa-ames")
    assert (record.office, record.number, record.expiry_date) == ("US", "6,976,013", date(2024, 6, 16))
    assert record.status == ("expired" if record.expiry_date < TODAY else "granted")
    application = IpRecord.objects.get(asset__reference="KSC-12871")
    assert (application.number, application.status, application.expiry_date) == ("13/033,085", "pending", None)

    need = Need.objects.get(reference="88ef4f66cb0d")
    assert need.seeker_org.slug == "us-hhs"  # "Department of Health and Human Services; National Institutes of Health"
    assert (need.status, need.deadline, need.sdgs) == ("closed", date(2018, 3, 21), [3])
    with lzma.open(DATA_DIR / "sbir_topics_needs" / "sbir_sttr_topics_fy2008_2018.jsonl.xz", "rt") as handle:
        topics = [json.loads(next(handle)) for _ in range(20)]
    for topic in topics:  # each organisation is named after the first agency of its topic
        seeker = Need.objects.get(reference=topic["topic_id"]).seeker_org
        assert topic["agency"].split(";")[0] in seeker.name and seeker.kind == "government"
    assert Need.objects.filter(status="open").count() == 3  # the hand-written demo needs

    assert Asset.objects.filter(language="ja").exists() and Asset.objects.filter(kind="lesson").exists()
    assert report.created["nasa-patents"] == 20 and not report.refused


@pytest.mark.django_db
def test_every_record_is_written_with_its_history_entry():
    demo_load(limit=5)
    for asset in Asset.objects.all():
        assert Entry.objects.filter(subject=f"asset:{asset.pk}", type="asset.registered").exists()
    for need in Need.objects.filter(status="closed"):
        types = set(Entry.objects.filter(subject=f"need:{need.pk}").values_list("type", flat=True))
        assert types == {"need.posted", "need.status_changed"}
    assert Entry.objects.filter(type="organisation.created").count() == 23


@pytest.mark.django_db
def test_running_the_loader_twice_creates_nothing_new():
    first = demo_load(limit=20)
    counts = _row_counts()
    second = demo_load(limit=20)
    assert _row_counts() == counts
    assert sum(second.created.values()) == 0
    assert sum(second.present.values()) == sum(v for k, v in first.created.items() if k != "ip-records")
    assert "created nothing new" in second.summary()


@pytest.mark.django_db
def test_a_larger_second_load_adds_only_what_is_missing():
    demo_load(limit=3)
    report = demo_load(limit=6)
    assert report.created["nasa-technologies"] == 3 and report.present["nasa-technologies"] == 3
    assert Asset.objects.filter(owner_org__slug__startswith="nasa").count() == 18


@pytest.mark.django_db
def test_records_of_an_organisation_held_by_someone_else_are_refused_and_reported(make_user, make_org):
    stranger = make_user("stranger")
    from conceptcloud.accounts.services import OrganisationData, organisation_create

    organisation_create(
        actor=stranger, data=OrganisationData(name="Not the demo", kind="company", country="JP"), slug="demo-precision-works"
    )
    report = demo_load(limit=2)
    refused = " ".join(report.refused)
    assert len(report.refused) == 3 and "DEMO-SME-001" in refused and "DEMO-SME-N01" in refused
    assert not Asset.objects.filter(owner_org__slug="demo-precision-works").exists()
    assert Asset.objects.filter(reference="DEMO-TLO-001").exists()
    assert "3 records were refused" in report.summary()


@pytest.mark.django_db
def test_a_demo_account_suspended_by_the_operator_does_not_stop_the_next_load():
    from conceptcloud.accounts.services import user_set_active

    demo_load(limit=1)
    operator = User.objects.get(username="demo-operator")
    user_set_active(actor=operator, user=User.objects.get(username="demo-inventor"), active=False)
    Asset.objects.filter(reference="DEMO-INV-003").delete()  # something the inventor would have to re-create
    report = demo_load(limit=1)
    assert sum(report.created.values()) == 0
    refused = " ".join(report.refused)
    assert "account demo-inventor" in refused and "asset DEMO-INV-003" in refused


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["demo-tlo", "demo-company", "demo-inventor", "demo-operator"])
def test_the_demo_accounts_sign_in_with_the_documented_password(client, username):
    demo_load(limit=0)
    request = RequestFactory().post("/account/login/")
    assert client.login(request=request, username=username, password="conceptcloud-demo")


@pytest.mark.django_db
def test_the_operator_runs_the_admin_and_the_curator_cannot_sign_in(client):
    demo_load(limit=0)
    operator = User.objects.get(username="demo-operator")
    assert operator.is_staff and operator.is_superuser
    assert Entry.objects.filter(subject="user:demo-operator", type="moderation.operator_appointed").exists()
    request = RequestFactory().post("/account/login/")
    assert not client.login(request=request, username="demo-curator", password="conceptcloud-demo")


@pytest.mark.django_db
def test_the_confidential_demo_technology_shows_only_its_teaser_to_outsiders():
    demo_load(limit=0)
    asset = Asset.objects.get(reference="DEMO-TLO-002")
    assert asset.visibility == "confidential"
    assert asset_get_for_user(asset_id=asset.pk, user=AnonymousUser()).access == Access.TEASER
    assert asset_get_for_user(asset_id=asset.pk, user=User.objects.get(username="demo-tlo")).access == Access.MANAGE
    entry = Entry.objects.get(subject=f"asset:{asset.pk}")
    assert b"micro-turbine" not in bytes(entry.canonical)


def test_the_demo_command_loads_into_a_fresh_data_folder_and_a_second_run_adds_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    # Debug serves static files from the apps, so the command skips collectstatic.
    env.update(CC_DATA_DIR=str(tmp_path), CC_DEBUG="1", DJANGO_SETTINGS_MODULE="conceptcloud.config.settings")
    env["CC_MODEL_DIR"] = os.environ["CC_MODEL_DIR"]  # the suite's converted model, not a second conversion
    command = [sys.executable, "-m", "conceptcloud", "demo", "--limit", "5"]
    first = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    assert "5 NASA technologies for licence" in first.stdout and "5 SBIR/STTR topics as needs" in first.stdout
    assert "Search index built" in first.stdout
    search = subprocess.run(
        [*command[:3], "manage", "shell", "-c",
         "from conceptcloud.discovery.models import AssetVector, LexicalDocument; "
         "from conceptcloud.registry.models import Asset; "
         "n = Asset.objects.count(); "
         "print(n > 0 and LexicalDocument.objects.count() == n and AssetVector.objects.count() == n)"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert search.stdout.strip().splitlines()[-1] == "True"
    second = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    assert "created nothing new" in second.stdout
    assert "Search index built" not in second.stdout
    assert (tmp_path / "conceptcloud.sqlite3").exists()
