"""music.continue: an opening (MIDI, MusicXML or ABC) continued by our melody model in
its style, for a number of bars, ending on a cadence."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from pydantic import Field

from atelier.engines.base import (
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    Inputs,
    Params,
    Rates,
    pick_from,
)
from atelier.engines.checks import REDRAWS, Candidate, draw
from atelier.engines.music import checks, render
from atelier.engines.music import generating as gen
from atelier.engines.music import tokens as tok
from atelier.engines.music.common import Bars, MelodyUploadId, Style
from atelier.engines.music.files import read_melody
from atelier.engines.music.melody import body_end, write
from atelier.engines.music.piece import Piece, bar_length
from atelier.torch_threads import torch_threads

MAX_OPENING_BARS = 32


class ContinueParams(Params):
    melody: MelodyUploadId = Field(description="The opening: MIDI, MusicXML or ABC.")
    bars: Bars = Field(8, description="Bars to add after the opening.")
    style: Style | None = Field(
        None,
        description="Default: the style the model finds the opening most like.",
        json_schema_extra=pick_from("music-style", none="The opening's own"),
    )
    temperature: gen.Temperature = 0.8
    top_p: gen.TopP = 0.95
    model: gen.MelodyModel = "full"


class MusicContinue(Engine[ContinueParams]):
    name = "music.continue"
    medium = "music"
    title = "Continue a melody"
    description = (
        "Continues your opening (MIDI, MusicXML or ABC, up to 32 bars) for `bars` more bars "
        "in its style (found by the model, or chosen), ending on the tonic."
    )
    Params = ContinueParams
    models = gen.declared_models(("full", "clean"), False)
    credits_per_second = gen.SCORE_CREDITS
    # CPU seconds a second of the whole piece's audio and a note of it, opening and new bars
    # (generating.py says how they are fitted): pieces of 19.2 to 67.2 s took 0.85 to 4.26 s,
    # within 0.79-1.19 of these; the new bars are taken to be as full as the opening's.
    rates = Rates(start=0.0, per_audio_second=0.0389, per_note=0.0039)

    def warm(self) -> None:
        gen.melody_net("full")
        gen.melody_net("clean")

    def available(self) -> str | None:
        return gen.model_problem(*gen.MELODY_MODELS.values()) or render.render_problem()

    def output_budget(self, params: ContinueParams, inputs: Inputs) -> Budget:
        """The opening as written and `bars` more, at its own tempo and meter."""
        opening = inputs.get("melody", TYPICAL)
        per_bar = opening.seconds / max(opening.bars, 1)
        return Budget(
            audio_seconds=opening.seconds + params.bars * per_bar,
            notes=gen.notes_of(opening) * (1 + params.bars / max(opening.bars, 1)),
            field="bars",
        )

    def run(self, params: ContinueParams, ctx: Context) -> list[Creation]:
        p = params
        # Settled as one core (`threaded` is False), so run on one (torch_threads.py).
        with torch_threads(1):
            ctx.progress(0.02, "reading the opening")
            opening = read_melody(ctx.file(p.melody), max_bars=MAX_OPENING_BARS)
            model = gen.chosen(p.model, ctx)
            styles: list[str] = []

            def make(i: int) -> Candidate[Piece]:
                """Draft i, from seed + i, checked after the opening."""
                message = f"Redraw {i} of {REDRAWS}: " if i else ""
                piece, style = continue_melody(
                    opening,
                    p,
                    ctx.seed + i,
                    progress=lambda f: ctx.progress(
                        0.1 + 0.5 * f, message + "writing the continuation"
                    ),
                    model=model,
                )
                styles.append(style)
                return checks.melody(piece, gen.quantized(opening))

            drafts = draw(make, 1)
            ctx.progress(0.7, "rendering audio, MIDI, MusicXML and the score")
            meta = {
                "style": styles[0],
                "opening_notes": sum(n.pitch is not None for n in opening.parts[0].notes),
                "model": gen.model_name(model),
            }
            return [gen.creation(drafts, "melody", meta, gen.lineage(model, False))]


def continue_melody(
    opening: Piece,
    p: ContinueParams,
    seed: int,
    progress: Callable[[float], None] = lambda fraction: None,
    model: gen.Melody | None = None,
) -> tuple[Piece, str]:
    """The opening and its continuation, and the style it was written in (the one asked
    for, or the one the style check finds the opening most like; a client's `model`
    writes in its own)."""
    opening = gen.quantized(opening)
    model = gen.ours(p.model) if model is None else model
    net = gen.melody_net(model)
    encoded = gen.melody_tokens(opening, "irish")
    style = gen.own_style(model, p.style or gen.best_style(model, encoded))
    body = encoded.tokens[tok.HEADER : -1]
    sampler = gen.start_sampler(net, body, style, encoded.mode, opening.meter, seed)
    bar = tok.ticks(bar_length(opening.meter), "bar")
    total = math.ceil(body_end(body, opening.meter) / bar) + p.bars
    low, high = gen.STYLE_RANGES[style]
    pitches = [t - tok.FIRST_PITCH + tok.PITCH_LOW for t in body if tok.is_pitch(t)]
    tokens = write(
        sampler,
        opening.meter,
        total,
        encoded.mode,
        p.temperature,
        p.top_p,
        (min(low, *pitches), max(high, *pitches)),
        progress=progress,
    )
    title = f"{opening.title or 'Melody'}, continued"
    piece = tok.decode(tokens, opening.key, opening.tempo, title)
    return replace(piece, parts=(replace(piece.parts[0], program=opening.parts[0].program),)), style
