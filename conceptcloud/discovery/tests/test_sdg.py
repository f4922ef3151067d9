"""SDG suggestion from text (sdg.py): the shipped UN text, the real embedding model, a few clear cases."""

import pytest

from conceptcloud.discovery import sdg


def goals_of(text: str) -> list[int]:
    return [suggestion.goal for suggestion in sdg.suggest(text)]


def test_the_shipped_sdg_text_has_17_goals_169_targets_and_their_indicators():
    goals = sdg.goals()
    assert [goal.goal for goal in goals] == list(range(1, 18))
    assert sum(len(goal.targets) for goal in goals) == 169
    assert all(target.indicators for goal in goals for target in goal.targets)
    seven = goals[6]
    assert seven.short == "Affordable and clean energy"
    assert any(target.code == "7.2" and "renewable energy" in target.title for target in seven.targets)


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("Low-cost solar panels and batteries bring renewable electricity to off-grid villages.", 7),
        ("A ceramic membrane filter that purifies drinking water for rural households.", 6),
        ("A rapid diagnostic test for malaria and tuberculosis, used in rural clinics.", 3),
        ("A drought-resistant rice variety that raises crop yields for smallholder farmers.", 2),
        ("An online platform that teaches mathematics to children in primary schools.", 4),
        ("Satellite monitoring that detects illegal deforestation in tropical forests.", 15),
        ("Tracking fishing nets to stop illegal and unreported overfishing at sea.", 14),
    ],
)
def test_a_clear_text_gets_its_goal_first(text, goal):
    assert goals_of(text)[0] == goal


def test_suggestions_are_at_most_three_best_first_each_with_the_target_that_matched():
    suggestions = sdg.suggest(
        "Recycling plastic waste collected from the ocean into construction materials, reducing marine pollution."
    )
    assert 1 <= len(suggestions) <= sdg.MAX_SUGGESTIONS
    assert {12, 14} & {s.goal for s in suggestions}
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s.score >= sdg.MIN_SCORE for s in suggestions)
    first = suggestions[0]
    target = next(t for g in sdg.goals() if g.goal == first.goal for t in g.targets if t.code == first.target)
    assert first.target_text == target.title
    assert first.reason.startswith(f"matches target {first.target}: ")


def test_the_reason_quotes_a_long_target_shortened_at_a_word():
    suggestion = sdg.suggest("Solar home systems and clean cooking stoves for households without electricity.")[0]
    assert suggestion.goal == 7
    quoted = suggestion.reason.split(": ", 1)[1]
    assert len(quoted) <= sdg.REASON_CHARS + 1
    assert quoted.endswith("…") or quoted == suggestion.target_text


def test_limit_caps_the_number_of_suggestions():
    text = "Recycling plastic waste from the ocean into construction materials."
    assert len(sdg.suggest(text, limit=1)) == 1
    assert sdg.suggest(text, limit=0) == []


def test_empty_text_gets_no_suggestion():
    assert sdg.suggest("") == []
    assert sdg.suggest("   \n ") == []


def test_text_far_from_every_goal_gets_few_or_none():
    assert len(sdg.suggest("qwxz vbnm")) <= 1
