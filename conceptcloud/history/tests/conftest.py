import pytest
from django.db import transaction

from conceptcloud.history.services import entry_append


@pytest.fixture
def append_entries(make_user):
    """append_entries(n) → n new test entries {"n": 0..n-1} about "x:1", oldest first."""
    writer = make_user("hist-writer")

    def append(count: int):
        with transaction.atomic():
            return [entry_append(actor=writer, type="test.entry", subject="x:1", payload={"n": n}) for n in range(count)]

    return append
