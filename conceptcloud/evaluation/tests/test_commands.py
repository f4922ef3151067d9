from io import StringIO

import pytest
from django.core.management import call_command

from conceptcloud.evaluation.models import PersonReputation, ReputationRun


def _run(**options) -> str:
    out = StringIO()
    call_command("reputation", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_reputation_recompute_computes_every_score_and_reports_the_run(make_user, make_asset):
    owner = make_user("owner")
    make_asset(owner, title="Water filter")
    assert "has not been computed yet" in _run()
    assert not ReputationRun.objects.exists()
    text = _run(recompute=True)
    assert text.startswith("Computed ") and "1 people, 1 published assets, 0 praises and reviews" in text
    assert "owner" in text
    assert PersonReputation.objects.filter(user=owner).exists()
    assert _run().startswith("Last computed ")
