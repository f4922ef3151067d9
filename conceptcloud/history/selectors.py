"""Reads of the creative history."""

from __future__ import annotations

from django.db.models import QuerySet

from conceptcloud.history.models import Entry


def entries_for_subject(*, subject: str) -> QuerySet[Entry]:
    """Entries about one subject, oldest first. Entries hold no confidential text."""
    return Entry.objects.filter(subject=subject).select_related("actor").order_by("seq")
