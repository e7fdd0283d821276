"""Writing melodies with MelodyNet: constrained sampling that always decodes.

The sampler writes the bar and position tokens itself (they follow from the durations),
lets the model choose only pitches (or a rest) and durations, never lets a note run past
the last bar (nor a rest past its bar line), and ends on the tonic held from the last
bar's downbeat to its end: a cadence that fills whole bars. `rewrite` (restyle) keeps a
given rhythm and pulls each pitch toward a given one, as strongly as `freedom` allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from atelier.engines.music import tokens as tok
from atelier.engines.music.model import MelodyNet
from atelier.engines.music.piece import bar_length

PITCH_PULL = 2.5  # nats per semitone away from the guide's pitch, at freedom 0


@dataclass(frozen=True)
class Guide:
    """The rhythm to keep and the pitches to lean toward (reference key): per note, its
    start tick from the melody's first bar line, its length in ticks, its pitch or None."""

    notes: tuple[tuple[int, int, int | None], ...]
    freedom: float


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
    """One melody being written: the tokens so far and the network's state after them."""

    def __init__(self, net: MelodyNet, prefix: list[int], rng: np.random.Generator) -> None:
        self.net = net
        self.rng = rng
        self.tokens = list(prefix)
        self.state: tuple[torch.Tensor, torch.Tensor] | None = None
        self.logits = self._feed(prefix)

    @torch.no_grad()
    def _feed(self, tokens: list[int]) -> torch.Tensor:
        logits, self.state = self.net(torch.tensor([tokens]), self.state)
        return logits[0, -1]

    def push(self, token: int) -> None:
        self.tokens.append(token)
        self.logits = self._feed([token])

    def choose(
        self, allowed: np.ndarray, temperature: float, top_p: float, bias: np.ndarray | None = None
    ) -> int:
        """Sample a token among `allowed` (nucleus sampling), then feed it."""
        scores = self.logits.double().numpy() / max(temperature, 1e-3)
        if bias is not None:
            scores = scores + bias
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
        """Mean log-probability the network gives the current tokens' body (for choosing a
        style that fits an opening)."""
        with torch.no_grad():
            x = torch.tensor([self.tokens])
            log_probs = torch.log_softmax(self.net(x[:, :-1])[0][0], dim=-1)
            picked = log_probs[torch.arange(x.shape[1] - 1), x[0, 1:]]
        return float(picked[tok.HEADER - 1 :].mean())


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
    while cursor < final_bar:
        current_bar = _place(sampler, cursor, bar, current_bar)
        pitch = sampler.choose(_pitch_mask(low, high, rest=cursor > 0), temperature, top_p)
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
    """New pitches on the guide's rhythm: rests stay rests, each pitch is drawn with a
    pull toward the guide's (none at freedom 1), and the last note is the tonic."""
    bar = tok.ticks(bar_length(meter), "bar")
    current_bar = -1
    low, high = pitch_range
    last = max((i for i, n in enumerate(guide.notes) if n[2] is not None), default=-1)
    for index, (start, length, pitch) in enumerate(guide.notes):
        current_bar = _place(sampler, start, bar, current_bar)
        if pitch is None:
            sampler.push(tok.REST)
        else:
            allowed = (
                _tonic_mask(low, high, mode) if index == last else _pitch_mask(low, high, False)
            )
            pull = -PITCH_PULL * (1 - guide.freedom) * _distance(pitch)
            sampler.choose(allowed, temperature, top_p, pull)
        sampler.push(tok.dur_id(length))
        progress((index + 1) / len(guide.notes))
    sampler.tokens.append(tok.EOS)
    return sampler.tokens


def guide_of(tokens: list[int], freedom: float) -> Guide:
    """The rhythm and pitches of a token sequence, as a guide for `rewrite`."""
    meter = tok.header(tokens).meter
    bar = tok.ticks(bar_length(meter), "bar")
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
    return Guide(tuple(notes), freedom)


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
