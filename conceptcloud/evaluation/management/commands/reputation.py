"""`conceptcloud reputation [--recompute]`: the last reputation computation, or a new one."""

from django.core.management.base import BaseCommand

from conceptcloud.evaluation.models import PersonReputation, ReputationRun
from conceptcloud.evaluation.services import reputation_recompute

TOP = 5


class Command(BaseCommand):
    help = "Show when reputation was last computed; with --recompute, compute every score now (derived data)."

    def add_arguments(self, parser):
        parser.add_argument("--recompute", action="store_true", help="compute every score from the whole graph")

    def handle(self, *args, recompute: bool, **options):
        run = reputation_recompute() if recompute else ReputationRun.objects.first()
        if run is None:
            self.stdout.write("Reputation has not been computed yet: run with --recompute.")
            return
        verb = "Computed" if recompute else "Last computed"
        self.stdout.write(
            f"{verb} {run.finished_at:%Y-%m-%d %H:%M:%S} UTC in {run.seconds:.2f} s: {run.people:,} people, "
            f"{run.assets:,} published assets, {run.endorsements:,} praises and reviews, "
            f"{run.iterations} iterations."
        )
        top = PersonReputation.objects.select_related("user").order_by("-score", "user__username")[:TOP]
        for row in top:
            self.stdout.write(f"  {row.score:8.2f}  {row.user.username}")
