"""Highlighted text for search results: where a query's words occur in a listing's text.

Pure: imports nothing from Django, and produces no HTML — a segment is plain text
the template escapes, marking the highlighted ones.

    Segment                  (text, highlighted)
    hits(text, words)        [(start, end, word index)] — every place a query
                             word occurs, in text order
    highlight(text, words)   the whole text as segments, hits highlighted
    snippet(text, words, width=240)
                             about `width` characters around the best cluster of
                             hits, cut at word boundaries, "…" where cut; the
                             start of the text when nothing matches

A word occurs where the index matches it (text.py): where the text's index terms
hold the query word's parts consecutively. So "battery" marks "batteries",
"licence" marks "licensed", 電池 marks the 電池 inside 全固体電池, and ナノファイバー
marks the end of セルロースナノファイバー; the whole stretch from the first part
to the last is marked (データ・センター for データセンター). The text is read by
text.word_spans, the same analysis the index applies.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from conceptcloud.discovery.text import Word, word_spans

Segment = tuple[str, bool]

ELLIPSIS = "…"
# Where a window may be cut when no space is near: after Japanese or Western
# sentence and clause punctuation.
_BREAK_AFTER = frozenset("。、，．！？・；：,.;:!?)）」』】")
_SPACE = re.compile(r"\s+")
# Candidate windows tried for a snippet, at most.
MAX_WINDOWS = 200


def hits(text: str, words: Sequence[Word]) -> list[tuple[int, int, int]]:
    """Every occurrence of a query word in `text`: (start, end, index in `words`), by start.

    Occurrences may overlap (a compound and a word inside it both matched).
    """
    if not text or not words:
        return []
    # The text's index terms in order, each with the stretch of text it stands for.
    stream: list[tuple[str, int, int]] = []
    for span in word_spans(text):
        word = span.word
        if word.parts != (word.whole,):
            stream.append((word.whole, span.start, span.end))
        stream.extend(
            (part, start, end) for part, (start, end) in zip(word.parts, span.parts, strict=True)
        )
    at: dict[str, list[int]] = {}
    for position, (term, _, _) in enumerate(stream):
        at.setdefault(term, []).append(position)
    found: list[tuple[int, int, int]] = []
    for index, word in enumerate(words):
        k = len(word.parts)
        for position in at.get(word.parts[0], ()):
            run = stream[position : position + k]
            if len(run) == k and all(term == part for (term, _, _), part in zip(run, word.parts, strict=True)):
                found.append((min(start for _, start, _ in run), max(end for _, _, end in run), index))
    found.sort()
    return found


def highlight(text: str, words: Sequence[Word]) -> list[Segment]:
    """`text` as segments, in order, joining back to `text`; the query words' occurrences highlighted."""
    return _segments(text, 0, len(text), hits(text, words))


def snippet(text: str, words: Sequence[Word], width: int = 240) -> list[Segment]:
    """About `width` characters of `text` around the best cluster of hits, as segments.

    The best cluster is the window of `width` characters holding the most
    distinct query words, then the most hits (the earliest of equals). The
    window is cut at spaces or punctuation where one is near, "…" marks each
    cut end, and runs of whitespace become one space. Without hits: the start of
    the text. Text shorter than `width` comes whole.
    """
    found = hits(text, words)
    if len(text) <= width:
        return _tidy(_segments(text, 0, len(text), found))
    if not found:
        start, end = 0, _cut_end(text, width, 0)
    else:
        first, last = _best_cluster(found, width)
        slack = max(0, width - (last - first))
        start = max(0, first - slack // 3)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        start = _cut_start(text, start, first)
        # Cut before `end` even if that drops the cluster's last hits, never its first.
        end = _cut_end(text, end, next(hit_end for hit_start, hit_end, _ in found if hit_start == first))
        # Never cut through a marked word: a hit across a cut goes out of the window.
        for hit_start, hit_end, _ in found:
            if hit_start < start < hit_end:
                start = hit_end if hit_end <= first else hit_start
            if hit_start < end < hit_end and hit_start > start:
                end = hit_start
    segments = _segments(text, start, end, found)
    if start > 0:
        segments.insert(0, (ELLIPSIS, False))
    if end < len(text):
        segments.append((ELLIPSIS, False))
    return _tidy(segments)


def _best_cluster(found: list[tuple[int, int, int]], width: int) -> tuple[int, int]:
    """(start of the first hit, end of the last) of the best window of hits.

    Windows start at a hit; the first MAX_WINDOWS hits are tried (a text full of
    one word has its best window early enough).
    """
    best: tuple[int, int] = (-1, 0)
    bounds = (found[0][0], found[0][1])
    starts = [start for start, _, _ in found]
    for i, start in enumerate(starts[:MAX_WINDOWS]):
        last = bisect_right(starts, start + width)
        inside = [hit for hit in found[i:last] if hit[1] <= start + width]
        if not inside:
            continue
        score = (len({index for _, _, index in inside}), len(inside))
        if score > best:
            best = score
            bounds = (start, max(end for _, end, _ in inside))
    return bounds


def _cut_start(text: str, start: int, limit: int) -> int:
    """`start` moved forward to just after a space or break (not past `limit`), if one is near."""
    if start == 0:
        return 0
    reach = min(limit, start + 40)
    for i in range(start, reach):
        if text[i - 1].isspace() or text[i - 1] in _BREAK_AFTER:
            return i
    return start


def _cut_end(text: str, end: int, limit: int) -> int:
    """`end` moved back to a space or just after a break (not before `limit`), if one is near."""
    if end >= len(text):
        return len(text)
    reach = max(limit, end - 40)
    for i in range(end, reach, -1):
        if text[i].isspace() or text[i - 1] in _BREAK_AFTER:
            return i
    return end


def _segments(text: str, start: int, end: int, found: list[tuple[int, int, int]]) -> list[Segment]:
    """text[start:end] split into plain and highlighted segments (overlapping hits merged)."""
    segments: list[Segment] = []
    position = start
    for hit_start, hit_end, _ in found:
        hit_start, hit_end = max(hit_start, position), min(hit_end, end)
        if hit_end <= hit_start:
            continue
        if hit_start > position:
            segments.append((text[position:hit_start], False))
        if segments and segments[-1][1] and hit_start == position:
            segments[-1] = (segments[-1][0] + text[hit_start:hit_end], True)
        else:
            segments.append((text[hit_start:hit_end], True))
        position = hit_end
    if position < end:
        segments.append((text[position:end], False))
    return segments


def _tidy(segments: list[Segment]) -> list[Segment]:
    """Whitespace runs as one space, the ends stripped, empty segments dropped."""
    tidied = [(_SPACE.sub(" ", part), marked) for part, marked in segments]
    if tidied:
        tidied[0] = (tidied[0][0].lstrip(), tidied[0][1])
        tidied[-1] = (tidied[-1][0].rstrip(), tidied[-1][1])
    return [(part, marked) for part, marked in tidied if part]
