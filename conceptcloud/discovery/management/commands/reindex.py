"""`conceptcloud manage reindex`: rebuild the search index from the database."""

from django.core.management.base import BaseCommand

from conceptcloud.discovery.services.indexing import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every asset from the database (derived data; safe to rerun)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="assets analysed per transaction")

    def handle(self, *args, batch_size: int, **options):
        indexed = index_rebuild(batch_size=max(1, batch_size))
        self.stdout.write(f"Indexed {indexed} assets.")
