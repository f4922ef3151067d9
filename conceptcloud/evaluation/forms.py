"""Input of the evaluation pages: a review with its six scores, and a reply.

Each form builds the service's data; the service's own errors go back onto the
form, message by field, through `add_service_errors`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from conceptcloud.evaluation.models import INDICES, SCORE_MAX, SCORE_MIN, Index, Review
from conceptcloud.evaluation.services import MAX_TEXT, ReviewData
from conceptcloud.registry.forms import ServiceErrorsMixin

SCORE_CHOICES = [("", _("Choose…"))] + [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]
# What each index asks of the reviewer, shown under its score.
INDEX_HELP = {
    Index.CHALLENGE: _("How bold was the attempt: the size and number of the challenges taken on."),
    Index.NOVELTY: _("New points of focus, or a new combination of known things."),
    Index.INVENTIVE_STEP: _("How far beyond what a practitioner would readily arrive at."),
    Index.CAUSE_ANALYSIS: _("How well it analyses why things turned out as they did."),
    Index.QUALITY: _("How sound, complete and clearly documented it is."),
    Index.VERSATILITY: _("How widely the lesson or the result can be used by others."),
}


class ReviewForm(ServiceErrorsMixin, forms.Form):
    # Not required here: the service says what is missing, in its own words.
    text = forms.CharField(
        label=_("Your review"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you found, for the creators and for those who build on it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The six scores first, in the plan's order; each from 1 (low) to 5 (high).
        scores = {
            name: forms.TypedChoiceField(
                label=Index(name).label,
                choices=SCORE_CHOICES,
                coerce=int,
                help_text=INDEX_HELP[Index(name)],
                error_messages={"required": _("Give a score from 1 to 5."),
                                "invalid_choice": _("A score is a whole number from 1 to 5.")},
            )
            for name in INDICES
        }
        text = self.fields.pop("text")
        self.fields.update(scores)
        self.fields["text"] = text

    @classmethod
    def for_review(cls, review: Review | None) -> "ReviewForm":
        if review is None:
            return cls()
        return cls(initial={**{name: str(value) for name, value in review.scores.items()}, "text": review.text})

    def score_fields(self) -> list:
        return [self[name] for name in INDICES]

    def to_data(self) -> ReviewData:
        data = self.cleaned_data
        return ReviewData(**{name: data.get(name) for name in INDICES}, text=data.get("text", ""))


class ReplyForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Your reply"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
