"""The registry forms: shapes in, service data classes out, service errors by the fields."""

from datetime import date

from django.utils import translation

from conceptcloud.core.errors import InvalidInput
from conceptcloud.registry.forms import (
    AssetFilterForm,
    AssetForm,
    IpRecordFormSet,
    NeedFilterForm,
    NeedForm,
    split_list,
)
from conceptcloud.registry.models import Asset
from conceptcloud.registry.services import IpRecordData


def test_lists_split_on_ascii_japanese_and_full_width_commas_semicolons_and_lines():
    assert split_list("gear, bearing、歯車，軸受; robot\r\n\nF16H 1/00") == [
        "gear", "bearing", "歯車", "軸受", "robot", "F16H 1/00",
    ]
    assert split_list("") == [] and split_list(" , ,") == []


def test_the_asset_form_builds_asset_data_from_what_a_browser_sends(make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Osaka TLO")
    form = AssetForm(
        {
            "kind": "dataset", "title": "Tide readings", "summary": "Hourly sea levels.", "details": "",
            "language": "ja", "visibility": "members", "owner_org": org.slug, "trl": "",
            "sdgs": ["14", "13"], "cpc_codes": "G01C 13/00\nG01F 23/00", "keywords": "tide, sea level",
            "countries_developed": ["JP"], "countries_deployed": [], "availability": ["open"],
            "rights_statement": "https://creativecommons.org/licenses/by/4.0/", "reference": "",
        },
        user=alice,
    )
    assert form.is_valid(), form.errors
    data = form.to_data([IpRecordData(office="JP", number="1", kind="patent", status="pending")])
    assert data.owner_org == org.slug and data.visibility == "members" and data.language == "ja"
    assert data.trl is None and data.sdgs == [14, 13]
    assert data.cpc_codes == ["G01C 13/00", "G01F 23/00"] and data.keywords == ["tide", "sea level"]
    assert data.ip_records[0].office == "JP"


def test_the_owner_choices_are_the_person_and_their_organisations_only(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    org = make_org(alice, "Osaka TLO")
    make_org(bob, "Bob Robotics", kind="company")
    choices = dict(AssetForm(user=alice).fields["owner_org"].choices)
    assert set(choices) == {"", org.slug}
    assert "Alice" in str(choices[""])
    assert AssetForm(user=alice).fields["owner_org"].initial == org.slug  # one organisation: preselected


def test_an_edit_form_has_a_change_note_but_no_owner_or_upload(make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice, sdgs=[9], keywords=["gear", "bearing"])
    form = AssetForm(user=alice, asset=asset)
    assert "note" in form.fields and "owner_org" not in form.fields and "file" not in form.fields
    assert form.initial["keywords"] == "gear, bearing" and form.initial["sdgs"] == [9]


def test_service_errors_land_by_their_fields_and_ip_record_errors_by_the_formset(make_user):
    alice = make_user("alice")
    form = AssetForm({}, user=alice)
    form.is_valid()
    form.add_service_errors(
        InvalidInput("bad", errors={"cpc_codes": ["Unknown CPC code: X."], "ip_records": ["IP record 1: bad."], "mystery": ["Odd."]})
    )
    assert "Unknown CPC code: X." in form.errors["cpc_codes"]
    assert form.ip_record_errors == ["IP record 1: bad."]
    assert "Odd." in form.non_field_errors()
    assert form.has_any_errors()


def test_a_service_error_without_fields_becomes_a_form_error(make_user):
    form = AssetForm({}, user=make_user("alice"))
    form.is_valid()
    form.add_service_errors(InvalidInput("Something is wrong."))
    assert "Something is wrong." in form.non_field_errors()


def management(total: int, initial: int = 0) -> dict:
    return {"ip-TOTAL_FORMS": str(total), "ip-INITIAL_FORMS": str(initial), "ip-MIN_NUM_FORMS": "0", "ip-MAX_NUM_FORMS": "50"}


def test_ip_record_rows_left_empty_are_skipped_and_filled_rows_become_records():
    formset = IpRecordFormSet(
        {**management(3), "ip-1-office": "EP", "ip-1-number": "EP1234567", "ip-1-kind": "patent",
         "ip-1-status": "granted", "ip-1-filing_date": "2019-04-01"},
        prefix="ip",
    )
    assert formset.is_valid(), formset.errors
    assert formset.records() == [
        IpRecordData(office="EP", number="EP1234567", kind="patent", status="granted", filing_date=date(2019, 4, 1), expiry_date=None)
    ]


def test_a_half_filled_ip_record_row_asks_for_the_rest():
    formset = IpRecordFormSet({**management(1), "ip-0-number": "2020-1"}, prefix="ip")
    assert not formset.is_valid()
    assert set(formset.errors[0]) == {"office", "kind", "status"}


def test_untouched_existing_ip_records_are_kept_and_marked_ones_removed():
    initial = [
        {"office": "JP", "number": "A-1", "kind": "patent", "status": "granted", "filing_date": None, "expiry_date": None},
        {"office": "US", "number": "B-2", "kind": "patent", "status": "pending", "filing_date": None, "expiry_date": None},
    ]
    posted = {**management(3, initial=2)}
    for n, row in enumerate(initial):
        posted.update({f"ip-{n}-{k}": v for k, v in row.items() if v is not None})
    posted["ip-1-DELETE"] = "on"
    formset = IpRecordFormSet(posted, prefix="ip", initial=initial)
    assert formset.is_valid(), formset.errors
    assert [r.number for r in formset.records()] == ["A-1"]


def test_browsing_filters_ignore_values_that_do_not_parse_and_list_only_published_assets():
    filters = AssetFilterForm({"q": "  solar ", "sdg": "99", "kind": "spaceship", "country": "KE", "sort": "title"}).filters()
    assert filters.q == "solar" and filters.sdg is None and filters.kind == "" and filters.country == "KE"
    assert filters.status == "published"
    assert AssetFilterForm({"sort": "title"}).ordered(Asset.objects.all()).query.order_by == ("title", "id")
    assert AssetFilterForm({"sort": "random"}).ordered(Asset.objects.all()).query.order_by == ("-created_at", "-id")
    assert NeedFilterForm({"status": "open", "deal_type": "barter", "sdg": "6"}).filters().deal_type == ""


def test_a_need_form_offers_only_the_persons_organisations_and_builds_need_data(make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Nairobi Water NGO", kind="ngo", country="KE")
    form = NeedForm(
        {"title": "Filters", "description": "For clinics.", "seeker_org": org.slug, "sdgs": ["6"],
         "countries": ["KE"], "deal_types": ["licence"], "budget_min": "100", "budget_currency": "KES",
         "deadline": "2030-01-31"},
        user=alice,
    )
    assert form.is_valid(), form.errors
    data = form.to_data()
    assert data.seeker_org == org.slug and data.sdgs == [6] and data.budget_min == 100 and data.budget_max is None
    assert data.deadline == date(2030, 1, 31)
    assert NeedForm(user=make_user("bob")).fields["seeker_org"].choices == []


def test_sdg_choices_follow_the_readers_language(make_user):
    form = AssetForm(user=make_user("alice"))
    with translation.override("en"):
        assert str(dict(form.fields["sdgs"].choices)[6]) == "6. Clean water and sanitation"
    with translation.override("ja"):
        assert str(dict(form.fields["sdgs"].choices)[6]) == "6. 安全な水とトイレを世界中に"
