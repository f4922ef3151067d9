"""The payouts task: registered by name, run after the commit (inline here, as in a
worker: the same service), idempotent."""

from __future__ import annotations

import pytest

from conceptcloud.core.tasks import task_enqueue
from conceptcloud.payouts import selectors
from conceptcloud.payouts.models import LedgerLine, RevenueEvent
from conceptcloud.payouts.services import revenue_record
from conceptcloud.payouts.tests.conftest import EXPECTED, TODAY


@pytest.mark.django_db(transaction=True)
def test_a_large_distribution_runs_after_the_commit_and_pays_as_inline(lineage, settings):
    settings.CC_PAYOUTS_TASK_ASSETS = 1
    event, _ = revenue_record(
        actor=lineage.people["erin"], asset=lineage.e, amount=10000, currency="EUR", date=TODAY, idempotency_key="k"
    )
    event.refresh_from_db()
    assert event.distributed
    assert {name: selectors.balances(key=lineage.key(name))["EUR"] for name in EXPECTED} == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_running_the_task_again_posts_nothing_more(lineage):
    event, _ = revenue_record(
        actor=lineage.people["erin"], asset=lineage.e, amount=10000, currency="EUR", date=TODAY, idempotency_key="k"
    )
    lines = LedgerLine.objects.count()
    task_enqueue("payouts.revenue_distribute", event_id=event.pk)
    task_enqueue("payouts.revenue_distribute", event_id=event.pk)
    assert LedgerLine.objects.count() == lines
    assert RevenueEvent.objects.get().distributed


def test_the_task_takes_only_json_arguments(db):
    with pytest.raises(TypeError):
        task_enqueue("payouts.revenue_distribute", event=object())
