"""Request and response shapes of the evaluation API (praise, reviews, reputation).

Scores are whole numbers from 1 to 5 on each of the six indices. Reputation
scores are relative: 1.0 is the average person (or asset); `percentile` is the
share of the others with a lower score.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from conceptcloud.core.api import InputSchema

SCORE_HELP = "A whole number from 1 to 5."


class PraiserOut(Schema):
    username: str
    name: str


class PraiseOut(Schema):
    count: int = Field(description="Everyone who praised the asset.")
    praised_by_you: bool
    praised_by: list[PraiserOut] = Field(description="Those who show their praise, newest first (at most 50).")
    unnamed: int = Field(description="Praise from people who keep their name off it.")


class ScoresOut(Schema):
    challenge: int
    novelty: int
    inventive_step: int
    cause_analysis: int
    quality: int
    versatility: int


class ReviewIn(InputSchema):
    challenge: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[4])
    novelty: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[3])
    inventive_step: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[4])
    cause_analysis: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[5])
    quality: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[4])
    versatility: int | None = Field(None, strict=True, description=SCORE_HELP, examples=[5])
    text: str = Field("", max_length=5000, examples=["The analysis of why the pilot failed is unusually clear."])


class ReplyIn(InputSchema):
    text: str = Field(max_length=5000, examples=["Thank you; the second pilot addresses the cooling issue."])


class ReplyOut(Schema):
    author: str
    text: str
    updated_at: datetime.datetime


class ReviewOut(Schema):
    reviewer: str
    reviewer_name: str
    own_organisation: bool = Field(description="The reviewer belonged to the asset's owning organisation.")
    scores: ScoresOut
    mean: float
    text: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    reply: ReplyOut | None


class ReviewVersionOut(Schema):
    number: int
    scores: ScoresOut
    text: str
    own_organisation: bool
    created_at: datetime.datetime


class IndexAveragesOut(Schema):
    count: int = Field(description="Reviews.")
    means: dict[str, float] = Field(description="Index → mean score.")


class ReviewsOut(Schema):
    averages: IndexAveragesOut | None
    items: list[ReviewOut] = Field(description="Empty for those who may not read the asset's details.")


class ReasonOut(Schema):
    kind: str = Field(description="seed (account standing), endorse (praise and reviews), author (own work), "
                      "credit (from an asset one contributed to), built_on (from assets built on it).")
    share: float = Field(description="Part of the score, 0..1.")
    count: int
    asset: int | None = Field(None, description="The asset it came from, when you may see it.")
    asset_title: str | None = None
    person: str | None = Field(None, description="The person it came from.")


class ReputationOut(Schema):
    score: float | None = Field(description="1.0 is the average; null before the first computation.")
    percentile: int | None
    reasons: list[ReasonOut]
    praise_weight: float | None = Field(None, description="Assets: the praise that counted, after the spam rules.")
    discounted: dict[str, int] = Field(default_factory=dict, description="Assets: praises that counted for "
                                       "less or nothing, by reason (own, same_organisation, burst, pair_cap).")


class ChallengeOut(Schema):
    asset: int
    title: str
    kind: str
    role: str
    praise: int
    reviews: int
    means: dict[str, float]
