"""Repeats written out: a Piece is the music as played, so `|: … :|` and first and second
endings become the bars they stand for."""

from __future__ import annotations

from typing import Any

from music21 import bar, spanner, stream

from atelier.engines.base import EngineError


def as_played(score: Any) -> Any:
    """The score with its repeats (and first and second endings) written out; the score
    itself when it has none."""
    if not score[bar.Repeat] and not score[spanner.RepeatBracket]:
        return score
    parts = list(score.parts) if isinstance(score, stream.Score) else [score]
    for part in parts:
        _close_last_endings(part)
        _open_implied_repeats(part)
    try:
        return score.expandRepeats()
    except Exception as exc:  # music21's expander refuses repeats it cannot pair
        raise EngineError(f"the repeats could not be followed ({exc})") from None


def _open_implied_repeats(part: Any) -> None:
    """Mark where a repeat goes back to when the file does not say: an end-repeat sign
    with no start sign since the previous end-repeat goes back to the bar after that one,
    as tune books mean `A…:|B…:|` (AABB). music21 would go back to the very beginning."""
    started = True  # the first section may go back to the beginning
    after_end: stream.Measure | None = None
    measures = list(part.getElementsByClass(stream.Measure))
    for index, measure in enumerate(measures):
        left, right = measure.leftBarline, measure.rightBarline
        if isinstance(left, bar.Repeat) and left.direction == "start":
            started = True
        if isinstance(right, bar.Repeat) and right.direction == "end":
            if not started and after_end is not None:
                after_end.leftBarline = bar.Repeat(direction="start")
            started = False
            after_end = measures[index + 1] if index + 1 < len(measures) else None


def _close_last_endings(part: Any) -> None:
    """The last ending of a group is played once: an end-repeat sign closing it (`[2 …:|`,
    a common slip in tune books) is read as a plain bar line."""
    starts = []  # (first measure's id, highest number) of each ending, in order
    for bracket in part.getElementsByClass(spanner.RepeatBracket):
        first = bracket.getFirst()
        if first is not None:
            starts.append((first.offset, id(first), max(bracket.numberRange or [1])))
    starts.sort()
    last_endings = {
        first
        for index, (_, first, number) in enumerate(starts)
        if index + 1 == len(starts) or starts[index + 1][2] <= number
    }
    other_endings = {first for _, first, _ in starts} - last_endings
    in_last_ending = False
    for measure in part.getElementsByClass(stream.Measure):
        left, right = measure.leftBarline, measure.rightBarline
        if id(measure) in other_endings or (
            isinstance(left, bar.Repeat) and left.direction == "start"
        ):
            in_last_ending = False
        if id(measure) in last_endings:
            in_last_ending = True
        if in_last_ending and isinstance(right, bar.Repeat) and right.direction == "end":
            measure.rightBarline = bar.Barline("regular")
            in_last_ending = False
