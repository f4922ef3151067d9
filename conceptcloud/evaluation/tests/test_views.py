"""The evaluation pages through the Django test client, on the real database.

    the praise button       POST plain (back to the asset page) and from htmx (the box alone),
                            twice (a message, nothing changed), anonymous, on a draft
    the review form         bad scores and an empty text by their fields, nothing saved;
                            success back to the review on the asset page; teaser viewers
    replies, versions       managers only; an empty reply by its field; every version listed
    the praisers list       hidden praisers counted, never named, except to themselves
    lists                   assets, people and search sorted and filtered by praise and reputation
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from conceptcloud.accounts.services import ProfileData, profile_update
from conceptcloud.evaluation import services
from conceptcloud.evaluation.models import AssetReputation, PersonReputation, Praise, Review, ReviewReply, ReviewVersion
from conceptcloud.evaluation.tests.conftest import review_data, scores
from conceptcloud.history.models import Entry
from conceptcloud.registry.services import access_grant

pytestmark = pytest.mark.django_db

User = get_user_model()
REVIEW_TEXT = "A careful analysis of why the pilot failed."


def _state() -> tuple:
    return (
        Praise.objects.count(),
        Review.objects.count(),
        ReviewVersion.objects.count(),
        ReviewReply.objects.count(),
        Entry.objects.count(),
    )


def _asset_url(asset) -> str:
    return reverse("registry:asset_detail", args=[asset.pk])


def _praise_url(asset) -> str:
    return reverse("evaluation:praise", args=[asset.pk])


def _review_url(asset) -> str:
    return reverse("evaluation:review", args=[asset.pk])


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _field_errors(html: str, name: str) -> str:
    """The text of the error block the form puts by one field (empty when none)."""
    found = re.search(rf'<div id="id_{name}_error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def _praise_count(html: str) -> int:
    return int(re.search(r'data-testid="praise-count">(\d+)<', html).group(1))


def _praisers(html: str) -> str:
    found = re.search(r'<p class="muted praisers">(.*?)</p>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def _age(users, days: int) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(date_joined=timezone.now() - timedelta(days=days))


# The praise button --------------------------------------------------------------------


def test_praise_without_javascript_posts_and_comes_back_to_the_evaluation_section(client, public_asset, reviewer):
    client.force_login(reviewer)
    response = client.post(_praise_url(public_asset), {"action": "give"})
    assert response.status_code == 302
    assert response["Location"] == _asset_url(public_asset) + "#evaluation"
    assert Praise.objects.filter(asset=public_asset, user=reviewer).exists()
    html = _html(client.get(_asset_url(public_asset)))
    assert _praise_count(html) == 1
    assert "Undo my praise" in html and 'aria-pressed="true"' in html

    response = client.post(_praise_url(public_asset), {"action": "withdraw"})
    assert response.status_code == 302
    assert not Praise.objects.exists()
    html = _html(client.get(_asset_url(public_asset)))
    assert _praise_count(html) == 0 and "Undo my praise" not in html


def test_praise_from_htmx_gets_the_praise_box_back_alone(client, public_asset, reviewer):
    client.force_login(reviewer)
    html = _html(client.post(_praise_url(public_asset), {"action": "give"}, headers={"HX-Request": "true"}))
    assert html.lstrip().startswith('<div class="praise" id="praise">')
    assert "<html" not in html and "<h1" not in html
    assert _praise_count(html) == 1
    assert "Undo my praise" in html and 'name="action" value="withdraw"' in html
    assert "Yamada" in _praisers(html)

    html = _html(client.post(_praise_url(public_asset), {"action": "withdraw"}, headers={"HX-Request": "true"}))
    assert _praise_count(html) == 0
    assert '<button type="submit" aria-pressed="false">Praise</button>' in html
    assert not Praise.objects.exists()


def test_praising_twice_says_so_and_changes_nothing(client, public_asset, reviewer):
    client.force_login(reviewer)
    client.post(_praise_url(public_asset), {"action": "give"})
    before = _state()
    html = _html(client.post(_praise_url(public_asset), {"action": "give"}, follow=True))
    assert "You have already praised this asset." in html
    assert _state() == before
    assert _praise_count(html) == 1


def test_praising_twice_from_htmx_says_so_in_the_box_and_leaves_no_message_for_later(
    client, public_asset, reviewer
):
    client.force_login(reviewer)
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    before = _state()
    html = _html(client.post(_praise_url(public_asset), {"action": "give"}, headers={"HX-Request": "true"}))
    assert '<p class="error" role="alert">You have already praised this asset.</p>' in html
    assert _praise_count(html) == 1 and "Undo my praise" in html
    assert _state() == before
    assert "You have already praised this asset." not in _html(client.get(_asset_url(public_asset)))


def test_undoing_praise_never_given_says_so_and_changes_nothing(client, public_asset, reviewer):
    client.force_login(reviewer)
    before = _state()
    html = _html(client.post(_praise_url(public_asset), {"action": "withdraw"}, follow=True))
    assert "You have not praised this asset." in html
    assert _state() == before


def test_an_anonymous_praise_goes_to_the_sign_in_page(client, public_asset):
    response = client.post(_praise_url(public_asset), {"action": "give"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert not Praise.objects.exists()
    html = _html(client.get(_asset_url(public_asset)))
    assert "Sign in</a> to praise or review." in html
    assert _praise_url(public_asset) not in html


def test_an_outsider_cannot_praise_a_draft_nor_learn_that_it_exists(client, make_asset, lab, reviewer):
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Unpublished")
    client.force_login(reviewer)
    before = _state()
    assert client.post(_praise_url(draft), {"action": "give"}).status_code == 404
    assert client.post(reverse("evaluation:praise", args=[999_999]), {"action": "give"}).status_code == 404
    assert client.get(_review_url(draft)).status_code == 404
    assert _state() == before


def test_the_praise_page_takes_only_posts(client, public_asset, reviewer):
    client.force_login(reviewer)
    assert client.get(_praise_url(public_asset)).status_code == 405


def test_a_manager_sees_no_praise_button_nor_review_form_on_a_draft(client, make_asset, lab):
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Unpublished")
    client.force_login(lab["admin"])
    html = _html(client.get(_asset_url(draft)))
    assert _praise_count(html) == 0
    assert _praise_url(draft) not in html and _review_url(draft) not in html
    assert client.get(_review_url(draft)).status_code == 404  # a form that could never be saved


# The praisers list ------------------------------------------------------------------------


def test_a_person_who_hides_their_praise_is_counted_but_named_only_to_themself(
    client, public_asset, reviewer, make_user
):
    shy = make_user("shy", display_name="Shy Suzuki")
    client.force_login(shy)
    profile = _html(client.get(reverse("accounts:profile")))
    assert "Show my name on what I praise" in profile
    # The profile form without the box ticked: the setting is off.
    response = client.post(reverse("accounts:profile"), {"display_name": "Shy Suzuki", "country": ""})
    assert response.status_code == 302
    shy.refresh_from_db()
    assert shy.show_praise is False
    services.praise_give(actor=shy, asset_id=public_asset.pk)
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)

    client.force_login(reviewer)
    html = _html(client.get(_asset_url(public_asset)))
    assert _praise_count(html) == 2
    assert _praisers(html) == "Praised by Yamada , and 1 person who keeps their name private"
    assert "Shy Suzuki" not in html

    client.logout()
    html = _html(client.get(_asset_url(public_asset)))
    assert "Shy Suzuki" not in html and "1 person who keeps their name private" in html

    client.force_login(shy)
    html = _html(client.get(_asset_url(public_asset)))
    assert "Shy Suzuki" in _praisers(html) and "Yamada" in _praisers(html)
    assert "keeps their name private" not in html


def test_one_hidden_praiser_alone_is_still_counted(client, public_asset, reviewer, make_user):
    profile_update(actor=reviewer, data=ProfileData(show_praise=False))
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    html = _html(client.get(_asset_url(public_asset)))
    assert _praisers(html) == "Praised by 1 person who keeps their name private"


# The review form --------------------------------------------------------------------------


def _review_post(**changes) -> dict:
    data = {**{name: str(value) for name, value in scores(4).items()}, "text": REVIEW_TEXT}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"novelty": None}, "novelty", "Give a score from 1 to 5."),
        ({"quality": ""}, "quality", "Give a score from 1 to 5."),
        ({"challenge": "0"}, "challenge", "A score is a whole number from 1 to 5."),
        ({"versatility": "6"}, "versatility", "A score is a whole number from 1 to 5."),
        ({"cause_analysis": "x"}, "cause_analysis", "A score is a whole number from 1 to 5."),
        ({"inventive_step": "2.5"}, "inventive_step", "A score is a whole number from 1 to 5."),
        ({"text": ""}, "text", "Say what you found: a review needs a text."),
        ({"text": "   "}, "text", "Say what you found: a review needs a text."),
        ({"text": "x" * 5001}, "text", "5000 characters"),
    ],
)
def test_a_bad_review_is_named_by_its_field_and_nothing_is_saved(
    client, public_asset, reviewer, changes, field, message
):
    client.force_login(reviewer)
    before = _state()
    html = _html(client.post(_review_url(public_asset), _review_post(**changes)))
    assert message in _field_errors(html, field)
    assert 'class="error-summary"' in html
    others = [name for name in (*scores(), "text") if name != field]
    assert not any(_field_errors(html, name) for name in others)
    assert _state() == before
    # What was typed stays in the form.
    if field != "text":
        assert REVIEW_TEXT in html


def test_a_review_with_every_score_missing_names_all_six(client, public_asset, reviewer):
    client.force_login(reviewer)
    html = _html(client.post(_review_url(public_asset), {"text": REVIEW_TEXT}))
    for name in scores():
        assert "Give a score from 1 to 5." in _field_errors(html, name)
    assert not Review.objects.exists()


def test_a_saved_review_goes_back_to_itself_on_the_asset_page(client, public_asset, reviewer):
    client.force_login(reviewer)
    form = _html(client.get(_review_url(public_asset)))
    assert "Write a review" in form
    for name, label in [("challenge", "Challenge"), ("versatility", "Versatility of the lesson")]:
        assert f'<label for="id_{name}">{label}' in form
    response = client.post(_review_url(public_asset), _review_post(cause_analysis="5"))
    assert response.status_code == 302
    assert response["Location"] == _asset_url(public_asset) + "#review-yamada"
    review = Review.objects.get()
    assert review.scores == scores(4, cause_analysis=5) and review.text == REVIEW_TEXT and review.version == 1

    html = _html(client.get(response["Location"]))
    assert "Your review is saved." in html
    assert 'id="review-yamada"' in html and REVIEW_TEXT in html
    assert re.search(r'<td data-index="cause_analysis">5\.0</td>', html)
    assert re.search(r'<td data-index="novelty">4\.0</td>', html)
    assert "Mean of 1 review" in html
    assert "Edit your review" in html and "Write a review" not in html

    form = _html(client.get(_review_url(public_asset)))
    assert "Edit your review" in form and "Saving keeps version 1" in form
    assert '<option value="5" selected>' in form and REVIEW_TEXT in form


def test_an_unchanged_review_saved_again_writes_no_new_version(client, public_asset, reviewer):
    client.force_login(reviewer)
    client.post(_review_url(public_asset), _review_post())
    before = _state()
    response = client.post(_review_url(public_asset), _review_post())
    assert response.status_code == 302
    assert _state() == before


def test_only_signed_in_people_reach_the_review_form(client, public_asset):
    response = client.get(_review_url(public_asset))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_teaser_viewer_of_a_confidential_asset_cannot_review_and_is_told_why(
    client, confidential_asset, reviewer
):
    client.force_login(reviewer)
    before = _state()
    assert client.get(_review_url(confidential_asset)).status_code == 404
    assert client.post(_review_url(confidential_asset), _review_post()).status_code == 404
    assert _state() == before
    html = _html(client.get(_asset_url(confidential_asset)))
    assert "Only people who may read the details can review this asset." in html
    assert _review_url(confidential_asset) not in html
    # Praise needs only the teaser.
    assert _praise_url(confidential_asset) in html


def test_review_texts_of_a_confidential_asset_reach_only_readers_of_its_details(
    client, confidential_asset, reviewer, lab, make_user
):
    access_grant(actor=lab["admin"], asset=confidential_asset, user=reviewer)
    secret = "The electrolyte recipe holds up at 80 degrees."
    services.review_write(actor=reviewer, asset_id=confidential_asset.pk, data=review_data(5, text=secret))
    services.review_reply(actor=lab["admin"], asset_id=confidential_asset.pk, username="yamada",
                          text="Our second recipe answers that.")

    client.force_login(reviewer)
    html = _html(client.get(_asset_url(confidential_asset)))
    assert secret in html and "Our second recipe answers that." in html

    for viewer in (make_user("outsider"), None):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        html = _html(client.get(_asset_url(confidential_asset)))
        assert secret not in html and "Our second recipe" not in html
        assert 'id="review-yamada"' not in html
        # The numbers reach everyone who sees the asset.
        assert "Mean of 1 review" in html and re.search(r'<td data-index="quality">5\.0</td>', html)
        versions = reverse("evaluation:review_versions", args=[confidential_asset.pk, "yamada"])
        assert client.get(versions).status_code == 404


# Replies and versions -------------------------------------------------------------------------


def test_only_the_assets_managers_reach_the_reply_page(client, public_asset, reviewer, lab, make_user):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    url = reverse("evaluation:review_reply", args=[public_asset.pk, "yamada"])
    for person in (reviewer, make_user("outsider")):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "Thanks"}).status_code == 404
        assert url not in _html(client.get(_asset_url(public_asset)))
    client.logout()
    assert client.get(url).status_code == 302
    assert not ReviewReply.objects.exists()

    client.force_login(lab["member"])  # a member of the owning organisation manages it
    assert "Reply to Yamada" in _html(client.get(url))
    client.force_login(lab["admin"])
    assert client.get(reverse("evaluation:review_reply", args=[public_asset.pk, "nobody"])).status_code == 404


def test_an_empty_reply_is_named_by_its_field_and_a_reply_is_shown_under_the_review(
    client, public_asset, reviewer, lab
):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    url = reverse("evaluation:review_reply", args=[public_asset.pk, "yamada"])
    client.force_login(lab["admin"])
    asset_page = _html(client.get(_asset_url(public_asset)))
    assert f'href="{url}"' in asset_page
    before = _state()
    for text in ("", "   "):
        html = _html(client.post(url, {"text": text}))
        assert "Write a reply." in _field_errors(html, "text")
        assert _state() == before

    response = client.post(url, {"text": "Thank you: the second pilot fixes the seal."})
    assert response.status_code == 302
    assert response["Location"] == _asset_url(public_asset) + "#review-yamada"
    client.force_login(reviewer)
    html = _html(client.get(_asset_url(public_asset)))
    assert "The owners replied" in html and "Thank you: the second pilot fixes the seal." in html


def test_the_versions_page_lists_every_version_of_a_review(client, public_asset, reviewer):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(3, text="First look."))
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(5, text="After the pilot."))
    url = reverse("evaluation:review_versions", args=[public_asset.pk, "yamada"])
    assert f'href="{url}"' in _html(client.get(_asset_url(public_asset)))  # "version 2" links here
    html = _html(client.get(url))
    assert "Versions of Yamada" in html
    assert html.index("Version 1") < html.index("First look.") < html.index("Version 2") < html.index("After the pilot.")
    assert client.get(reverse("evaluation:review_versions", args=[public_asset.pk, "nobody"])).status_code == 404


# Lists sorted and filtered by praise and reputation -------------------------------------------------


@pytest.fixture
def praised(make_user, make_asset):
    """Three owners with an asset each; established outsiders praise "Most" twice,
    "Some" once and "None" never."""
    owners = [make_user(name) for name in ("alpha", "beta", "gamma")]
    most = make_asset(owners[0], title="Most praised pump")
    some = make_asset(owners[1], title="Somewhat praised pump")
    none = make_asset(owners[2], title="Never praised pump")
    fans = [make_user("fan1"), make_user("fan2")]
    _age([*owners, *fans], 200)
    for fan in fans:
        services.praise_give(actor=fan, asset_id=most.pk)
    services.praise_give(actor=fans[0], asset_id=some.pk)
    return {"most": most, "some": some, "none": none}


def _asset_titles(html: str) -> list[str]:
    return re.findall(r'<li class="card">\s*<h3><a href="/assets/\d+/">(.*?)</a></h3>', html)


def _person_names(html: str) -> list[str]:
    return re.findall(r'<li class="card">\s*<h3><a href="/people/[^/"]+/">(.*?)</a></h3>', html)


def _search_titles(html: str) -> list[str]:
    titles = re.findall(r'<li class="card search-hit">\s*<h3><a [^>]*>(.*?)</a></h3>', html, re.S)
    return [re.sub(r"</?mark>", "", title) for title in titles]


TITLES = ["Most praised pump", "Somewhat praised pump", "Never praised pump"]


def test_the_asset_list_sorts_by_praise_and_filters_the_praised(client, praised):
    html = _html(client.get("/assets/", {"sort": "praise"}))
    assert _asset_titles(html) == TITLES
    assert '<option value="praise" selected>' in html
    html = _html(client.get("/assets/", {"standing": "praised"}))
    assert sorted(_asset_titles(html)) == sorted(TITLES[:2])
    assert "2 assets" in html


def test_the_asset_list_sorts_and_filters_by_reputation_once_computed(client, praised):
    html = _html(client.get("/assets/", {"sort": "reputation"}))
    assert sorted(_asset_titles(html)) == sorted(TITLES)  # before any computation: all, unranked
    services.reputation_recompute()
    scores_ = dict(AssetReputation.objects.values_list("asset__title", "score"))
    assert scores_["Most praised pump"] > scores_["Somewhat praised pump"] > scores_["Never praised pump"]
    html = _html(client.get("/assets/", {"sort": "reputation"}))
    assert _asset_titles(html) == TITLES
    top = _asset_titles(_html(client.get("/assets/", {"standing": "top10"})))
    assert top == ["Most praised pump"]
    expected = set(AssetReputation.objects.filter(percentile__gte=50).values_list("asset__title", flat=True))
    assert set(_asset_titles(_html(client.get("/assets/", {"standing": "top50"})))) == expected
    assert "Never praised pump" not in expected


def test_the_people_directory_sorts_and_filters_by_reputation(client, praised):
    assert " · Reputation " not in _html(client.get("/people/"))  # not computed yet: no score on the cards
    services.reputation_recompute()
    ranked = list(
        PersonReputation.objects.filter(user__is_active=True)
        .order_by("-score", "user__username")
        .values_list("user__display_name", flat=True)
    )
    html = _html(client.get("/people/", {"sort": "reputation"}))
    assert _person_names(html) == ranked
    alpha = PersonReputation.objects.get(user__display_name="Alpha").score
    assert f" · Reputation {alpha:.2f}" in html  # each card shows its score
    assert ranked.index("Alpha") < ranked.index("Beta") < ranked.index("Gamma")
    expected = set(
        PersonReputation.objects.filter(percentile__gte=90).values_list("user__display_name", flat=True)
    )
    assert expected and set(_person_names(_html(client.get("/people/", {"standing": "top10"})))) == expected
    assert "Gamma" not in expected


def test_the_search_page_sorts_and_filters_by_praise_and_reputation(client, praised):
    from conceptcloud.discovery.services.indexing import index_rebuild

    index_rebuild()
    services.reputation_recompute()
    assert _search_titles(_html(client.get("/search/", {"sort": "praise"}))) == TITLES
    assert _search_titles(_html(client.get("/search/", {"q": "pump", "sort": "reputation"}))) == TITLES
    assert sorted(_search_titles(_html(client.get("/search/", {"standing": "praised"})))) == sorted(TITLES[:2])
    assert _search_titles(_html(client.get("/search/", {"standing": "top10"}))) == ["Most praised pump"]


def test_the_search_page_names_a_bad_standing_by_its_field(client, praised):
    html = _html(client.get("/search/", {"standing": "bogus"}))
    assert re.search(r'<p class="error" id="search-standing-error">Unknown standing\.</p>', html)
    assert 'aria-describedby="search-standing-error"' in html
    assert 'name="standing" value="bogus"' not in html
