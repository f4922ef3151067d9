"""Saved searches: what telling their owners of one new listing costs as they grow.

    .venv/bin/python benchmarks/saved_searches.py [--saved 5000] [--listings 300] [--new 30]

In a fresh data folder (a temporary CC_DATA_DIR, SQLite, migrated):

  corpus    --listings published NASA patents (titles from shared/data's NASA
            patent list; the summary is the title again, labelled as such) registered
            through the registry's services, indexed by the inline tasks.
  saved     --saved saved queries of 200 people, each 1–3 consecutive words of a
            random NASA patent title. They are written in bulk as
            saved_search_create stores them (text, embedding) but without its
            "what it finds now counts as seen" step, which runs one search per
            save and would make the set-up as slow as thousands of saves.
  notify    --new further patents are registered; for each, the matches the
            inline task recorded are removed and `saved_searches_notify` runs
            again, timed: p50/p95 per listing, with how many saved searches the
            prefilters passed to the exact check and how many were told. The
            process's cache of query embeddings (index.query_vector) is emptied
            before each run, so the time includes embedding the candidates' texts,
            as in a worker that has not seen them.
  exact     the exact check alone (the owner's hybrid search over the one
            listing) for 200 saved searches, per search: the cost every saved
            search would pay per listing without the prefilters.

Figures follow the machine and its load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATENTS = ROOT.parent / "shared" / "data" / "nasa_patents_datagov" / "NASA_Patents.csv"
PEOPLE = 200


def _titles() -> list[str]:
    with PATENTS.open(encoding="utf-8", errors="replace") as handle:
        titles = {" ".join(row["Title"].split()) for row in csv.DictReader(handle) if row.get("Title")}
    return sorted(title for title in titles if len(title.split()) >= 3)


def _setup(data_dir: str) -> None:
    os.environ["CC_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "conceptcloud.config.settings"
    os.environ.setdefault("CC_SMTP_HOST", "")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _ms(durations: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000


def run(args: argparse.Namespace) -> None:
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    from conceptcloud.accounts.models import Notification
    from conceptcloud.accounts.services import OrganisationData, organisation_create, user_signup
    from conceptcloud.discovery import index, vectors
    from conceptcloud.discovery.embeddings import embed
    from conceptcloud.discovery.models import SavedSearch, SavedSearchMatch
    from conceptcloud.discovery.services import saved_searches
    from conceptcloud.registry.services import AssetData, asset_register

    rng = random.Random(7)
    titles = _titles()
    rng.shuffle(titles)
    corpus, fresh = titles[: args.listings], titles[args.listings : args.listings + args.new]

    owner = user_signup(username="tlo", email="tlo@example.org", password="correct horse 42")
    org = organisation_create(actor=owner, data=OrganisationData(name="NASA TLO", kind="tlo", country="US"))

    def register(title: str):
        data = AssetData(owner_org=org.slug, visibility="public", kind="patent", title=title, summary=title)
        return asset_register(actor=owner, data=data, publish=True)

    started = time.perf_counter()
    for title in corpus:
        register(title)
    print(f"corpus: {len(corpus)} NASA patents registered and indexed in {time.perf_counter() - started:.1f} s")

    people = [
        user_signup(username=f"p{i}", email=f"p{i}@example.org", password="correct horse 42") for i in range(PEOPLE)
    ]
    queries = []
    for _ in range(args.saved):
        words = rng.choice(titles).split()
        length = rng.randint(1, 3)
        start = rng.randrange(0, max(1, len(words) - length + 1))
        queries.append(" ".join(words[start : start + length]))
    started = time.perf_counter()
    matrix = embed(queries)
    SavedSearch.objects.bulk_create(
        [
            SavedSearch(owner=people[i % PEOPLE], name=query, query=query, vector=vectors.pack(matrix[i]))
            for i, query in enumerate(queries)
        ],
        batch_size=1000,
    )
    print(f"saved: {len(queries)} saved queries of {PEOPLE} people written in {time.perf_counter() - started:.1f} s")

    durations, passed, told = [], [], []
    for title in fresh:
        asset = register(title)  # the inline task indexes it and notifies once
        SavedSearchMatch.objects.filter(asset=asset).delete()
        Notification.objects.all().delete()
        passed.append(len(saved_searches._candidates(asset.pk)))
        index._queries.clear()
        began = time.perf_counter()
        told.append(saved_searches.saved_searches_notify(asset_id=asset.pk))
        durations.append(time.perf_counter() - began)
    p50, p95 = _ms(durations)
    print(
        f"notify: {len(fresh)} new listings against {args.saved} saved searches: p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
        f"prefilters passed {statistics.mean(passed):.1f} saved searches on average "
        f"({100 * statistics.mean(passed) / args.saved:.2f} %), {statistics.mean(told):.1f} told"
    )

    sample = list(SavedSearch.objects.select_related("owner", "need").order_by("?")[:200])
    index._queries.clear()
    began = time.perf_counter()
    for saved in sample:
        saved_searches._matches(saved, asset.pk)
    per = (time.perf_counter() - began) / len(sample)
    print(
        f"exact: {per * 1000:.1f} ms per saved search; without the prefilters one listing would cost "
        f"{per * args.saved:.1f} s against {args.saved} saved searches"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saved", type=int, default=5000)
    parser.add_argument("--listings", type=int, default=300)
    parser.add_argument("--new", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-saved-") as data_dir:
        _setup(data_dir)
        run(args)


if __name__ == "__main__":
    main()
