"""music.compose: a new melody in a style, key and meter from our own melody model,
ending on a cadence, optionally set in four parts by the chorale harmony model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from pydantic import Field, field_validator

from atelier.engines.base import (
    Budget,
    Context,
    Creation,
    Engine,
    EngineError,
    Inputs,
    Params,
    Rates,
    pick_from,
)
from atelier.engines.checks import REDRAWS, Candidate, best_index, draw
from atelier.engines.music import checks, render
from atelier.engines.music import generating as gen
from atelier.engines.music import tokens as tok
from atelier.engines.music.common import INSTRUMENTS, Bars, Instrument, Key, Meter, Style, Tempo
from atelier.engines.music.melody import write
from atelier.engines.music.piece import Piece, bar_length
from atelier.torch_threads import torch_threads

HARMONIZE_CANDIDATES = 3  # four-part settings drawn for the melody (as music.harmonize)


class ComposeParams(Params):
    style: Style = Field(
        "irish",
        description="The tradition the melody is written in.",
        json_schema_extra=pick_from("music-style"),
    )
    key: Key = Field("D major", description="Tonic and mode, e.g. G major or E minor.")
    meter: Meter = Field("4/4", description="Time signature.")
    tempo: Tempo = 100
    bars: Bars = 16
    primer: str = Field(
        "",
        max_length=300,
        description="Opening notes, e.g. 'D4 E4 F#4:0.5 A4:1.5' (a quarter each unless a "
        "length in quarters follows the colon; r is a rest).",
    )
    temperature: gen.Temperature = 0.8
    top_p: gen.TopP = 0.95
    harmonize: bool = Field(False, description="Set the melody in four parts (SATB chorale).")
    model: gen.MelodyModel = "full"
    instrument: Instrument | None = Field(
        None,
        description="The melody's instrument.",
        json_schema_extra=pick_from("instrument", none="The style's own"),
    )

    @field_validator("primer")
    @classmethod
    def _primer(cls, value: str) -> str:
        gen.parse_primer(value)
        return value.strip()


class MusicCompose(Engine[ComposeParams]):
    name = "music.compose"
    medium = "music"
    title = "Compose a melody"
    description = (
        "A new melody in a style (German folk, Irish, Scottish, chorale, Renaissance), key "
        "and meter from Atelier's own melody model, ending on the tonic; optionally "
        "harmonized in four parts. Delivered as audio, MIDI, MusicXML and a score."
    )
    Params = ComposeParams
    models = gen.declared_models(("full", "clean"), True)
    credits_per_second = gen.SCORE_CREDITS
    # CPU seconds a second of audio and a quarter note (generating.py says how they are fitted):
    # 4 to 32 bars of 4/4 at 100 and 3/4 and 6/8 took 0.52 to 5.06 s; 12 and 24 bars at 50, 100
    # and 200 a minute showed the tempo more than the notes setting the cost (12 bars 3.07, 1.38
    # and 0.92 s; 24 bars at 50 and 100 7.14 and 3.60). Rendering the audio is most of it.
    rates = Rates(start=0.0, per_audio_second=0.0524, per_note=0.0025)

    def warm(self) -> None:
        gen.melody_net("full")
        gen.melody_net("clean")

    def available(self) -> str | None:
        return gen.model_problem(*gen.MELODY_MODELS.values(), gen.HARMONY_MODEL) or (
            render.render_problem()
        )

    def output_budget(self, params: ComposeParams, inputs: Inputs) -> Budget:
        return Budget(
            audio_seconds=gen.seconds_of(params.bars, params.meter, params.tempo),
            notes=float(params.bars * bar_length(params.meter)),  # a note a quarter
            field="bars",
        )

    def estimate_seconds(self, params: ComposeParams, budget: Budget) -> float:
        rates = gen.HARMONIZE_RATES if params.harmonize else self.rates  # a chorale to render
        return round(rates.seconds(budget), 2)

    def run(self, params: ComposeParams, ctx: Context) -> list[Creation]:
        p = params
        # Settled as one core (`threaded` is False), so run on one (torch_threads.py).
        with torch_threads(1):
            model = gen.chosen(p.model, ctx)

            def make(i: int) -> Candidate[Piece]:
                """Draft i, from seed + i; its checks: the melody's, and the setting's."""
                if i:
                    ctx.progress(0.05, f"Redraw {i} of {REDRAWS}: the melody missed its checks")
                piece = compose(p, ctx.seed + i, ctx.progress, model)
                line = checks.melody(replace(piece, parts=piece.parts[:1]))
                if not p.harmonize:
                    return line
                setting = checks.chorale(piece)
                values = {**line.checks, **setting.checks}
                return Candidate(
                    piece, values, line.score * setting.score, line.unmet + setting.unmet
                )

            drafts = draw(make, 1)
            ctx.progress(0.75, "rendering audio, MIDI, MusicXML and the score")
            meta = {"model": gen.model_name(model), "style": gen.own_style(model, p.style)}
            name = "chorale" if p.harmonize else "melody"
            return [gen.creation(drafts, name, meta, gen.lineage(model, p.harmonize))]


def compose(
    p: ComposeParams,
    seed: int,
    progress: Callable[[float, str], None] = lambda f, m: None,
    model: gen.Melody | None = None,
) -> Piece:
    """The piece the parameters and seed describe (the same seed gives the same notes);
    `model`: a client's melody model in place of the one `p.model` chooses."""
    progress(0.02, "loading the melody model")
    model = gen.ours(p.model) if model is None else model
    net = gen.melody_net(model)
    p = p.model_copy(update={"style": gen.own_style(model, p.style)})
    mode = gen.reference_mode(p.key)
    body: list[int] = []
    primer = gen.parse_primer(p.primer)
    if primer:
        opening = gen.primer_piece(primer, p.key, p.meter)
        if opening.quarter_length() > (p.bars - 1) * bar_length(p.meter):
            raise EngineError("the primer is longer than the melody: ask for more bars")
        body = gen.melody_tokens(opening, p.style).tokens[tok.HEADER : -1]
    sampler = gen.start_sampler(net, body, p.style, mode, p.meter, seed)
    tokens = write(
        sampler,
        p.meter,
        p.bars,
        mode,
        p.temperature,
        p.top_p,
        gen.STYLE_RANGES[p.style],
        progress=lambda f: progress(0.05 + 0.55 * f, "writing the melody"),
    )
    title = f"{p.style.replace('-', ' ').title()} melody in {p.key}"
    piece = tok.decode(tokens, p.key, p.tempo, title)
    program = INSTRUMENTS[p.instrument or gen.DEFAULT_INSTRUMENTS[p.style]]
    piece = replace(piece, parts=(replace(piece.parts[0], program=program),))
    if p.harmonize:
        progress(0.6, "harmonizing in four parts")
        settings = gen.harmonized(piece, np.random.default_rng(seed), HARMONIZE_CANDIDATES)
        piece = settings[best_index(settings)].value
    return piece
