"""The demo's praise, reviews and reply, written on top of the registry and lineage
demos, with the reputation computed once; idempotently."""

import pytest

from conceptcloud.evaluation.demo import demo_evaluation_load
from conceptcloud.evaluation.services import praise_withdraw
from conceptcloud.evaluation.models import AssetReputation, PersonReputation, Praise, Review, ReviewReply, ReputationRun
from conceptcloud.history.selectors import log_size
from conceptcloud.lineage.demo import demo_lineage_load
from conceptcloud.registry.demo import demo_load


@pytest.mark.django_db
def test_the_demo_praises_reviews_and_answers_the_lesson_and_computes_reputation():
    demo_load(limit=0)
    demo_lineage_load()
    entries = log_size()
    report = demo_evaluation_load()
    assert dict(report.created) == {"praise": 3, "reviews": 2, "replies": 1}
    assert log_size() - entries == 6
    lesson = Review.objects.get(asset__reference="DEMO-INV-002")
    assert lesson.reviewer.username == "demo-company" and lesson.cause_analysis == 5
    assert ReviewReply.objects.get(review=lesson).author.username == "demo-inventor"
    assert Praise.objects.filter(asset__reference="DEMO-INV-002").count() == 2
    assert ReputationRun.objects.count() == 1
    assert PersonReputation.objects.filter(user__username="demo-inventor", score__gt=0).exists()
    assert AssetReputation.objects.filter(asset__reference="DEMO-INV-002", praise_weight__gt=0).exists()
    assert report.summary().startswith("Demo evaluation loaded in ")


@pytest.mark.django_db
def test_a_second_run_only_puts_back_what_is_missing():
    demo_load(limit=0)
    demo_lineage_load()
    demo_evaluation_load()
    praise = Praise.objects.get(user__username="demo-tlo")
    praise_withdraw(actor=praise.user, asset_id=praise.asset_id)  # a visitor signed in as demo-tlo undid it
    entries = log_size()
    report = demo_evaluation_load()
    assert log_size() - entries == 1  # only the praise that is missing now is given again
    assert report.created == {"praise": 1}
    assert "already there" in report.summary()
