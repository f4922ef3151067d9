"""SDG suggestion: the Sustainable Development Goals a text most likely serves (no Django).

    suggest(text, limit=)   → [Suggestion(goal, short, score, target, target_text,
                               matched, matched_text, shared_terms, reason)], best first
    goals()                 → the 17 goals as loaded: [Goal(goal, short, title, targets)]
    MAX_SUGGESTIONS, MIN_SCORE, RELATIVE, LEXICAL_WEIGHT, MAX_CHARS

The only knowledge used is the UN's own wording, shipped in data/ (17 goals, 169
targets, their indicators; English; see data/SDG-README.txt): nothing is
trained, and no labelled listings are read, so the suggestion can be measured on
any labelled set without having been fitted to it.

How a text is scored
1. Every goal, target and indicator is one "statement"; a target or indicator is
   prefixed with its goal's short name ("Clean water and sanitation: By 2030,
   achieve universal and equitable access to safe and affordable drinking
   water…"), so that terse indicators keep their context. The statements are
   embedded once per process (embeddings.embed, about 440 texts, a second or two)
   and analysed once (text.analyse).
2. A text is embedded, and for each statement
       score = cosine(text, statement) + LEXICAL_WEIGHT · overlap
   where overlap is the share of the text's distinct terms (weighted by their
   inverse document frequency over the statements) that the statement contains.
   The dense side carries the meaning (a "solar panel" text meets "renewable
   energy" although no word is shared); the lexical side rewards the exact
   vocabulary of a target and names it in the reason.
3. A goal scores as its best statement. The goals suggested are the best one,
   and the next ones scoring at least RELATIVE of it, at most MAX_SUGGESTIONS,
   each only if it reaches MIN_SCORE (below it nothing in the UN text is close).
   The reason names the target of the best statement (for an indicator, the
   target it measures).

The constants were set once on a few hand-written sentences of the kind a
listing opens with, not on any evaluation set: MiniLM cosines of a sentence and
its plainly related SDG target lie around 0.3-0.6, of unrelated ones under 0.2.
The SDG text is English, so Japanese text gets few or no suggestions.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from conceptcloud.discovery import embeddings
from conceptcloud.discovery.text import analyse

DATA = Path(__file__).resolve().parent / "data" / "sdg_goals_targets_indicators_en.json"

MAX_SUGGESTIONS = 3
MIN_SCORE = 0.2
RELATIVE = 0.75
LEXICAL_WEIGHT = 0.2
# Longer texts are refused by the callers (the model reads only the opening anyway).
MAX_CHARS = 20_000
# A reason quotes at most this much of a target's text.
REASON_CHARS = 120


@dataclass(frozen=True, slots=True)
class Target:
    code: str  # "7.2", "6.a"
    title: str
    indicators: tuple[tuple[str, str], ...]  # (code, title)


@dataclass(frozen=True, slots=True)
class Goal:
    goal: int
    short: str
    title: str
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    goal: int
    short: str  # the goal's short name, "Affordable and clean energy"
    score: float
    target: str  # the target that matched best ("" when it was the goal's own wording)
    target_text: str
    matched: str  # the statement that matched: a goal number, target or indicator code
    matched_text: str
    shared_terms: tuple[str, ...]  # analysed terms the text shares with that statement

    @property
    def reason(self) -> str:
        """One line in English, the language of the UN text quoted."""
        if self.target:
            return f"matches target {self.target}: {_shortened(self.target_text)}"
        return f"matches goal {self.goal}: {_shortened(self.target_text)}"


@dataclass(frozen=True)
class _Statement:
    goal: int
    code: str  # goal number, target or indicator code
    target: str  # the target it belongs to ("" for the goal itself)
    text: str


@dataclass(frozen=True)
class _Model:
    statements: tuple[_Statement, ...]
    vectors: np.ndarray  # (len(statements), DIMENSIONS)
    goals_of: np.ndarray  # goal number per statement
    terms: tuple[frozenset[str], ...]
    idf: dict[str, float]
    unseen_idf: float


def _shortened(text: str) -> str:
    if len(text) <= REASON_CHARS:
        return text
    return text[:REASON_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@cache
def goals() -> tuple[Goal, ...]:
    """The 17 goals with their targets and indicators, as shipped."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        Goal(
            goal=int(goal["goal"]),
            short=goal["short"],
            title=goal["title"],
            targets=tuple(
                Target(
                    code=target["target"],
                    title=target["title"],
                    indicators=tuple((i["indicator"], i["title"]) for i in target["indicators"]),
                )
                for target in goal["targets"]
            ),
        )
        for goal in raw
    )


def _statements() -> list[_Statement]:
    statements: list[_Statement] = []
    for goal in goals():
        statements.append(_Statement(goal.goal, str(goal.goal), "", f"{goal.short}: {goal.title}"))
        for target in goal.targets:
            statements.append(_Statement(goal.goal, target.code, target.code, f"{goal.short}: {target.title}"))
            for code, title in target.indicators:
                statements.append(_Statement(goal.goal, code, target.code, f"{goal.short}: {title}"))
    return statements


_lock = threading.Lock()
_model: _Model | None = None


def _loaded() -> _Model:
    global _model
    with _lock:
        if _model is None:
            statements = _statements()
            terms = tuple(frozenset(analyse(s.text)) for s in statements)
            frequency = Counter(term for statement_terms in terms for term in statement_terms)
            n = len(statements)
            _model = _Model(
                statements=tuple(statements),
                vectors=embeddings.embed([s.text for s in statements]),
                goals_of=np.array([s.goal for s in statements]),
                terms=terms,
                idf={term: math.log(1 + n / (count + 1)) for term, count in frequency.items()},
                # A term the SDG text never uses still weighs in the text's total.
                unseen_idf=math.log(1 + n),
            )
        return _model


def suggest(text: str, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The goals `text` most likely serves, best first (see the module map).

    Empty or whitespace-only text gives []; the caller refuses it as input and
    caps its length (MAX_CHARS). Loads the statements' embeddings on first use.
    """
    text = text.strip()
    if not text or limit < 1:
        return []
    model = _loaded()
    query = embeddings.embed([text[:MAX_CHARS]])[0]
    scores = model.vectors @ query
    words = set(analyse(text))
    weights = {term: model.idf.get(term, model.unseen_idf) for term in words}
    total = sum(weights.values())
    if total:
        overlap = np.fromiter(
            (sum(weights[term] for term in words & statement_terms) for statement_terms in model.terms),
            dtype=np.float32,
            count=len(model.terms),
        )
        scores = scores + LEXICAL_WEIGHT * overlap / total

    best_per_goal: dict[int, int] = {}
    for index in np.argsort(-scores, kind="stable"):
        goal = int(model.goals_of[index])
        if goal not in best_per_goal:
            best_per_goal[goal] = int(index)
    ranked = sorted(best_per_goal.items(), key=lambda item: (-float(scores[item[1]]), item[0]))
    top = float(scores[ranked[0][1]])
    chosen = [
        (goal, index)
        for goal, index in ranked[:limit]
        if float(scores[index]) >= MIN_SCORE and float(scores[index]) >= RELATIVE * top
    ]
    return [_suggestion(model, goal, index, float(scores[index]), words) for goal, index in chosen]


def _suggestion(model: _Model, goal_number: int, index: int, score: float, words: set[str]) -> Suggestion:
    statement = model.statements[index]
    goal = next(g for g in goals() if g.goal == goal_number)
    if statement.target:
        target = next(t for t in goal.targets if t.code == statement.target)
        target_text = target.title
    else:
        target_text = goal.title
    return Suggestion(
        goal=goal_number,
        short=goal.short,
        score=round(score, 4),
        target=statement.target,
        target_text=target_text,
        matched=statement.code,
        matched_text=statement.text.split(": ", 1)[1],
        shared_terms=tuple(sorted(words & model.terms[index])),
    )
