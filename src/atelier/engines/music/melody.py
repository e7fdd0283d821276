"""Writing melodies with MelodyNet: constrained sampling that always decodes.

The sampler writes the bar and position tokens itself (they follow from the durations),
lets the model choose only pitches (or a rest) and durations, never lets a note run past
the last bar (nor a rest past its bar line), and ends on the tonic held from the last
bar's downbeat to its end: a cadence that fills whole bars. `rewrite` (restyle) pulls
each pitch toward a given one and lets a beat's figure change into another of the same
length (two eighths dotted, snapped, merged into a quarter; a quarter split into running
eighths), as far as `freedom` and a rhythm-similarity budget allow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from atelier.engines.music import tokens as tok
from atelier.engines.music.model import MelodyNet
from atelier.engines.music.piece import bar_length

PITCH_PULL = 1.0  # nats per semitone away from the guide's pitch, at freedom 0 (tuning part)
CHANGE_PUSH = 3.0  # nats against keeping a redrawn note's own pitch, at freedom 1
MAX_REPEATS = 3  # notes in a row on one pitch, unless the opening has longer runs
WHITE_KEYS = frozenset({0, 2, 4, 5, 7, 9, 11})  # every mode's scale in its reference key
OPENING_NOTES = 4  # a restyle keeps at least the first bar, and at least this many notes
RHYTHM_PUSH = 2.0  # nats against keeping a beat's own figure, at freedom 1 (tuning part)
FREE_REACH = 4  # semitones from the note before, for a note a new figure adds
# Onsets a restyle may move, add or drop, as a share of the source's: each costs the
# contour (read on eighths) about one move, so this keeps it well above its 0.7 bound.
ONSET_CHANGES = 0.16
RHYTHM_BOUND = 0.88  # least onset F1 of a restyle to its source (docs/models.md says why)
# The figures one beat may take, in ticks: a quarter (simple meters) and a dotted
# quarter (compound). A beat written as one of them may become any other; each starts
# with its own length, so the model picks the figure by its first note's duration.
FIGURES = {
    24: ((24,), (12, 12), (18, 6), (6, 18)),
    36: ((36,), (24, 12), (12, 12, 12), (18, 6, 12)),
}


@dataclass(frozen=True)
class Guide:
    """What `rewrite` keeps and leans toward (reference key): per note, its start tick from
    the melody's first bar line, its length in ticks and its pitch or None; which notes
    are kept as they are (the tune's landmarks); the pitch classes new notes may take."""

    notes: tuple[tuple[int, int, int | None], ...]
    freedom: float
    kept: tuple[bool, ...]
    scale: frozenset[int]
    figures: tuple[tuple[int, ...] | None, ...] = ()  # per note: the beat figure it starts


def header(style: str, mode: str, meter: str) -> list[int]:
    return [tok.BOS, tok.ID[f"STYLE_{style}"], tok.ID[f"MODE_{mode}"], tok.ID[f"METER_{meter}"]]


def body_end(tokens: list[int], meter: str) -> int:
    """The tick (from the first bar line) where the last note of a token body ends."""
    bar = tok.ticks(bar_length(meter), "bar")
    bar_index, end, position = -1, 0, 0
    for token in tokens:
        if token == tok.BAR:
            bar_index += 1
        elif tok.FIRST_POS <= token < tok.FIRST_DUR:
            position = token - tok.FIRST_POS
        elif tok.is_dur(token):
            end = max(bar_index, 0) * bar + position + tok.dur_ticks(token)
    return end


class Sampler:
    """One melody being written: the tokens so far and the network's state after them.

    A sampler may lean away from others (`away`: the same tokens read under the other
    styles' headers, and a weight): each choice then favours what is likelier in this
    style than in the others on average (contrastive decoding), which is what moves a
    restyled tune toward its new style rather than only letting it stay plausible there."""

    def __init__(
        self,
        net: MelodyNet,
        prefix: list[int],
        rng: np.random.Generator,
        away: tuple[list[Sampler], float] | None = None,
    ) -> None:
        self.net = net
        self.rng = rng
        self.tokens = list(prefix)
        self.state: tuple[torch.Tensor, torch.Tensor] | None = None
        self.logits = self._feed(prefix)
        self.away = away

    @torch.no_grad()
    def _feed(self, tokens: list[int]) -> torch.Tensor:
        logits, self.state = self.net(torch.tensor([tokens]), self.state)
        return logits[0, -1]

    def push(self, token: int) -> None:
        self.tokens.append(token)
        self.logits = self._feed([token])
        if self.away is not None:
            for other in self.away[0]:
                other.push(token)

    def choose(
        self, allowed: np.ndarray, temperature: float, top_p: float, bias: np.ndarray | None = None
    ) -> int:
        """Sample a token among `allowed` (nucleus sampling), then feed it."""
        scores = self.logits.double().numpy() / max(temperature, 1e-3)
        if bias is not None:
            scores = scores + bias
        if self.away is not None:
            others, weight = self.away
            mine = torch.log_softmax(self.logits.double(), -1)
            theirs = torch.stack([torch.log_softmax(o.logits.double(), -1) for o in others])
            mixture = torch.logsumexp(theirs, 0) - math.log(len(others))
            scores = scores + weight * (mine - mixture).numpy()
        scores = np.where(allowed, scores, -np.inf)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        order = np.argsort(-probs)
        cumulative = np.cumsum(probs[order])
        keep = order[: int(np.searchsorted(cumulative, top_p)) + 1]
        kept = probs[keep] / probs[keep].sum()
        token = int(keep[self.rng.choice(len(keep), p=kept)])
        self.push(token)
        return token

    def log_likelihood(self) -> float:
        """The total log-probability (nats) the network gives the current tokens after
        their style: the mode and meter given the style, then the notes (the style
        check's likelihood, so a style never written in a meter is unlikely in it)."""
        with torch.no_grad():
            x = torch.tensor([self.tokens])
            log_probs = torch.log_softmax(self.net(x[:, :-1])[0][0], dim=-1)
            picked = log_probs[torch.arange(x.shape[1] - 1), x[0, 1:]]
        return float(picked[1:].sum())


def _pitch_mask(low: int, high: int, rest: bool) -> np.ndarray:
    allowed = np.zeros(len(tok.VOCAB), dtype=bool)
    allowed[tok.pitch_id(max(low, tok.PITCH_LOW)) : tok.pitch_id(min(high, tok.PITCH_HIGH)) + 1] = (
        True
    )
    allowed[tok.REST] = rest
    return allowed


def _dur_mask(longest: int) -> np.ndarray:
    allowed = np.zeros(len(tok.VOCAB), dtype=bool)
    for ticks in tok.DURATIONS:
        if ticks <= longest:
            allowed[tok.dur_id(ticks)] = True
    return allowed


def _place(sampler: Sampler, cursor: int, bar: int, current_bar: int) -> int:
    """Write the bar lines up to `cursor` and its position; returns the bar it is in."""
    bar_index = cursor // bar
    for _ in range(bar_index - current_bar):
        sampler.push(tok.BAR)
    sampler.push(tok.pos_id(cursor % bar))
    return bar_index


def _tonic_mask(low: int, high: int, mode: str) -> np.ndarray:
    allowed = _pitch_mask(low, high, rest=False)
    for pitch in range(tok.PITCH_LOW, tok.PITCH_HIGH + 1):
        allowed[tok.pitch_id(pitch)] &= pitch % 12 == tok.MODE_TONIC[mode]
    return allowed


def write(
    sampler: Sampler,
    meter: str,
    bars: int,
    mode: str,
    temperature: float,
    top_p: float,
    pitch_range: tuple[int, int],
    progress: Callable[[float], None] = lambda fraction: None,
) -> list[int]:
    """Continue the sampler's tokens up to the end of bar `bars` (counted from the first
    bar line, a pickup's bar being the first) and close with the tonic, held from the
    last bar's downbeat; returns the whole token sequence."""
    bar = tok.ticks(bar_length(meter), "bar")
    final_bar, end = (bars - 1) * bar, bars * bar
    cursor = body_end(sampler.tokens[tok.HEADER :], meter)
    current_bar = sampler.tokens[tok.HEADER :].count(tok.BAR) - 1
    low, high = pitch_range
    repeats = max(MAX_REPEATS, _longest_run(sampler.tokens))
    while cursor < final_bar:
        current_bar = _place(sampler, cursor, bar, current_bar)
        allowed = _pitch_mask(low, high, rest=cursor > 0)
        last, run = _trailing_run(sampler.tokens)
        if run >= repeats:
            allowed[tok.pitch_id(last)] = False
        pitch = sampler.choose(allowed, temperature, top_p)
        longest = min(final_bar - cursor, tok.MAX_TICKS)
        if pitch == tok.REST:  # a rest ends by the bar line: no bars of silence
            longest = min(longest, bar - cursor % bar)
        cursor += tok.dur_ticks(sampler.choose(_dur_mask(longest), temperature, top_p))
        progress(cursor / end)
    _place(sampler, final_bar, bar, current_bar)
    sampler.choose(_tonic_mask(low, high, mode), temperature, 1.0, _near_previous(sampler.tokens))
    sampler.push(tok.dur_id(bar))
    sampler.tokens.append(tok.EOS)
    return sampler.tokens


def rewrite(
    sampler: Sampler,
    guide: Guide,
    meter: str,
    mode: str,
    temperature: float,
    top_p: float,
    pitch_range: tuple[int, int],
    progress: Callable[[float], None] = lambda fraction: None,
) -> list[int]:
    """New pitches, and new figures for some beats, on the guide's rhythm: rests stay
    rests, kept notes stay, and each other note is drawn in the sampler's style among
    the pitches that keep the tune's contour (it moves up, down or stays as the original
    did, from the note before and to a kept note after), lie in the tune's scale and
    within reach of the original pitch, pulled toward it as `freedom` says; the last note
    is the tonic. A beat the guide marks may take another figure of its length, drawn in
    the style with its first note's duration (pushed off its own figure as `freedom`
    says), while the onsets moved so far keep the rhythm similarity at least
    RHYTHM_BOUND and number at most ONSET_CHANGES of the source's; a note the new figure
    adds is drawn near the note before it."""
    bar = tok.ticks(bar_length(meter), "bar")
    current_bar = -1
    pitched = [i for i, n in enumerate(guide.notes) if n[2] is not None]
    last = pitched[-1] if pitched else -1
    onsets = len(pitched)
    removed = added = 0  # the source's onsets the new figures drop, and those they add
    pick = _PitchPicker(sampler, guide, mode, temperature, top_p, pitch_range, pitched, last)
    index = 0
    while index < len(guide.notes):
        start, length, pitch = guide.notes[index]
        current_bar = _place(sampler, start, bar, current_bar)
        if pitch is None:
            sampler.push(tok.REST)
            sampler.push(tok.dur_id(length))
            index += 1
            continue
        pick(index)
        figure = guide.figures[index] if guide.figures and guide.freedom > 0 else None
        if figure is None:
            sampler.push(tok.dur_id(length))
            index += 1
            progress(index / len(guide.notes))
            continue
        own = {start + sum(figure[:k]) for k in range(len(figure))}
        options = {}
        for option in FIGURES[sum(figure)]:
            new = {start + sum(option[:k]) for k in range(len(option))}
            drop, add = removed + len(own - new), added + len(new - own)
            similar = 2 * (onsets - drop) >= RHYTHM_BOUND * (2 * onsets - drop + add)
            if similar and drop + add <= ONSET_CHANGES * onsets:
                options[option[0]] = option
        allowed = np.zeros(len(tok.VOCAB), dtype=bool)
        allowed[[tok.dur_id(first) for first in options]] = True
        push = np.zeros(len(tok.VOCAB))
        push[tok.dur_id(figure[0])] = -RHYTHM_PUSH * guide.freedom
        option = options[tok.dur_ticks(sampler.choose(allowed, temperature, top_p, push))]
        new_onsets = [start + sum(option[:k]) for k in range(len(option))]
        removed += len(own - set(new_onsets))
        added += len(set(new_onsets) - own)
        for k in range(1, len(option)):
            current_bar = _place(sampler, new_onsets[k], bar, current_bar)
            if new_onsets[k] in own:  # a note of the source, on its own onset
                pick(index + sorted(own).index(new_onsets[k]))
            elif len(option) == len(figure):  # the same notes, dotted or snapped
                pick(index + k)
            else:  # a note the figure adds: near the one before
                pick.free()
            sampler.push(tok.dur_id(option[k]))
        index += len(figure)
        progress(index / len(guide.notes))
    sampler.tokens.append(tok.EOS)
    return sampler.tokens


class _PitchPicker:
    """Draws (or keeps) the pitch of one of the guide's notes for `rewrite`, remembering
    the pitch written and the original pitch of the note before (the contour)."""

    def __init__(
        self,
        sampler: Sampler,
        guide: Guide,
        mode: str,
        temperature: float,
        top_p: float,
        pitch_range: tuple[int, int],
        pitched: list[int],
        last: int,
    ) -> None:
        self.sampler, self.guide, self.mode = sampler, guide, mode
        self.temperature, self.top_p = temperature, top_p
        self.low, self.high = pitch_range
        self.pitched, self.last = pitched, last
        self.reach = 2 + round(5 * guide.freedom)
        self.written: int | None = None  # the pitch written for the previous note
        self.before: int | None = None  # the original pitch of the previous note

    def __call__(self, index: int) -> None:
        guide, pitch = self.guide, self.guide.notes[index][2]
        assert pitch is not None
        if guide.kept[index] and not (
            index == self.last and pitch % 12 != tok.MODE_TONIC[self.mode]
        ):
            self.sampler.push(tok.pitch_id(pitch))
            chosen = pitch
        else:
            allowed = _pitch_mask(self.low, self.high, False) & _scale_mask(guide.scale)
            allowed &= _distance(pitch) <= self.reach
            if self.written is not None and self.before is not None:
                allowed &= _moves(self.written, np.sign(pitch - self.before))
            following = next((i for i in self.pitched if i > index), None)
            if following is not None and guide.kept[following]:
                target = guide.notes[following][2]
                assert target is not None
                allowed &= _moves_to(target, np.sign(target - pitch))
            if index == self.last:
                allowed = _tonic_mask(self.low, self.high, self.mode)
            if not allowed.any():
                allowed = _pitch_mask(pitch, pitch, False)
            pull = -PITCH_PULL * (1 - guide.freedom) * _distance(pitch)
            pull[tok.pitch_id(pitch)] -= CHANGE_PUSH * guide.freedom
            token = self.sampler.choose(allowed, self.temperature, self.top_p, pull)
            chosen = token - tok.FIRST_PITCH + tok.PITCH_LOW
        self.written, self.before = chosen, pitch

    def free(self) -> None:
        """A note no source note stands for: in the scale, a step or a third from the
        note before (its original pitch stands for it in the contour)."""
        assert self.written is not None
        allowed = _pitch_mask(self.low, self.high, False) & _scale_mask(self.guide.scale)
        allowed &= _distance(self.written) <= FREE_REACH
        token = self.sampler.choose(allowed, self.temperature, self.top_p)
        self.written = token - tok.FIRST_PITCH + tok.PITCH_LOW


def guide_of(tokens: list[int], freedom: float) -> Guide:
    """The rhythm and pitches of a token sequence, as a guide for `rewrite`, with the
    landmarks a listener knows the tune by kept: its opening (the pickup and first bar,
    at least four notes), the first note of every bar (from freedom 0.5, of every
    other bar, counting from the first full one), each raised seventh of a minor
    tune (its leading tone: G♯ in A minor) and its last note. New notes may take the
    mode's scale and the tune's own accidentals, but not a natural the tune always
    alters (no G♮ in a minor tune that only ever has G♯)."""
    head = tok.header(tokens)
    bar = tok.ticks(bar_length(head.meter), "bar")
    bar_index, position, pitch = -1, 0, None
    notes = []
    for token in tokens[tok.HEADER :]:
        if token == tok.BAR:
            bar_index += 1
        elif tok.FIRST_POS <= token < tok.FIRST_DUR:
            position = token - tok.FIRST_POS
        elif token == tok.REST or tok.is_pitch(token):
            pitch = None if token == tok.REST else token - tok.FIRST_PITCH + tok.PITCH_LOW
        elif tok.is_dur(token):
            notes.append((max(bar_index, 0) * bar + position, tok.dur_ticks(token), pitch))
    pitched = [n for n in notes if n[2] is not None]
    first_bar_end = (2 if pitched and pitched[0][0] % bar else 1) * bar
    opening_end = max(first_bar_end, pitched[min(OPENING_NOTES, len(pitched)) - 1][0] + 1)
    leading = (tok.MODE_TONIC[head.mode] - 1) % 12 if head.mode in ("minor", "aeolian") else None
    final = pitched[-1] if pitched else None
    strong = (first_bar_end // bar - 1) % 2  # the first full bar, and every other one
    kept = tuple(
        n[2] is not None
        and (
            n[0] < opening_end
            or (n[0] % bar == 0 and (freedom < 0.5 or n[0] // bar % 2 == strong))
            or n[2] % 12 == leading
            or n is final
        )
        for n in notes
    )
    used = {pitch % 12 for _, _, pitch in pitched if pitch is not None}
    altered = {w for w in WHITE_KEYS - used if used & {(w + 1) % 12, (w - 1) % 12} - WHITE_KEYS}
    figures = _figures(notes, kept, head.meter, opening_end)
    scale = frozenset((WHITE_KEYS | used) - altered)
    return Guide(tuple(notes), freedom, kept, scale, figures)


def _figures(
    notes: list[tuple[int, int, int | None]], kept: tuple[bool, ...], meter: str, opening: int
) -> tuple[tuple[int, ...] | None, ...]:
    """Per note, the beat figure it starts when that beat may take another (see FIGURES):
    after the opening, the beat's notes all sounding (no rest) and only its first one
    kept (a leading tone or the final note keeps its own place)."""
    beats, _, unit = meter.partition("/")
    span = 36 if unit == "8" and int(beats) % 3 == 0 else 24
    out: list[tuple[int, ...] | None] = [None] * len(notes)
    final = max((i for i, n in enumerate(notes) if n[2] is not None), default=0)
    for index, (start, _, _) in enumerate(notes):
        if start % span or start < opening:
            continue
        lengths: list[int] = []
        for later, (_, length, pitch) in enumerate(notes[index:], start=index):
            if pitch is None or (later > index and kept[later]) or later >= final:
                break
            lengths.append(length)
            if sum(lengths) >= span:
                break
        if tuple(lengths) in FIGURES[span]:
            out[index] = tuple(lengths)
    return tuple(out)


def _scale_mask(scale: frozenset[int]) -> np.ndarray:
    allowed = np.zeros(len(tok.VOCAB), dtype=bool)
    for pitch in range(tok.PITCH_LOW, tok.PITCH_HIGH + 1):
        allowed[tok.pitch_id(pitch)] = pitch % 12 in scale
    return allowed


def _moves(previous: int, direction: int) -> np.ndarray:
    """Pitch tokens that move from `previous` in `direction` (1 up, −1 down, 0 stay)."""
    allowed = np.zeros(len(tok.VOCAB), dtype=bool)
    for pitch in range(tok.PITCH_LOW, tok.PITCH_HIGH + 1):
        allowed[tok.pitch_id(pitch)] = np.sign(pitch - previous) == direction
    return allowed


def _moves_to(following: int, direction: int) -> np.ndarray:
    """Pitch tokens from which `following` lies in `direction`."""
    allowed = np.zeros(len(tok.VOCAB), dtype=bool)
    for pitch in range(tok.PITCH_LOW, tok.PITCH_HIGH + 1):
        allowed[tok.pitch_id(pitch)] = np.sign(following - pitch) == direction
    return allowed


def _trailing_run(tokens: list[int]) -> tuple[int, int]:
    """The last pitch written and how many notes in a row have had it (rests skipped)."""
    last, run = -1, 0
    for token in reversed(tokens):
        if tok.is_pitch(token):
            if run and token != last:
                break
            last, run = token, run + 1
    return (last - tok.FIRST_PITCH + tok.PITCH_LOW if run else -1), run


def _longest_run(tokens: list[int]) -> int:
    longest = run = 0
    previous = -1
    for token in tokens:
        if tok.is_pitch(token):
            run = run + 1 if token == previous else 1
            previous = token
            longest = max(longest, run)
    return longest


def _distance(pitch: int) -> np.ndarray:
    """Semitones from `pitch` for every pitch token (zero elsewhere)."""
    distance = np.zeros(len(tok.VOCAB))
    for other in range(tok.PITCH_LOW, tok.PITCH_HIGH + 1):
        distance[tok.pitch_id(other)] = abs(other - pitch)
    return distance


def _near_previous(tokens: list[int]) -> np.ndarray | None:
    """A pull toward the last pitch written, so the final tonic is the near one."""
    for token in reversed(tokens):
        if tok.is_pitch(token):
            return -0.5 * _distance(token - tok.FIRST_PITCH + tok.PITCH_LOW)
    return None
