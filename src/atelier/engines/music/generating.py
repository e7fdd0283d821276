"""What the four generating engines (compose, continue, harmonize, restyle) share: which
model they run and its lineage, melodies in and out of the model's reference key, and a
melody set in four parts.

Lineage: `music-melody-full` learnt from every collection, Essen's non-commercial folk
songs and Palestrina's reserved encodings among them, so its works are not for sale;
`music-melody-clean` learnt only from collections whose terms allow commercial use.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, Field, ValidationInfo

from atelier.engines.base import (
    ADVANCED,
    Context,
    Creation,
    EngineError,
    Measure,
    ModelCard,
    Rates,
)
from atelier.engines.checks import Candidate, best_index, drafts_meta, draw
from atelier.engines.custom import ModelRef, custom_model, is_id
from atelier.engines.music import checks, harmony, render
from atelier.engines.music import tokens as tok
from atelier.engines.music.melody import Sampler, header
from atelier.engines.music.model import (
    HarmonyNet,
    MelodyNet,
    card,
    load,
    load_bundle,
    trained,
)
from atelier.engines.music.piece import Note, Part, Piece, bar_length, music21_key
from atelier.engines.music.render import SOUNDFONT_CARD

ModelChoice = Literal["full", "clean"]
MELODY_MODELS: dict[ModelChoice, str] = {"full": "music-melody-full", "clean": "music-melody-clean"}
# The melody model a job runs: one of ours, or a client's own (the local file the studio
# staged for the id its `model` parameter names). A client's model writes in the one
# style slot it learnt in.
Melody = ModelChoice | Path
HARMONY_MODEL = "music-harmony-bach"
# Pitches (reference key) each style's melodies keep to: where the corpus' tunes lie.
STYLE_RANGES = {
    "german-folk": (57, 81),
    "irish": (57, 84),
    "scottish": (57, 84),
    "chorale": (59, 81),
    "renaissance": (55, 81),
}
DEFAULT_INSTRUMENTS = {
    "german-folk": "accordion",
    "irish": "fiddle",
    "scottish": "fiddle",
    "chorale": "choir-aahs",
    "renaissance": "recorder",
}
CHORALE_PROGRAMS = (52, 52, 52, 52)  # choir aahs for each voice
SCORE_CREDITS = 0.5  # credits a second of the engines' estimated work
# What a music job costs follows the length of the audio it renders far more than its notes:
# FluidSynth and the loudness passes (loudness.py) work on every sample, and at this size they
# are most of a job. The rates of the music engines are fitted (least squares on each job's
# ratio, none negative) on benchmarks/estimates.py --only music --set tuning, report, report2,
# report3 and report4 (2026-12-06 09:00-09:20 UTC, this day's 2-vCPU Intel Xeon VM, quiet, one
# torch thread; a redraw is not charged, so not counted), whose tunes go from two notes a bar to
# running eighths and from 9.6 s to 67 s; priced by notes, as before, the running eighths of
# report4 settled at a third to a half of their estimates.
# A harmonization's CPU seconds a second of audio and a note of melody: melodies of 9.6 to
# 57.6 s took 0.75 to 4.96 s, within 0.85-1.12 of these; a harmonized composition of 16 bars
# 3.05 s and one of 24 bars at 120 3.99 (these rates: 3.13 and 3.99).
HARMONIZE_RATES = Rates(start=0.0, per_audio_second=0.0703, per_note=0.0024)


def notes_of(music: Measure) -> float:
    """An upload's melody's notes, what the music engines' work follows beside its audio
    (each is a step of the melody network or a chord to set); a note a quarter for one
    recorded before its notes were counted, four a bar before its length was."""
    return music.notes or music.quarters or 4.0 * music.bars


def seconds_of(bars: int, meter: str, tempo: int) -> float:
    """How long `bars` bars of `meter` play at `tempo` quarter notes a minute."""
    return float(bars * bar_length(meter) * 60 / tempo)


def model_problem(*names: str) -> str | None:
    """Why the named models cannot be loaded, or None."""
    for name in names:
        if not trained(name):
            return f"the model {name} is not trained yet: run `atelier train music`"
    return None


def chosen(value: str, ctx: Context) -> Melody:
    """The melody model a `model` parameter names: ours by choice, a client's by id."""
    if is_id(value):
        return ctx.file(value)
    return value  # type: ignore[return-value]  # the schema let only our choices through


def ours(value: str) -> ModelChoice:
    """One of our melody models by its choice; a client's (an id) needs its staged file."""
    if value not in MELODY_MODELS:
        raise ValueError(f"model {value} is a client's: pass its file (`chosen`)")
    return value  # type: ignore[return-value]


def styles_of(choice: Melody) -> list[str]:
    if isinstance(choice, Path):
        return [str(load_bundle(choice)[1]["style"])]
    return list(card(MELODY_MODELS[choice])["styles"])


def model_name(choice: Melody) -> str:
    if isinstance(choice, Path):
        return str(load_bundle(choice)[1]["name"])
    return MELODY_MODELS[choice]


def own_style(choice: Melody, style: str) -> str:
    """The style a melody is written in: the one asked for, or a client's model's own."""
    return styles_of(choice)[0] if isinstance(choice, Path) else style


def check_style(style: str, choice: ModelChoice) -> None:
    """The clean model knows only the styles whose collections allow commercial use."""
    known = styles_of(choice)
    if style not in known:
        advice = "; use model 'full' for it" if choice == "clean" else ""
        raise ValueError(f"the {choice} model knows only {', '.join(known)}, not {style}{advice}")


def model_knows_style(value: ModelChoice | str, info: ValidationInfo) -> ModelChoice | str:
    """A melody model chosen beside a style must know it (checked once its card is there;
    a missing model is the engine's `available()` to report). A client's model (an id)
    writes in its own style."""
    style = info.data.get("style")
    if is_id(value):
        return value
    assert value in MELODY_MODELS
    if style is not None and model_problem(MELODY_MODELS[value]) is None:
        check_style(style, value)
    return value


# The sampling and model parameters compose, continue and restyle share. `style` must be
# declared before `model`: the model's check reads the style already validated.
Temperature = Annotated[
    float,
    Field(ge=0.1, le=2.0, description="Lower: safer, plainer.", json_schema_extra=ADVANCED),
]
TopP = Annotated[
    float, Field(ge=0.1, le=1.0, description="Nucleus sampling mass.", json_schema_extra=ADVANCED)
]
MelodyModel = Annotated[
    ModelChoice | ModelRef,
    AfterValidator(model_knows_style),
    Field(
        description="full: every collection (not for commercial use: Essen folk songs); "
        "clean: only collections whose terms allow commercial use; or the id of your own "
        "melody model (it writes in the style it learnt).",
        json_schema_extra=custom_model("melody"),
    ),
]


def melody_net(choice: Melody) -> MelodyNet:
    if isinstance(choice, Path):
        return load_bundle(choice)[0]
    net = load(MELODY_MODELS[choice])
    assert isinstance(net, MelodyNet)
    return net


def harmony_net() -> HarmonyNet:
    net = load(HARMONY_MODEL)
    assert isinstance(net, HarmonyNet)
    return net


def model_card(name: str) -> ModelCard:
    info = card(name)
    return ModelCard(
        name=name,
        version=f"{info['steps']} steps, seed {info['seed']}",
        licence="Apache-2.0 (Atelier's own weights; the data's terms follow)",
        source="trained by Atelier on the music21 corpus (src/atelier/engines/music/weights)",
        commercial_use=bool(info["commercial_use"]),
    )


def data_cards(name: str) -> list[ModelCard]:
    import music21

    return [
        ModelCard(
            name=f"music21 corpus: {collection}",
            version=f"music21 {music21.__version__}",
            licence=terms["terms"],
            source=f"music21 corpus ({terms['style']})",
            commercial_use=bool(terms["commercial_use"]),
            kind="data",
        )
        for collection, terms in card(name)["collections"].items()
    ]


def lineage(melody: Melody | None, harmonized: bool) -> tuple[ModelCard, ...]:
    """The models and data a creation drew on (a client's model's cards, with its data and
    its base, are the studio's to add: it keeps the model's record)."""
    ours = [MELODY_MODELS[melody]] if isinstance(melody, str) else []
    names = ours + ([HARMONY_MODEL] if harmonized else [])
    cards: list[ModelCard] = []
    for name in names:
        cards += [model_card(name), *data_cards(name)]
    unique = {c.name: c for c in cards}
    return (*unique.values(), SOUNDFONT_CARD)


def declared_models(melodies: tuple[ModelChoice, ...], harmonized: bool) -> tuple[ModelCard, ...]:
    """Every card an engine may name (its class-level declaration), once trained."""
    try:
        cards = [c for choice in melodies for c in lineage(choice, False)]
        cards += lineage(None, True) if harmonized else []
    except FileNotFoundError:
        return (SOUNDFONT_CARD,)
    return tuple({c.name: c for c in cards}.values())


# ---------------------------------------------------------------- melodies and tokens

NOTE_TEXT = re.compile(r"^(?:([A-Ga-g])([#b]?)(-?\d)|[rR])(?::(\d+(?:\.\d+)?|\d+/\d+))?$")
MAX_PRIMER_NOTES = 32


def parse_primer(text: str) -> list[tuple[int | None, Fraction]]:
    """ "D4 E4:0.5 F#4:1/2 r G4:2" → (MIDI pitch or None, quarters); a quarter each
    unless a length follows the colon."""
    names = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
    notes: list[tuple[int | None, Fraction]] = []
    for word in text.split():
        found = NOTE_TEXT.match(word)
        if not found:
            raise ValueError(
                f"{word!r} is not a note: write a name, accidental and octave like D4, "
                "F#4 or Bb3, or r for a rest, with an optional length in quarters (E4:0.5)"
            )
        letter, accidental, octave, length = found.groups()
        duration = Fraction(length) if length else Fraction(1)
        if not 0 < duration <= 4 or (duration * tok.TICKS).denominator != 1:
            raise ValueError(f"{word!r}: a length must be a multiple of 1/24 up to 4 quarters")
        pitch = None
        if letter:
            pitch = 12 * (int(octave) + 1) + names[letter.lower()]
            pitch += {"#": 1, "b": -1, "": 0}[accidental]
            if not 21 <= pitch <= 108:
                raise ValueError(f"{word!r} is outside the piano's range")
        notes.append((pitch, duration))
    if len(notes) > MAX_PRIMER_NOTES:
        raise ValueError(f"at most {MAX_PRIMER_NOTES} primer notes")
    if notes and all(pitch is None for pitch, _ in notes):
        raise ValueError("the primer has only rests: give it at least one note")
    return notes


def primer_piece(primer: list[tuple[int | None, Fraction]], key: str, meter: str) -> Piece:
    notes, start = [], Fraction(0)
    for pitch, duration in primer:
        notes.append(Note(pitch, start, duration))
        start += duration
    return Piece((Part("melody", tuple(notes)),), key, meter)


def quantized(piece: Piece) -> Piece:
    """The melody with starts and ends on the tokenizer's grid (24ths of a quarter)."""
    notes: list[Note] = []
    for n in piece.parts[0].notes:
        start = Fraction(round(n.start * tok.TICKS), tok.TICKS)
        end = Fraction(round((n.start + n.duration) * tok.TICKS), tok.TICKS)
        if notes and start < notes[-1].start + notes[-1].duration:
            start = notes[-1].start + notes[-1].duration
        if end > start:
            notes.append(Note(n.pitch, start, end - start, n.tie))
    pickup = Fraction(round(piece.pickup * tok.TICKS), tok.TICKS)
    return replace(piece, parts=(replace(piece.parts[0], notes=tuple(notes)),), pickup=pickup)


def melody_tokens(piece: Piece, style: str) -> tok.Encoded:
    """An uploaded melody as tokens; what the tokenizer cannot take is the user's to fix."""
    try:
        return tok.encode(quantized(piece), style)
    except tok.TokenError as exc:
        raise EngineError(f"the melody cannot be read by the model: {exc}") from None


def reference_mode(key: str) -> str:
    """The model's mode for a key (modes beyond major and minor by their third)."""
    mode = tok.split_key(key)[1]
    return "minor" if mode in ("minor", "dorian", "phrygian", "aeolian", "locrian") else "major"


def start_sampler(
    net: MelodyNet,
    body: list[int],
    style: str,
    mode: str,
    meter: str,
    seed: int,
    away: tuple[list[str], float] | None = None,
) -> Sampler:
    """A sampler in `style` after `body`; `away`: styles to lean away from, and how much."""
    leaning = None
    if away is not None:
        rng = np.random.default_rng(seed)
        others = [Sampler(net, header(s, mode, meter) + body, rng) for s in away[0]]
        leaning = (others, away[1])
    return Sampler(net, header(style, mode, meter) + body, np.random.default_rng(seed), leaning)


def style_log_likelihoods(
    net: MelodyNet, encoded: tok.Encoded, styles: list[str]
) -> dict[str, float]:
    """The melody's log-likelihood (nats: its mode, meter and notes) under each style."""
    body = encoded.tokens[tok.HEADER :]
    meter = tok.header(encoded.tokens).meter
    return {
        style: start_sampler(net, body, style, encoded.mode, meter, 0).log_likelihood()
        for style in styles
    }


def style_probabilities(choice: Melody, encoded: tok.Encoded) -> dict[str, float]:
    """The style check: P(style | melody) by Bayes' rule over the model's styles, each as
    likely beforehand, from the network's likelihood of the melody's mode, meter and
    notes under each style (its training data: Palestrina's lines are all in 2/2 or 3/2,
    so a nursery tune in 4/4 is not taken for one)."""
    scores = style_log_likelihoods(melody_net(choice), encoded, styles_of(choice))
    top = max(scores.values())
    weights = {s: math.exp(v - top) for s, v in scores.items()}
    total = sum(weights.values())
    return {s: w / total for s, w in weights.items()}


def best_style(choice: Melody, encoded: tok.Encoded) -> str:
    """The style the style check finds most probable for the melody."""
    probabilities = style_probabilities(choice, encoded)
    return max(probabilities, key=lambda s: probabilities[s])


# ---------------------------------------------------------------- four parts


def harmony_reference(key: str) -> tuple[str, int, frozenset[int]]:
    """How the harmony model, which knows only major and minor, sees a key: its mode (a
    modal key by its third), the shift that takes the key's tonic to C (major) or A
    (minor) so that the model's tonic is the tune's (D dorian is read as A minor with an
    F♯, not as D in A minor), and the key's own scale in that frame (for the clash rule)."""
    tonic = tok.split_key(key)[0]
    mode = reference_mode(key)
    shift = ((9 if mode == "minor" else 0) - tonic + 6) % 12 - 6
    scale = frozenset((pc + shift - tok.key_shift(key)) % 12 for pc in harmony.WHITE_KEYS)
    return mode, shift, scale


SHARP_TONICS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_TONICS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def cadence_key(key: str, last: int) -> str:
    """The key a melody closes in: its written key, unless its last note is outside that
    key's tonic triad; then the mode of the same key signature whose tonic is that note
    (a tune with one sharp that ends on A is in A dorian), as folk tunes and modal lines
    end on their tonic. A chromatic last note leaves the key as written."""
    tonic, mode = tok.split_key(key)
    third = 3 if reference_mode(key) == "minor" else 4
    if (last - tonic) % 12 in (0, third, 7):
        return key
    degree = (last + tok.key_shift(key)) % 12  # the last note in the signature's C-frame
    modes = {t: m for m, t in tok.MODE_TONIC.items() if m != "aeolian"}
    if degree not in modes:
        return key
    names = SHARP_TONICS if music21_key(key).sharps >= 0 else FLAT_TONICS
    return f"{names[last % 12]} {modes[degree]}"


def chorale(melody: Piece, rng: np.random.Generator, candidates: int = 3) -> Piece:
    """The melody as the soprano of a four-part chorale harmonization (HarmonyNet), in
    the key it closes in (`cadence_key`); the melody moves by octaves into the soprano's
    range when it lies outside it."""
    notes = melody.parts[0].notes
    pitches = [n.pitch for n in notes if n.pitch is not None]
    if not pitches:
        raise EngineError("the melody has no notes to harmonize")
    low, high = harmony.RANGES["soprano"]
    octaves = 0
    while np.median(pitches) + 12 * octaves < low + 2:
        octaves += 1
    while np.median(pitches) + 12 * octaves > high - 4:
        octaves -= 1
    soprano_notes = tuple(
        Note(None if n.pitch is None else n.pitch + 12 * octaves, n.start, n.duration, n.tie)
        for n in notes
    )
    key = cadence_key(melody.key, pitches[-1])
    mode, shift, scale = harmony_reference(key)
    grid = harmony.voice_grid(soprano_notes, melody.quarter_length())
    reference = np.where(grid > 0, grid + shift, 0)
    bar = bar_length(melody.meter)
    bar_eighths = int(bar / harmony.STEP)
    start = int(((bar - melody.pickup) % bar) / harmony.STEP)
    voices = harmony.harmonize(
        harmony_net(),
        reference,
        start,
        bar_eighths,
        mode,
        shift,
        rng,
        candidates=candidates,
        scale=scale,
    )
    sounding = np.where(voices > 0, voices - shift, 0)
    lower = harmony.voice_parts(sounding, CHORALE_PROGRAMS)[1:]
    soprano = Part("soprano", soprano_notes, CHORALE_PROGRAMS[0])
    return replace(melody, parts=(soprano, *lower), key=key)


def harmonized(melody: Piece, rng: np.random.Generator, candidates: int) -> list[Candidate[Piece]]:
    """`candidates` four-part settings of the melody drawn in turn from `rng`, each with
    its checks (music/checks.py), and more while none meets them (engines/checks.py)."""
    return draw(lambda i: checks.chorale(chorale(melody, rng, candidates=1)), candidates)


def creation(
    drafts: list[Candidate[Piece]],
    base_name: str,
    meta: dict[str, Any],
    models: tuple[ModelCard, ...],
) -> Creation:
    """The best draft rendered (audio, MIDI, MusicXML, score), with every draft's checks
    and the audio's loudness in its meta, and what it fails, if anything, as `unmet`."""
    best = best_index(drafts)
    piece = drafts[best].value
    files = render.deliver(piece, base_name)
    sound, loudness_unmet = checks.audio(files)
    meta = {**notes_meta(piece), **meta, **drafts_meta(drafts, best), "audio": sound}
    unmet = [*drafts[best].unmet, *loudness_unmet]
    return Creation(files, piece.title, meta, models=models, unmet=unmet)


def notes_meta(piece: Piece) -> dict[str, Any]:
    """What a music work notes about itself: its key, meter, length and notes per part."""
    return {
        "key": piece.key,
        "meter": piece.meter,
        "tempo": piece.tempo,
        "bars": piece.bars(),
        "pickup": str(piece.pickup),
        "parts": {p.name: sum(n.pitch is not None for n in p.notes) for p in piece.parts},
    }
