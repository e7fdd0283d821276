"""music.harmonize: a melody (MIDI, MusicXML or ABC) set as the soprano of a four-part
chorale by our harmony model, trained on Bach's chorales."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from pydantic import Field

from atelier.engines.base import (
    ADVANCED,
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    Inputs,
    Params,
)
from atelier.engines.music import generating as gen
from atelier.engines.music import render
from atelier.engines.music.common import MelodyUploadId, Tempo
from atelier.engines.music.files import read_melody
from atelier.torch_threads import torch_threads

MAX_BARS = 64


class HarmonizeParams(Params):
    melody: MelodyUploadId = Field(description="The melody: MIDI, MusicXML or ABC.")
    tempo: Tempo | None = Field(None, description="Default: the melody's own tempo.")
    candidates: int = Field(
        3,
        ge=1,
        le=8,
        description="Settings to write; the best that meets the checks is kept (up to "
        "three more are drawn while none does).",
        json_schema_extra=ADVANCED,
    )


class Harmonize(Engine[HarmonizeParams]):
    name = "music.harmonize"
    medium = "music"
    title = "Harmonize a melody"
    description = (
        "Sets your melody (MIDI, MusicXML or ABC, up to 64 bars) as the soprano of a "
        "four-part chorale: alto, tenor and bass from Atelier's harmony model trained on "
        "Bach's chorales, kept in range, without crossings, avoiding parallel fifths and "
        "octaves and chromatic clashes with the melody, closing on the tonic chord in root "
        "position."
    )
    Params = HarmonizeParams
    models = gen.declared_models((), True)
    credits_per_second = gen.SCORE_CREDITS
    rates = gen.HARMONIZE_RATES  # a second of audio and a note of melody (generating.py)

    def warm(self) -> None:
        gen.harmony_net()

    def available(self) -> str | None:
        return gen.model_problem(gen.HARMONY_MODEL) or render.render_problem()

    def output_budget(self, params: HarmonizeParams, inputs: Inputs) -> Budget:
        """The melody's length, at the tempo asked for or its own."""
        melody = inputs.get("melody", TYPICAL)
        seconds = melody.quarters * 60 / params.tempo if params.tempo else melody.seconds
        return Budget(audio_seconds=seconds, notes=gen.notes_of(melody), field="melody")

    def run(self, params: HarmonizeParams, ctx: Context) -> list[Creation]:
        p = params
        # Settled as one core (`threaded` is False), so run on one (torch_threads.py).
        with torch_threads(1):
            ctx.progress(0.02, "reading the melody")
            melody = gen.quantized(read_melody(ctx.file(p.melody), max_bars=MAX_BARS))
            if p.tempo:
                melody = replace(melody, tempo=p.tempo)
            ctx.progress(0.1, "writing alto, tenor and bass")
            melody = replace(melody, title=f"{melody.title or 'Melody'}, harmonized")
            drafts = gen.harmonized(melody, np.random.default_rng(ctx.seed), p.candidates)
            ctx.progress(0.6, "rendering audio, MIDI, MusicXML and the score")
            return [gen.creation(drafts, "chorale", {}, gen.lineage(None, True))]
