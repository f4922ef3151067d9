"""Praise, reviews on the evaluation indices, and reputation.

    Praise            one person's praise of one asset (one per person and asset;
                      undoing it deletes the row, the history keeps both entries)
    Review            one person's review of one asset: a score from 1 to 5 on each
                      of the six indices (INDICES) and a text; editable, every
                      version kept (ReviewVersion); `own_organisation` marks a
                      reviewer who belonged to the asset's owning organisation when
                      the version was written
    ReviewVersion     an immutable copy of each version of a review
    ReviewReply       the asset's managers' one reply to a review (replaceable)
    PersonReputation  derived: a person's reputation score, its percentile and what
    AssetReputation   contributed most (an asset's also the weight of its praise
                      after the spam rules); rebuilt by reputation_recompute
    ReputationRun     when the scores were last computed, over what, in how long
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 1
SCORE_MAX = 5


class Index(models.TextChoices):
    """The evaluation indices of the Intellectual Property Promotion Plan 2019:
    a challenge is judged not only by whether it succeeded."""

    CHALLENGE = "challenge", _("Challenge")
    NOVELTY = "novelty", _("Novelty")
    INVENTIVE_STEP = "inventive_step", _("Inventive step")
    CAUSE_ANALYSIS = "cause_analysis", _("Analysis of cause")
    QUALITY = "quality", _("Quality")
    VERSATILITY = "versatility", _("Versatility of the lesson")


INDICES: tuple[str, ...] = tuple(Index.values)


def _score_field(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label)


def _score_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{name}__gte": SCORE_MIN, f"{name}__lte": SCORE_MAX}),
            name=f"{prefix}_{name}_in_range",
        )
        for name in INDICES
    ]


class Scores(models.Model):
    challenge = _score_field(Index.CHALLENGE.label)
    novelty = _score_field(Index.NOVELTY.label)
    inventive_step = _score_field(Index.INVENTIVE_STEP.label)
    cause_analysis = _score_field(Index.CAUSE_ANALYSIS.label)
    quality = _score_field(Index.QUALITY.label)
    versatility = _score_field(Index.VERSATILITY.label)

    class Meta:
        abstract = True

    @property
    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in INDICES}

    @property
    def score_rows(self) -> list[tuple[str, str, int]]:
        """(index, its label, score) in the plan's order, for the pages."""
        return [(name, Index(name).label, getattr(self, name)) for name in INDICES]

    @property
    def mean(self) -> float:
        return sum(self.scores.values()) / len(INDICES)


class Praise(models.Model):
    asset = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="praises")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="praises")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["asset", "user"], name="evaluation_one_praise_per_person")]


class Review(Scores):
    asset = models.ForeignKey("registry.Asset", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    text = models.TextField(_("review"), max_length=5000)
    version = models.PositiveIntegerField(default=1)
    own_organisation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "reviewer"], name="evaluation_one_review_per_person"),
            *_score_constraints("evaluation_review"),
        ]


class ReviewVersion(Scores):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=5000)
    own_organisation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="evaluation_one_version_per_number"),
            *_score_constraints("evaluation_review_version"),
        ]


class ReviewReply(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class PersonReputation(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reputation"
    )
    score = models.FloatField(db_index=True)  # 1.0 is the average person
    percentile = models.PositiveSmallIntegerField(default=0)  # share of people with a lower score, 0..100
    explanation = models.JSONField(default=list)


class AssetReputation(models.Model):
    asset = models.OneToOneField(
        "registry.Asset", on_delete=models.CASCADE, primary_key=True, related_name="reputation"
    )
    score = models.FloatField(db_index=True)  # 1.0 is the average asset
    percentile = models.PositiveSmallIntegerField(default=0)
    praise_weight = models.FloatField(default=0.0)  # the praise that counted, after the spam rules
    discounted = models.JSONField(default=dict)  # reason → number of praises that counted for less or nothing
    explanation = models.JSONField(default=list)


class ReputationRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    people = models.PositiveIntegerField()
    assets = models.PositiveIntegerField()
    endorsements = models.PositiveIntegerField()
    iterations = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        ordering = ["-finished_at", "-id"]
