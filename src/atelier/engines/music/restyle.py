"""music.restyle: a melody re-voiced in another style. The tune's landmarks stay as they
are: its opening, the first note of every bar, a minor tune's leading tones, the final
tonic. Every other note is redrawn by our melody model in the target style, leaning away
from the other styles (what is likelier in this style than in the others), among pitches
that keep the tune's contour and its own scale, within reach of the original (a major
second at `freedom` 0, a fifth at 1), pulled toward it as strongly as `freedom` allows.
From `freedom` above 0 a beat may also take another figure of its length, drawn the same
way (two eighths dotted or snapped, merged into a quarter; a quarter split into running
eighths), while the tune's rhythm stays recognisable (melody.RHYTHM_BOUND)."""

from __future__ import annotations

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
from atelier.engines.custom import is_id
from atelier.engines.music import checks, render
from atelier.engines.music import generating as gen
from atelier.engines.music import tokens as tok
from atelier.engines.music.common import INSTRUMENTS, MelodyUploadId, Style
from atelier.engines.music.files import read_melody
from atelier.engines.music.melody import guide_of, rewrite
from atelier.engines.music.piece import Piece
from atelier.torch_threads import torch_threads

MAX_BARS = 64
CONTRAST = 1.0  # how far a redrawn note leans away from the other styles, at freedom 1


class RestyleParams(Params):
    melody: MelodyUploadId = Field(description="The melody: MIDI, MusicXML or ABC.")
    style: Style = Field(
        description="The style to re-voice it in.", json_schema_extra=pick_from("music-style")
    )
    freedom: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="How far the notes between the tune's landmarks may move: 0 hardly "
        "(and the rhythm not at all), 1 up to a fifth, leaning hardest toward the new style.",
    )
    temperature: gen.Temperature = 0.8
    top_p: gen.TopP = 0.95
    model: gen.MelodyModel = "full"


class MusicRestyle(Engine[RestyleParams]):
    name = "music.restyle"
    medium = "music"
    title = "Restyle a melody"
    description = (
        "Re-voices your melody (MIDI, MusicXML or ABC, up to 64 bars) in another style, "
        "keeping its opening, the first note of each bar and a minor key's leading tones; "
        "`freedom` sets how far the other notes may move, and how freely a beat's rhythm "
        "takes the style's figures (none at 0)."
    )
    Params = RestyleParams
    models = gen.declared_models(("full", "clean"), False)
    credits_per_second = gen.SCORE_CREDITS
    # CPU seconds (see estimate_seconds) a second of audio and a note under one style
    # (generating.py says how they are fitted); the full model's 5 styles: melodies of 9.6 to
    # 57.6 s took 0.77 to 5.33 s, within 0.84-1.23 of these.
    rates = Rates(start=0.0, per_audio_second=0.0408, per_note=0.00366)

    def warm(self) -> None:
        gen.melody_net("full")
        gen.melody_net("clean")

    def available(self) -> str | None:
        return gen.model_problem(*gen.MELODY_MODELS.values()) or render.render_problem()

    def output_budget(self, params: RestyleParams, inputs: Inputs) -> Budget:
        melody = inputs.get("melody", TYPICAL)
        return Budget(audio_seconds=melody.seconds, notes=gen.notes_of(melody), field="melody")

    def estimate_seconds(self, params: RestyleParams, budget: Budget) -> float:
        """Rendering the audio is most of a job; beside it each note is redrawn a token at a
        time by the network under the target style and under every other style it leans
        away from, and read again under every style by the style check (before and after):
        its notes × the model's styles (5 in full, 3 in clean, a client's 1)."""
        styles = 1 if is_id(params.model) else len(gen.styles_of(gen.ours(params.model)))
        return round(self.rates.seconds(replace(budget, notes=budget.notes * styles)), 2)

    def run(self, params: RestyleParams, ctx: Context) -> list[Creation]:
        p = params
        # Settled as one core (`threaded` is False), so run on one (torch_threads.py).
        with torch_threads(1):
            ctx.progress(0.02, "reading the melody")
            melody = read_melody(ctx.file(p.melody), max_bars=MAX_BARS)
            model = gen.chosen(p.model, ctx)
            style = gen.own_style(model, p.style)
            source = gen.quantized(melody)

            def probability(piece: Piece) -> float:
                return gen.style_probabilities(model, gen.melody_tokens(piece, style))[style]

            before = probability(source)

            def make(i: int) -> Candidate[Piece]:
                """Draft i, from seed + i, checked against the tune it restyles."""
                message = f"Redraw {i} of {REDRAWS}: " if i else ""
                piece = restyle(
                    melody,
                    p,
                    ctx.seed + i,
                    progress=lambda f: ctx.progress(0.1 + 0.5 * f, message + "re-voicing"),
                    model=model,
                )
                return checks.restyle(source, piece, style, before, probability(piece))

            drafts = draw(make, 1)
            ctx.progress(0.7, "rendering audio, MIDI, MusicXML and the score")
            meta = {"style": style, "freedom": p.freedom, "model": gen.model_name(model)}
            return [gen.creation(drafts, "melody", meta, gen.lineage(model, False))]


def restyle(
    melody: Piece,
    p: RestyleParams,
    seed: int,
    progress: Callable[[float], None] = lambda fraction: None,
    model: gen.Melody | None = None,
) -> Piece:
    """The melody re-voiced as the parameters say (the same seed gives the same notes); a
    client's `model` re-voices it in its own style."""
    model = gen.ours(p.model) if model is None else model
    p = p.model_copy(update={"style": gen.own_style(model, p.style)})
    melody = gen.quantized(melody)
    encoded = gen.melody_tokens(melody, p.style)
    guide = guide_of(encoded.tokens, p.freedom)
    net = gen.melody_net(model)
    others = [s for s in gen.styles_of(model) if s != p.style]
    away = (others, CONTRAST * p.freedom) if others else None
    sampler = gen.start_sampler(net, [], p.style, encoded.mode, melody.meter, seed, away)
    low, high = gen.STYLE_RANGES[p.style]
    pitches = [n[2] for n in guide.notes if n[2] is not None]
    tokens = rewrite(
        sampler,
        guide,
        melody.meter,
        encoded.mode,
        p.temperature,
        p.top_p,
        (min(low, *pitches), max(high, *pitches)),
        progress=progress,
    )
    title = f"{melody.title or 'Melody'}, {p.style.replace('-', ' ')} style"
    piece = tok.decode(tokens, melody.key, melody.tempo, title)
    program = INSTRUMENTS[gen.DEFAULT_INSTRUMENTS[p.style]]
    return replace(piece, parts=(replace(piece.parts[0], program=program),))
