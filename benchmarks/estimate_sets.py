"""The typical jobs of benchmarks/estimates.py, set by set (`SETS`): each case a job as a
user makes it, with the files it uploads made here (a photograph, a recorded tune, a
melody as MIDI). Which set was frozen when, and what it was the blind test of, is said
in each set's docstring and in estimates.py's."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from PIL import Image

from atelier.engines.music import render
from atelier.engines.music.piece import Note, Part, Piece


def photo(width: int, height: int) -> bytes:
    """A smooth colourful picture with some texture (as tests/support/media.py's image_bytes)."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(0)
    channels = [127 + 100 * np.sin(x / 9 + y / 13 + p) for p in rng.uniform(0, 6.28, 3)]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 12, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def midi_of(notes: Iterable[Note], key: str, meter: str, tempo: int) -> bytes:
    """A one-part melody as the MIDI file a user would upload."""
    piece = Piece(parts=(Part("melody", tuple(notes)),), key=key, meter=meter, tempo=tempo)
    return render.to_midi(piece)


def melody(bars: int) -> bytes:
    """A 4/4 melody of `bars` bars of quarter notes in C major, as MIDI."""
    pitches = (60, 62, 64, 65, 67, 69, 67, 65, 64, 62, 64, 60)
    notes = tuple(Note(pitches[i % 12], Fraction(i), Fraction(1)) for i in range(4 * bars))
    return midi_of(notes, "C major", "4/4", 100)


@dataclass(frozen=True)
class Case:
    engine: str
    label: str
    params: dict[str, Any]
    inputs: dict[str, Callable[[], bytes]]  # parameter → the file's bytes
    quick: bool = False  # one of the cheapest: run by --quick (and the test suite)
    spread: bool = False  # of the `spread` set: cheap jobs of each kind (a tuning case)


def picture(width: int, height: int) -> dict[str, Callable[[], bytes]]:
    return {"image": lambda: photo(width, height)}


def tune(bars: int) -> dict[str, Callable[[], bytes]]:
    return {"melody": lambda: melody(bars)}


def waltz(bars: int) -> bytes:
    """A 3/4 melody of `bars` bars in G major, a half and a quarter or three quarters a
    bar, as MIDI: the tuning set's tune in another meter."""
    bars_of = (((67, 2), (71, 1)), ((74, 1), (72, 1), (71, 1)), ((69, 2), (66, 1)), ((67, 3),))
    notes, start = [], Fraction(0)
    for i in range(bars):
        for pitch, beats in bars_of[i % len(bars_of)]:
            notes.append(Note(pitch, start, Fraction(beats)))
            start += beats
    return midi_of(notes, "G major", "3/4", 120)


def waltz_tune(bars: int) -> dict[str, Callable[[], bytes]]:
    return {"melody": lambda: waltz(bars)}


def hummed(seconds: float) -> dict[str, Callable[[], bytes]]:
    """A recording: a sung-like tune of half-second notes, as a 16 kHz WAV."""

    def wav() -> bytes:
        rate = 16_000
        t = np.arange(int(seconds * rate)) / rate
        pitches = 220.0 * 2 ** (np.array([0, 2, 4, 5, 7, 5, 4, 2]) / 12)
        f = pitches[(t * 2).astype(int) % len(pitches)]
        samples = (0.4 * np.sin(2 * np.pi * np.cumsum(f) / rate) * 32767).astype(np.int16)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples.tobytes())
        return buffer.getvalue()

    return {"audio": wav}


SHORT = (
    "The old harbour wakes before the town. Fishing boats come in with the tide, gulls "
    "circle the masts, and the market stalls open one by one along the quay. By noon the "
    "catch is sold, the nets are drying, and the boats rest until the evening tide."
)
LONG = "\n\n".join(
    [
        SHORT,
        "Up the hill the bakery has been open since five. Its ovens warm the whole street, "
        "and the first customers are the fishermen coming off the boats, who buy bread and "
        "sweet rolls and stand outside eating them in the cold. The baker knows every one "
        "of them by name and what they will ask for before they ask.",
        "In summer the town fills with visitors. They walk the harbour wall, photograph the "
        "lighthouse, and eat fried fish on the benches by the slipway. The shops that sell "
        "postcards and painted shells open their shutters, and the ferry to the islands "
        "runs four times a day instead of once.",
        "When autumn comes the visitors leave, the ferry goes back to its winter timetable, "
        "and the town belongs to its people again. Storms close the harbour for days at a "
        "time; the boats stay tied up, and the fishermen mend their nets in the sheds and "
        "talk about the weather, which is what the town has always talked about.",
    ]
)


def cases() -> list[Case]:
    compose = {"prompt": "a red apple on a table", "width": 768, "height": 512}
    return [
        Case("image.compose", "768×512, 4 variants", compose, {}),
        Case("image.compose", "512×512, 1 variant", {**compose, "width": 512, "variants": 1}, {}),
        Case("image.stylize", "320×240 photo", {"style": 3}, picture(320, 240), quick=True),
        Case("image.stylize", "800×600 photo", {"style": 3, "max_size": 800}, picture(800, 600)),
        Case("image.upscale", "photo ×2, 256²", {"scale": 2}, picture(256, 256)),
        Case("image.upscale", "photo ×4, 256²", {"scale": 4}, picture(256, 256)),
        Case("image.upscale", "photo ×2, 512²", {"scale": 2}, picture(512, 512)),
        Case("image.upscale", "photo ×4, 512²", {"scale": 4}, picture(512, 512)),
        Case("image.upscale", "fast ×2, 512²", {"scale": 2, "model": "fast"}, picture(512, 512)),
        Case("image.restore", "400×300 photo", {}, picture(400, 300)),
        Case("image.restore", "800×600 photo", {}, picture(800, 600)),
        Case("image.portrait", "1 face, 256 px", {"size": 256, "variants": 1}, {}),
        Case("image.portrait", "4 variants, 512 px", {"size": 512}, {}),
        Case("music.compose", "8 bars", {"bars": 8}, {}, quick=True),
        Case("music.compose", "16 bars", {"bars": 16}, {}),
        Case("music.compose", "32 bars", {"bars": 32}, {}),
        Case("music.harmonize", "4-bar melody", {"candidates": 2}, tune(4)),
        Case("music.harmonize", "16-bar melody", {"candidates": 2}, tune(16)),
        Case("music.transcribe", "10 s recording", {}, hummed(10)),
        Case("music.transcribe", "40 s recording", {}, hummed(40)),
        Case("music.continue", "4 more bars of 4", {"bars": 4}, tune(4)),
        Case("music.continue", "16 more bars of 8", {"bars": 16}, tune(8)),
        Case("music.restyle", "8-bar melody", {"style": "irish"}, tune(8)),
        Case("music.restyle", "24-bar melody", {"style": "irish"}, tune(24)),
        Case("text.write", "slogan", {"form": "slogan", "topic": "a harbour cafe"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "autumn rain"}, {}),
        Case(
            "text.write",
            "long story",
            {"form": "story", "topic": "a lighthouse keeper", "length": "long"},
            {},
        ),
        Case("text.restyle", "formal, 1 paragraph", {"text": SHORT, "style": "formal"}, {}),
        Case("text.restyle", "formal, 4 paragraphs", {"text": LONG, "style": "formal"}, {}),
        Case(
            "text.summarize", "one line of 1 paragraph", {"text": SHORT, "length": "one_line"}, {}
        ),
        Case(
            "text.summarize", "abstract of 4 paragraphs", {"text": LONG, "length": "abstract"}, {}
        ),
    ]


def tuning_cases() -> list[Case]:
    """Other sizes of the report set's jobs: the rates were fitted on these."""
    compose = {"prompt": "a lighthouse on a cliff", "width": 768, "height": 576}
    two = "\n\n".join(LONG.split("\n\n")[:2])
    bakery = LONG.split("\n\n")[1]
    return [
        Case("image.compose", "768×576, 2 variants", {**compose, "variants": 2}, {}),
        Case(
            "image.compose",
            "512², 4 variants",
            {**compose, "width": 512, "height": 512},
            {},
            spread=True,
        ),
        Case(
            "image.compose",
            "768², 1 variant",
            {**compose, "width": 768, "height": 768, "variants": 1},
            {},
        ),
        Case("image.stylize", "480×360 photo", {"style": 7}, picture(480, 360), spread=True),
        Case("image.stylize", "1024×768 photo", {"style": 7, "max_size": 1024}, picture(1024, 768)),
        Case("image.upscale", "photo ×2, 128²", {"scale": 2}, picture(128, 128)),
        Case("image.upscale", "photo ×3, 192²", {"scale": 3}, picture(192, 192)),
        Case(
            "image.upscale",
            "fast ×2, 128²",
            {"scale": 2, "model": "fast"},
            picture(128, 128),
            spread=True,
        ),
        Case("image.upscale", "fast ×4, 384²", {"scale": 4, "model": "fast"}, picture(384, 384)),
        Case("image.restore", "320×240 photo", {}, picture(320, 240), spread=True),
        Case("image.restore", "640×480 photo", {}, picture(640, 480)),
        Case("image.portrait", "2 variants, 256 px", {"size": 256, "variants": 2}, {}, spread=True),
        Case("image.portrait", "2 variants, 512 px", {"size": 512, "variants": 2}, {}),
        Case("image.portrait", "4 variants, 256 px", {"size": 256, "variants": 4}, {}),
        Case("music.compose", "4 bars", {"bars": 4}, {}, spread=True),
        Case("music.compose", "24 bars", {"bars": 24}, {}),
        Case("music.harmonize", "8-bar melody", {"candidates": 2}, tune(8), spread=True),
        Case("music.harmonize", "12-bar melody", {"candidates": 3}, tune(12)),
        Case("music.harmonize", "6-bar melody, 4 candidates", {"candidates": 4}, tune(6)),
        Case("music.transcribe", "5 s recording", {}, hummed(5), spread=True),
        Case("music.transcribe", "20 s recording", {}, hummed(20)),
        Case("music.continue", "8 more bars of 4", {"bars": 8}, tune(4), spread=True),
        Case("music.continue", "8 more bars of 16", {"bars": 8}, tune(16)),
        Case("music.continue", "24 more bars of 4", {"bars": 24}, tune(4)),
        Case("music.restyle", "4-bar melody", {"style": "chorale"}, tune(4), spread=True),
        Case("music.restyle", "16-bar melody", {"style": "chorale"}, tune(16)),
        Case("music.restyle", "12-bar melody, Irish", {"style": "irish"}, tune(12)),
        Case("music.compose", "16 bars of 3/4", {"bars": 16, "meter": "3/4"}, {}),
        Case("music.harmonize", "12-bar waltz", {"candidates": 2}, waltz_tune(12)),
        Case("music.continue", "8 more bars of an 8-bar waltz", {"bars": 8}, waltz_tune(8)),
        Case(
            "music.restyle", "16-bar waltz, German folk", {"style": "german-folk"}, waltz_tune(16)
        ),
        Case(
            "text.write", "tagline", {"form": "slogan", "topic": "a bicycle shop"}, {}, spread=True
        ),
        Case("text.write", "limerick", {"form": "limerick", "topic": "a lazy cat"}, {}),
        Case("text.write", "limerick 2", {"form": "limerick", "topic": "a clumsy robot"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "morning fog"}, {}),
        Case("text.write", "sonnet", {"form": "sonnet", "topic": "the sea at night"}, {}),
        Case("text.write", "short story", {"form": "story", "topic": "a lost key"}, {}),
        Case("text.restyle", "casual, 1 paragraph", {"text": bakery, "style": "casual"}, {}),
        Case("text.restyle", "casual, 2 paragraphs", {"text": two, "style": "casual"}, {}),
        Case(
            "text.summarize",
            "bullets of 2 paragraphs",
            {"text": two, "length": "bullets"},
            {},
            spread=True,
        ),
        Case(
            "text.summarize", "one line of 4 paragraphs", {"text": LONG, "length": "one_line"}, {}
        ),
    ]


GARDEN = "\n\n".join(
    [
        "The allotments lie behind the railway, forty plots in four long rows. Most "
        "belong to people who have kept them for decades; the waiting list is seven years.",
        "In spring the first job is the soil. Paths are weeded, beds are dug over and fed "
        "with the compost that has rotted all winter in the bins by the gate, and the "
        "potatoes go in on Good Friday, as they always have.",
        "By midsummer there is more than anyone can eat. Courgettes swell overnight, the "
        "beans climb past the tops of their canes, and bags of spare lettuce hang on the "
        "gate for whoever walks past. Nobody counts what is taken.",
    ]
)


def report2_cases() -> list[Case]:
    """A second set of typical jobs, written and committed on 2026-12-05 before the rates
    were fitted again that day: never fitted on, read only after the fit."""
    compose = {"prompt": "two sailboats on a calm sea", "width": 1024, "height": 768}
    two = "\n\n".join(GARDEN.split("\n\n")[:2])
    return [
        Case("image.compose", "1024×768, 4 variants", compose, {}),
        Case(
            "image.compose",
            "512×768, 1 variant",
            {**compose, "width": 512, "height": 768, "variants": 1},
            {},
        ),
        Case("image.stylize", "640×480 photo", {"style": 12}, picture(640, 480)),
        Case(
            "image.stylize", "1280×960 photo", {"style": 12, "max_size": 1280}, picture(1280, 960)
        ),
        Case("image.upscale", "photo ×2, 320×240", {"scale": 2}, picture(320, 240)),
        Case("image.upscale", "photo ×3, 300²", {"scale": 3}, picture(300, 300)),
        Case("image.upscale", "photo ×4, 160²", {"scale": 4}, picture(160, 160)),
        Case("image.upscale", "fast ×4, 256²", {"scale": 4, "model": "fast"}, picture(256, 256)),
        Case("image.upscale", "fast ×3, 640×480", {"scale": 3, "model": "fast"}, picture(640, 480)),
        Case("image.restore", "512² photo", {}, picture(512, 512)),
        Case("image.restore", "1024×768 photo", {}, picture(1024, 768)),
        Case("image.portrait", "3 variants, 512 px", {"size": 512, "variants": 3}, {}),
        Case("image.portrait", "1 variant, 512 px", {"size": 512, "variants": 1}, {}),
        Case("music.compose", "12 bars", {"bars": 12}, {}),
        Case("music.compose", "20 bars", {"bars": 20}, {}),
        Case("music.harmonize", "8-bar melody, 3 candidates", {"candidates": 3}, tune(8)),
        Case("music.harmonize", "24-bar melody", {"candidates": 2}, tune(24)),
        Case("music.transcribe", "15 s recording", {}, hummed(15)),
        Case("music.transcribe", "30 s recording", {}, hummed(30)),
        Case("music.continue", "8 more bars of 8", {"bars": 8}, tune(8)),
        Case("music.continue", "12 more bars of 4", {"bars": 12}, tune(4)),
        Case("music.restyle", "12-bar melody, chorale", {"style": "chorale"}, tune(12)),
        Case("music.restyle", "20-bar melody, Irish", {"style": "irish"}, tune(20)),
        Case("text.write", "slogan", {"form": "slogan", "topic": "a village bakery"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "the first snow"}, {}),
        Case(
            "text.write",
            "medium story",
            {"form": "story", "topic": "a runaway kite", "length": "medium"},
            {},
        ),
        Case(
            "text.write",
            "product description",
            {"form": "product_description", "topic": "a hand-thrown teapot"},
            {},
        ),
        Case(
            "text.restyle",
            "casual, 1 paragraph",
            {"text": GARDEN.split("\n\n")[1], "style": "casual"},
            {},
        ),
        Case("text.restyle", "formal, 3 paragraphs", {"text": GARDEN, "style": "formal"}, {}),
        Case("text.summarize", "one line of 2 paragraphs", {"text": two, "length": "one_line"}, {}),
        Case(
            "text.summarize", "bullets of 3 paragraphs", {"text": GARDEN, "length": "bullets"}, {}
        ),
    ]


def minor_melody(bars: int) -> bytes:
    """A 3/4 melody of `bars` bars in D minor, with eighths, quarters and half notes and
    the raised seventh, as MIDI: another kind of tune than `melody`'s for the third set."""
    pattern = (  # (pitch, beats), three beats a bar, two bars a turn
        (62, 1.0),
        (65, 0.5),
        (64, 0.5),
        (62, 1.0),
        (61, 1.0),
        (69, 2.0),
        (70, 0.5),
        (69, 0.5),
        (67, 1.0),
        (65, 1.0),
        (64, 1.0),
        (62, 2.0),
    )
    return midi_of(patterned(pattern, 3 * bars), "D minor", "3/4", 90)


def minor_tune(bars: int) -> dict[str, Callable[[], bytes]]:
    return {"melody": lambda: minor_melody(bars)}


RIVER = "\n\n".join(
    [
        "The river market opens at first light, when the barges tie up below the old "
        "bridge and their crews hand down crates of apples, cheeses and cut flowers to the "
        "traders waiting on the steps.",
        "By mid-morning the whole bank is crowded. Cooks from the restaurants across the "
        "water come early for the best fish, students come late for whatever is cheap, and "
        "a man with an accordion plays the same three songs from one end of the morning to "
        "the other. Prices are shouted, never written, and change by the hour.",
        "At two the bell on the bridge rings and the market packs itself away. What has "
        "not been sold goes back onto the barges or to the soup kitchen on Mill Street, "
        "the steps are hosed down, and by three there is nothing to show that anything "
        "happened there at all.",
    ]
)


def report3_cases() -> list[Case]:
    """A third set of typical jobs, written and committed on 2026-12-06 before the rates
    and the rounding were changed that day: never fitted on, read only after the change.
    Its melodies are another kind of tune (minor, 3/4, mixed note lengths)."""
    compose = {"prompt": "a fox in a snowy forest", "width": 1024, "height": 1024}
    market = RIVER.split("\n\n")[1]
    return [
        Case("image.compose", "1024², 4 variants", compose, {}),
        Case(
            "image.compose",
            "768×512, 2 variants",
            {**compose, "width": 768, "height": 512, "variants": 2},
            {},
        ),
        Case("image.stylize", "960×720 photo", {"style": 5, "max_size": 960}, picture(960, 720)),
        Case("image.stylize", "400² photo", {"style": 20}, picture(400, 400)),
        Case("image.upscale", "photo ×2, 200×150", {"scale": 2}, picture(200, 150)),
        Case("image.upscale", "photo ×4, 128×96", {"scale": 4}, picture(128, 96)),
        Case("image.upscale", "photo ×3, 256×192", {"scale": 3}, picture(256, 192)),
        Case("image.upscale", "fast ×2, 800×600", {"scale": 2, "model": "fast"}, picture(800, 600)),
        Case("image.upscale", "fast ×4, 320×240", {"scale": 4, "model": "fast"}, picture(320, 240)),
        Case("image.restore", "700×500 photo", {}, picture(700, 500)),
        Case("image.restore", "1200×900 photo", {}, picture(1200, 900)),
        Case("image.portrait", "2 variants, 512 px", {"size": 512, "variants": 2}, {}),
        Case("image.portrait", "3 variants, 256 px", {"size": 256, "variants": 3}, {}),
        Case("music.compose", "6 bars", {"bars": 6}, {}),
        Case("music.compose", "28 bars", {"bars": 28}, {}),
        Case("music.harmonize", "10-bar minor melody", {"candidates": 2}, minor_tune(10)),
        Case(
            "music.harmonize",
            "16-bar minor melody, 4 candidates",
            {"candidates": 4},
            minor_tune(16),
        ),
        Case("music.transcribe", "8 s recording", {}, hummed(8)),
        Case("music.transcribe", "25 s recording", {}, hummed(25)),
        Case("music.continue", "16 more bars of 12", {"bars": 16}, minor_tune(12)),
        Case("music.continue", "6 more bars of 6", {"bars": 6}, minor_tune(6)),
        Case("music.restyle", "8-bar minor melody, Scottish", {"style": "scottish"}, minor_tune(8)),
        Case(
            "music.restyle",
            "16-bar minor melody, renaissance",
            {"style": "renaissance"},
            minor_tune(16),
        ),
        Case("text.write", "tagline", {"form": "slogan", "topic": "a river ferry"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "a quiet pond"}, {}),
        Case("text.write", "limerick", {"form": "limerick", "topic": "a tall giraffe"}, {}),
        Case("text.write", "short story", {"form": "story", "topic": "a night train"}, {}),
        Case("text.restyle", "formal, 1 paragraph", {"text": market, "style": "formal"}, {}),
        Case("text.restyle", "casual, 3 paragraphs", {"text": RIVER, "style": "casual"}, {}),
        Case("text.summarize", "bullets of 1 paragraph", {"text": market, "length": "bullets"}, {}),
        Case(
            "text.summarize", "abstract of 3 paragraphs", {"text": RIVER, "length": "abstract"}, {}
        ),
    ]


def reel(bars: int) -> bytes:
    """A 4/4 melody of `bars` bars of running eighths in A dorian, as MIDI: a fiddle tune,
    twice the notes a bar of the other sets' tunes, for the fourth set."""
    pitches = (69, 71, 72, 74, 76, 74, 72, 71, 69, 67, 69, 71, 72, 71, 69, 67)
    notes = tuple(
        Note(pitches[i % len(pitches)], Fraction(i, 2), Fraction(1, 2)) for i in range(8 * bars)
    )
    return midi_of(notes, "A minor", "4/4", 110)


def reel_tune(bars: int) -> dict[str, Callable[[], bytes]]:
    return {"melody": lambda: reel(bars)}


WORKSHOP = "\n\n".join(
    [
        "The print workshop sits above a bicycle repair shop, and on warm days the smell of "
        "oil and ink meets on the stairs. Six presses stand in two rows under the skylights, "
        "the oldest of them cast in 1892 and still the one everybody wants.",
        "Members book a press by the half day on a board by the door. Most come on weekends; "
        "a few, who teach or work shifts, come late at night and leave their drying racks "
        "full for the morning crowd to admire or complain about.",
        "Once a year the workshop opens its doors for a fair. Every member shows one print, "
        "the presses run demonstrations all afternoon, and the money from the tea stall pays "
        "for new rollers.",
    ]
)


def report4_cases() -> list[Case]:
    """A fourth set of typical jobs, written and committed on 2026-12-06 after report3 was
    read and before any later change: the blind test for the next one. Its melodies are
    running eighths (twice the notes a bar of the fitting tunes)."""
    compose = {"prompt": "a red bicycle leaning against a wall", "width": 1024, "height": 576}
    first = WORKSHOP.split("\n\n")[0]
    return [
        Case("image.compose", "1024×576, 4 variants", compose, {}),
        Case(
            "image.compose",
            "640², 1 variant",
            {**compose, "width": 640, "height": 640, "variants": 1},
            {},
        ),
        Case("image.stylize", "720×540 photo", {"style": 9}, picture(720, 540)),
        Case(
            "image.stylize", "1600×1200 photo", {"style": 9, "max_size": 1600}, picture(1600, 1200)
        ),
        Case("image.upscale", "photo ×2, 240×180", {"scale": 2}, picture(240, 180)),
        Case("image.upscale", "photo ×4, 200×200", {"scale": 4}, picture(200, 200)),
        Case(
            "image.upscale", "fast ×2, 1024×768", {"scale": 2, "model": "fast"}, picture(1024, 768)
        ),
        Case("image.upscale", "fast ×3, 400×300", {"scale": 3, "model": "fast"}, picture(400, 300)),
        Case("image.restore", "600×800 photo", {}, picture(600, 800)),
        Case("image.restore", "1600×1200 photo", {}, picture(1600, 1200)),
        Case("image.portrait", "4 variants, 256 px", {"size": 256, "variants": 4}, {}),
        Case("image.portrait", "2 variants, 256 px", {"size": 256, "variants": 2}, {}),
        Case("music.compose", "10 bars", {"bars": 10}, {}),
        Case("music.compose", "24 bars of 6/8", {"bars": 24, "meter": "6/8"}, {}),
        Case("music.harmonize", "8-bar reel", {"candidates": 2}, reel_tune(8)),
        Case("music.harmonize", "16-bar reel, 3 candidates", {"candidates": 3}, reel_tune(16)),
        Case("music.transcribe", "12 s recording", {}, hummed(12)),
        Case("music.transcribe", "60 s recording", {}, hummed(60)),
        Case("music.continue", "8 more bars of an 8-bar reel", {"bars": 8}, reel_tune(8)),
        Case("music.continue", "16 more bars of 4", {"bars": 16}, tune(4)),
        Case("music.restyle", "8-bar reel, chorale", {"style": "chorale"}, reel_tune(8)),
        Case("music.restyle", "12-bar melody, Scottish", {"style": "scottish"}, tune(12)),
        Case("text.write", "slogan", {"form": "slogan", "topic": "a print workshop"}, {}),
        Case("text.write", "limerick", {"form": "limerick", "topic": "a forgetful baker"}, {}),
        Case(
            "text.write",
            "artwork description",
            {"form": "artwork_description", "topic": "a linocut of a heron"},
            {},
        ),
        Case(
            "text.write",
            "long story",
            {"form": "story", "topic": "a stolen bell", "length": "long"},
            {},
        ),
        Case("text.restyle", "poetic, 1 paragraph", {"text": first, "style": "poetic"}, {}),
        Case("text.restyle", "formal, 3 paragraphs", {"text": WORKSHOP, "style": "formal"}, {}),
        Case(
            "text.summarize",
            "one line of 3 paragraphs",
            {"text": WORKSHOP, "length": "one_line"},
            {},
        ),
        Case("text.summarize", "bullets of 1 paragraph", {"text": first, "length": "bullets"}, {}),
        Case(
            "text.summarize",
            "abstract of 2 paragraphs",
            {"text": "\n\n".join(WORKSHOP.split("\n\n")[:2]), "length": "abstract"},
            {},
        ),
    ]


def air(bars: int) -> bytes:
    """A slow 6/8 air of `bars` bars in E minor at 60 quarters a minute, dotted quarters
    and eighths with a held note every other bar, as MIDI: few notes and long audio for
    the fifth set."""
    pattern = (  # (pitch, quarters), three quarters a bar (6/8), two bars a turn
        (64, 1.5),
        (67, 1.0),
        (66, 0.5),
        (64, 3.0),
        (71, 1.5),
        (69, 0.5),
        (67, 0.5),
        (66, 0.5),
        (62, 3.0),
    )
    return midi_of(patterned(pattern, 3 * bars), "E minor", "6/8", 60)


def hornpipe(bars: int) -> bytes:
    """A 2/4 hornpipe of `bars` bars in D major at 140 quarters a minute, dotted eighths
    and sixteenths, as MIDI: many notes in short audio for the fifth set."""
    pitches = (62, 66, 69, 66, 71, 69, 67, 66)
    pattern = tuple((pitch, 0.75 if i % 2 == 0 else 0.25) for i, pitch in enumerate(pitches))
    return midi_of(patterned(pattern, 2 * bars), "D major", "2/4", 140)


def patterned(pattern: tuple[tuple[int, float], ...], quarters: int) -> list[Note]:
    """The (pitch, quarters) pattern repeated for `quarters` quarter notes."""
    notes, start, i = [], Fraction(0), 0
    while start < quarters:
        pitch, beats = pattern[i % len(pattern)]
        notes.append(Note(pitch, start, Fraction(beats)))
        start += Fraction(beats)
        i += 1
    return notes


def report5_cases() -> list[Case]:
    """A fifth set of typical jobs, written and committed on 2026-12-06 after report4 was
    read and before any change made from it: the blind test for that change. Its melodies
    are a slow 6/8 air (few notes, long audio) and a fast 2/4 hornpipe (many notes, short
    audio); it holds the first composed chorale, and text forms the other sets lack."""
    compose = {"prompt": "three sailboats on a calm sea at sunset", "width": 960, "height": 540}
    parts = RIVER.split("\n\n")
    return [
        Case("image.compose", "960×540, 2 variants", {**compose, "variants": 2}, {}),
        Case(
            "image.compose",
            "512², 4 variants",
            {"prompt": "two owls on a branch", "width": 512, "height": 512},
            {},
        ),
        Case("image.stylize", "1024² photo", {"style": 3, "max_size": 1024}, picture(1024, 1024)),
        Case("image.stylize", "640×480 photo", {"style": 14}, picture(640, 480)),
        Case("image.upscale", "photo ×3, 160×120", {"scale": 3}, picture(160, 120)),
        Case("image.upscale", "photo ×2, 300×200", {"scale": 2}, picture(300, 200)),
        Case("image.upscale", "fast ×4, 320×240", {"scale": 4, "model": "fast"}, picture(320, 240)),
        Case(
            "image.upscale", "fast ×2, 1280×960", {"scale": 2, "model": "fast"}, picture(1280, 960)
        ),
        Case("image.restore", "800×600 photo", {}, picture(800, 600)),
        Case("image.restore", "1200×1200 photo", {}, picture(1200, 1200)),
        Case("image.portrait", "3 variants, 256 px", {"size": 256, "variants": 3}, {}),
        Case("image.portrait", "1 variant, 256 px", {"size": 256, "variants": 1}, {}),
        Case("music.compose", "12 bars at 72", {"bars": 12, "tempo": 72}, {}),
        Case("music.compose", "8 bars, harmonized", {"bars": 8, "harmonize": True}, {}),
        Case("music.compose", "32 bars of 2/4", {"bars": 32, "meter": "2/4"}, {}),
        Case("music.harmonize", "16-bar air", {"candidates": 2}, {"melody": lambda: air(16)}),
        Case(
            "music.harmonize",
            "16-bar hornpipe, 4 candidates",
            {"candidates": 4},
            {"melody": lambda: hornpipe(16)},
        ),
        Case("music.transcribe", "25 s recording", {}, hummed(25)),
        Case("music.transcribe", "45 s recording", {}, hummed(45)),
        Case(
            "music.continue", "8 more bars of an 8-bar air", {"bars": 8}, {"melody": lambda: air(8)}
        ),
        Case(
            "music.continue",
            "16 more bars of a 16-bar hornpipe",
            {"bars": 16},
            {"melody": lambda: hornpipe(16)},
        ),
        Case(
            "music.restyle",
            "12-bar air, chorale",
            {"style": "chorale"},
            {"melody": lambda: air(12)},
        ),
        Case(
            "music.restyle",
            "16-bar hornpipe, Irish",
            {"style": "irish"},
            {"melody": lambda: hornpipe(16)},
        ),
        Case("text.write", "free verse", {"form": "free_verse", "topic": "a night ferry"}, {}),
        Case(
            "text.write",
            "product description",
            {"form": "product_description", "topic": "a hand-bound sketchbook"},
            {},
        ),
        Case(
            "text.write",
            "medium story",
            {"form": "story", "topic": "a lighthouse keeper's cat", "length": "medium"},
            {},
        ),
        Case("text.write", "ad copy", {"form": "ad_copy", "topic": "a pottery class"}, {}),
        Case(
            "text.restyle",
            "humorous, 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "style": "humorous"},
            {},
        ),
        Case(
            "text.restyle", "childrens, 1 paragraph", {"text": parts[0], "style": "childrens"}, {}
        ),
        Case(
            "text.summarize", "abstract of 3 paragraphs", {"text": RIVER, "length": "abstract"}, {}
        ),
        Case(
            "text.summarize",
            "one line of 1 paragraph",
            {"text": parts[1], "length": "one_line"},
            {},
        ),
    ]


def minuet(bars: int) -> bytes:
    """A 3/4 minuet of `bars` bars in F major at 96 quarters a minute, three quarters or a
    half and a quarter a bar, as MIDI: a middling tune for the sixth set."""
    bars_of = (
        ((65, 1), (69, 1), (72, 1)),
        ((70, 2), (69, 1)),
        ((67, 1), (65, 1), (64, 1)),
        ((65, 3),),
    )
    notes, start = [], Fraction(0)
    for i in range(bars):
        for pitch, beats in bars_of[i % len(bars_of)]:
            notes.append(Note(pitch, start, Fraction(beats)))
            start += beats
    return midi_of(notes, "F major", "3/4", 96)


def march(bars: int) -> bytes:
    """A 4/4 march of `bars` bars in B-flat major at 120 quarters a minute, dotted eighths
    and sixteenths with a half note every other bar, as MIDI: the sixth set's second tune."""
    pattern = (
        (70, 0.75),
        (70, 0.25),
        (74, 0.75),
        (72, 0.25),
        (77, 2.0),
        (75, 0.75),
        (74, 0.25),
        (72, 0.75),
        (70, 0.25),
        (69, 1.0),
        (70, 1.0),
    )
    return midi_of(patterned(pattern, 4 * bars), "Bb major", "4/4", 120)


ORCHARD = "\n\n".join(
    [
        "The orchard at the end of the lane was planted by a schoolteacher in 1921, forty "
        "trees of apples and pears in five crooked rows. Nobody owns it now; the parish mows "
        "the grass twice a year and the village picks the fruit.",
        "In September children climb the oldest pear for the fruit at the top, which is "
        "always the sweetest, and their parents stand below holding baskets and giving "
        "advice nobody takes. The wasps get the windfalls.",
        "In winter the trees are pruned by a retired surveyor who learned it from a book. He "
        "keeps a notebook of every cut, and claims the trees have never cropped better, "
        "which may even be true.",
    ]
)


def report6_cases() -> list[Case]:
    """A sixth set of typical jobs, written and committed on 2026-12-06 before the credits
    were counted in hundredths and before any other change of that day: the blind test for
    them. Its melodies are a 3/4 minuet and a dotted 4/4 march, its text an orchard's."""
    parts = ORCHARD.split("\n\n")
    return [
        Case(
            "image.compose",
            "1024×768, 2 variants",
            {"prompt": "a dog and a cat under a tree", "width": 1024, "height": 768, "variants": 2},
            {},
        ),
        Case(
            "image.compose",
            "768², 1 variant",
            {"prompt": "three apples in a bowl", "width": 768, "height": 768, "variants": 1},
            {},
        ),
        Case("image.stylize", "800×800 photo", {"style": 6}, picture(800, 800)),
        Case("image.stylize", "480×360 photo", {"style": 20}, picture(480, 360)),
        Case("image.upscale", "photo ×2, 180×180", {"scale": 2}, picture(180, 180)),
        Case("image.upscale", "photo ×3, 128×96", {"scale": 3}, picture(128, 96)),
        Case("image.upscale", "fast ×4, 256×256", {"scale": 4, "model": "fast"}, picture(256, 256)),
        Case("image.upscale", "fast ×2, 800×600", {"scale": 2, "model": "fast"}, picture(800, 600)),
        Case("image.restore", "1024×768 photo", {}, picture(1024, 768)),
        Case("image.restore", "480×640 photo", {}, picture(480, 640)),
        Case("image.portrait", "2 variants, 512 px", {"size": 512, "variants": 2}, {}),
        Case("image.portrait", "4 variants, 256 px", {"size": 256, "variants": 4}, {}),
        Case("music.compose", "16 bars at 90", {"bars": 16, "tempo": 90}, {}),
        Case("music.compose", "20 bars of 3/4", {"bars": 20, "meter": "3/4"}, {}),
        Case("music.compose", "12 bars, harmonized", {"bars": 12, "harmonize": True}, {}),
        Case("music.harmonize", "16-bar minuet", {"candidates": 2}, {"melody": lambda: minuet(16)}),
        Case(
            "music.harmonize",
            "8-bar march, 3 candidates",
            {"candidates": 3},
            {"melody": lambda: march(8)},
        ),
        Case("music.transcribe", "18 s recording", {}, hummed(18)),
        Case("music.transcribe", "35 s recording", {}, hummed(35)),
        Case(
            "music.continue",
            "12 more bars of an 8-bar minuet",
            {"bars": 12},
            {"melody": lambda: minuet(8)},
        ),
        Case(
            "music.continue",
            "8 more bars of a 16-bar march",
            {"bars": 8},
            {"melody": lambda: march(16)},
        ),
        Case(
            "music.restyle",
            "16-bar minuet, Scottish",
            {"style": "scottish"},
            {"melody": lambda: minuet(16)},
        ),
        Case(
            "music.restyle",
            "8-bar march, renaissance",
            {"style": "renaissance"},
            {"melody": lambda: march(8)},
        ),
        Case("text.write", "haiku", {"form": "haiku", "topic": "an orchard in frost"}, {}),
        Case("text.write", "slogan", {"form": "slogan", "topic": "a village cider press"}, {}),
        Case(
            "text.write",
            "short story",
            {"form": "story", "topic": "a pear tree that remembers", "length": "short"},
            {},
        ),
        Case(
            "text.write",
            "artwork description",
            {"form": "artwork_description", "topic": "a linocut of an orchard at dusk"},
            {},
        ),
        Case(
            "text.restyle",
            "formal, 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "style": "formal"},
            {},
        ),
        Case("text.restyle", "dramatic, 1 paragraph", {"text": parts[2], "style": "dramatic"}, {}),
        Case(
            "text.summarize", "bullets of 3 paragraphs", {"text": ORCHARD, "length": "bullets"}, {}
        ),
        Case(
            "text.summarize",
            "abstract of 2 paragraphs",
            {"text": "\n\n".join(parts[1:]), "length": "abstract"},
            {},
        ),
    ]


def polka(bars: int) -> bytes:
    """A 2/4 polka of `bars` bars in G major at 110 quarters a minute, two eighths and a
    quarter a bar, as MIDI: the seventh set's quick tune."""
    pattern = ((67, 0.5), (71, 0.5), (74, 1.0), (72, 0.5), (69, 0.5), (66, 1.0))
    return midi_of(patterned(pattern, 2 * bars), "G major", "2/4", 110)


def lullaby(bars: int) -> bytes:
    """A 4/4 lullaby of `bars` bars in A minor at 66 quarters a minute, half notes and
    quarters, as MIDI: the seventh set's slow tune (few notes, long audio)."""
    pattern = ((69, 2.0), (72, 1.0), (71, 1.0), (69, 2.0), (64, 2.0), (65, 1.0), (64, 1.0))
    return midi_of(patterned(pattern, 4 * bars), "A minor", "4/4", 66)


BRIDGE = "\n\n".join(
    [
        "The footbridge over the canal was built for the mill workers, who crossed it twice a "
        "day for ninety years. The mill is flats now, and the bridge carries joggers, prams "
        "and a man who sells coffee from a tricycle at its south end.",
        "Every spring the council repaints the railings green, and every summer somebody "
        "paints a fish on the middle plank. Nobody has ever been caught, and the fish has "
        "become the thing people photograph.",
        "In the flood of 2007 the water came within a hand of the deck. A brass line on the "
        "north pier marks the height, and children like to stand beside it to see how tall "
        "the river was.",
    ]
)


def report7_cases() -> list[Case]:
    """A seventh set of typical jobs, written and committed on 2026-12-06 after report6
    was read and before the estimates learned this machine's speed from its own settled
    jobs: the blind test for that change. Its tunes are a 2/4 polka and a slow lullaby."""
    parts = BRIDGE.split("\n\n")
    return [
        Case(
            "image.compose",
            "960×540, 3 variants",
            {"prompt": "a fox beside a river", "width": 960, "height": 540, "variants": 3},
            {},
        ),
        Case(
            "image.compose",
            "768×576, 1 variant",
            {"prompt": "two cups on a table", "width": 768, "height": 576, "variants": 1},
            {},
        ),
        Case("image.stylize", "960×640 photo", {"style": 11}, picture(960, 640)),
        Case("image.stylize", "400×400 photo", {"style": 2}, picture(400, 400)),
        Case("image.upscale", "photo ×2, 200×150", {"scale": 2}, picture(200, 150)),
        Case("image.upscale", "photo ×4, 96×96", {"scale": 4}, picture(96, 96)),
        Case("image.upscale", "fast ×3, 300×300", {"scale": 3, "model": "fast"}, picture(300, 300)),
        Case("image.upscale", "fast ×2, 640×640", {"scale": 2, "model": "fast"}, picture(640, 640)),
        Case("image.restore", "900×600 photo", {}, picture(900, 600)),
        Case("image.restore", "700×700 photo", {}, picture(700, 700)),
        Case("image.portrait", "3 variants, 512 px", {"size": 512, "variants": 3}, {}),
        Case("image.portrait", "1 variant, 512 px", {"size": 512, "variants": 1}, {}),
        Case("music.compose", "8 bars at 120", {"bars": 8, "tempo": 120}, {}),
        Case("music.compose", "16 bars of 6/8", {"bars": 16, "meter": "6/8"}, {}),
        Case("music.compose", "16 bars, harmonized", {"bars": 16, "harmonize": True}, {}),
        Case("music.harmonize", "16-bar polka", {"candidates": 2}, {"melody": lambda: polka(16)}),
        Case(
            "music.harmonize",
            "8-bar lullaby, 4 candidates",
            {"candidates": 4},
            {"melody": lambda: lullaby(8)},
        ),
        Case("music.transcribe", "10 s recording", {}, hummed(10)),
        Case("music.transcribe", "50 s recording", {}, hummed(50)),
        Case(
            "music.continue",
            "8 more bars of a 16-bar polka",
            {"bars": 8},
            {"melody": lambda: polka(16)},
        ),
        Case(
            "music.continue",
            "16 more bars of an 8-bar lullaby",
            {"bars": 16},
            {"melody": lambda: lullaby(8)},
        ),
        Case(
            "music.restyle",
            "16-bar polka, German folk",
            {"style": "german-folk"},
            {"melody": lambda: polka(16)},
        ),
        Case(
            "music.restyle",
            "8-bar lullaby, Irish",
            {"style": "irish"},
            {"melody": lambda: lullaby(8)},
        ),
        Case("text.write", "limerick", {"form": "limerick", "topic": "a painted fish"}, {}),
        Case("text.write", "lyrics", {"form": "lyrics", "topic": "crossing the canal at dawn"}, {}),
        Case(
            "text.write",
            "long story",
            {"form": "story", "topic": "the coffee seller's tricycle", "length": "long"},
            {},
        ),
        Case(
            "text.write",
            "product description",
            {"form": "product_description", "topic": "a brass tide gauge"},
            {},
        ),
        Case(
            "text.restyle",
            "casual, 3 paragraphs",
            {"text": BRIDGE, "style": "casual"},
            {},
        ),
        Case("text.restyle", "poetic, 1 paragraph", {"text": parts[1], "style": "poetic"}, {}),
        Case(
            "text.summarize",
            "one line of 3 paragraphs",
            {"text": BRIDGE, "length": "one_line"},
            {},
        ),
        Case(
            "text.summarize",
            "bullets of 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "length": "bullets"},
            {},
        ),
    ]


def hymn(bars: int) -> bytes:
    """A 4/4 hymn tune of `bars` bars in F major at 84 quarters a minute, quarters and a
    half a bar, as MIDI: the eighth set's plain tune."""
    pattern = ((65, 1.0), (69, 1.0), (72, 2.0), (70, 1.0), (69, 1.0), (67, 2.0))
    return midi_of(patterned(pattern, 4 * bars), "F major", "4/4", 84)


def jig(bars: int) -> bytes:
    """A 6/8 jig of `bars` bars in E minor at 120 quarters a minute, running eighths with a
    dotted quarter at the end of each bar, as MIDI: the eighth set's quick tune."""
    pattern = (
        (64, 0.5), (67, 0.5), (71, 0.5), (72, 0.5), (71, 0.5), (69, 0.5),
        (67, 0.5), (66, 0.5), (64, 0.5), (66, 1.5),
    )  # fmt: skip
    return midi_of(patterned(pattern, 3 * bars), "E minor", "6/8", 120)


MARKET = "\n\n".join(
    [
        "The covered market opened in 1882 under an iron roof brought by barge from Glasgow. "
        "For most of a century it sold meat, fish and flowers, and the stallholders' "
        "families lived in the flats above the arcade.",
        "When the supermarkets came, half the stalls closed. A baker stayed, and so did a "
        "woman who mends umbrellas, and in the empty bays students began to sell records, "
        "plants and second-hand bicycles on Saturdays.",
        "Last year the roof was glazed again, pane by pane, and the pigeons were moved on by "
        "a hawk that visits twice a week. The clock over the east gate still runs four "
        "minutes slow, and nobody wants it mended.",
    ]
)


def report8_cases() -> list[Case]:
    """An eighth set of typical jobs, written and committed on 2026-12-07 before a verse
    line's redraws stopped being charged: the blind test for that change. Its tunes are a
    plain 4/4 hymn and a quick 6/8 jig; its text a covered market's; its verse a sonnet and
    a haiku."""
    parts = MARKET.split("\n\n")
    return [
        Case(
            "image.compose",
            "1024×576, 4 variants",
            {"prompt": "a horse in a field", "width": 1024, "height": 576, "variants": 4},
            {},
        ),
        Case(
            "image.compose",
            "640², 2 variants",
            {"prompt": "a red car in front of a house", "width": 640, "height": 640, "variants": 2},
            {},
        ),
        Case("image.stylize", "1200×800 photo", {"style": 15}, picture(1200, 800)),
        Case("image.stylize", "512² photo", {"style": 8}, picture(512, 512)),
        Case("image.upscale", "photo ×2, 160×120", {"scale": 2}, picture(160, 120)),
        Case("image.upscale", "photo ×3, 100×100", {"scale": 3}, picture(100, 100)),
        Case("image.upscale", "fast ×4, 200×150", {"scale": 4, "model": "fast"}, picture(200, 150)),
        Case(
            "image.upscale", "fast ×2, 1024×768", {"scale": 2, "model": "fast"}, picture(1024, 768)
        ),
        Case("image.restore", "800×800 photo", {}, picture(800, 800)),
        Case("image.restore", "600×400 photo", {}, picture(600, 400)),
        Case("image.portrait", "4 variants, 256 px", {"size": 256, "variants": 4}, {}),
        Case("image.portrait", "2 variants, 512 px", {"size": 512, "variants": 2}, {}),
        Case("music.compose", "24 bars at 100", {"bars": 24, "tempo": 100}, {}),
        Case(
            "music.compose", "8 bars of 3/4 at 140", {"bars": 8, "meter": "3/4", "tempo": 140}, {}
        ),
        Case("music.compose", "12 bars, harmonized", {"bars": 12, "harmonize": True}, {}),
        Case("music.harmonize", "12-bar hymn", {"candidates": 2}, {"melody": lambda: hymn(12)}),
        Case(
            "music.harmonize",
            "16-bar jig, 3 candidates",
            {"candidates": 3},
            {"melody": lambda: jig(16)},
        ),
        Case("music.transcribe", "25 s recording", {}, hummed(25)),
        Case("music.transcribe", "40 s recording", {}, hummed(40)),
        Case(
            "music.continue",
            "16 more bars of an 8-bar hymn",
            {"bars": 16},
            {"melody": lambda: hymn(8)},
        ),
        Case(
            "music.continue",
            "8 more bars of a 12-bar jig",
            {"bars": 8},
            {"melody": lambda: jig(12)},
        ),
        Case(
            "music.restyle",
            "12-bar hymn, chorale",
            {"style": "chorale"},
            {"melody": lambda: hymn(12)},
        ),
        Case(
            "music.restyle",
            "16-bar jig, Scottish",
            {"style": "scottish"},
            {"melody": lambda: jig(16)},
        ),
        Case("text.write", "sonnet", {"form": "sonnet", "topic": "an iron market roof"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "pigeons and a hawk"}, {}),
        Case(
            "text.write",
            "medium story",
            {"form": "story", "topic": "the umbrella mender's last customer", "length": "medium"},
            {},
        ),
        Case("text.write", "ad copy", {"form": "ad_copy", "topic": "Saturday record stalls"}, {}),
        Case(
            "text.restyle",
            "formal, 3 paragraphs",
            {"text": MARKET, "style": "formal"},
            {},
        ),
        Case("text.restyle", "casual, 1 paragraph", {"text": parts[2], "style": "casual"}, {}),
        Case(
            "text.summarize",
            "abstract of 3 paragraphs",
            {"text": MARKET, "length": "abstract"},
            {},
        ),
        Case(
            "text.summarize",
            "one line of 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "length": "one_line"},
            {},
        ),
    ]


def ferry_march(bars: int) -> bytes:
    """A 4/4 march of `bars` bars in B-flat major at 108 quarters a minute, dotted
    quarters, eighths and quarters, as MIDI: the ninth set's brisk tune."""
    pattern = ((70, 1.5), (74, 0.5), (77, 1.0), (74, 1.0), (72, 1.5), (70, 0.5), (69, 2.0))
    return midi_of(patterned(pattern, 4 * bars), "Bb major", "4/4", 108)


def landler(bars: int) -> bytes:
    """A 3/4 ländler of `bars` bars in D major at 150 quarters a minute, a half and a
    quarter, then three quarters, as MIDI: the ninth set's turning tune."""
    pattern = ((62, 2.0), (66, 1.0), (69, 1.0), (66, 1.0), (64, 1.0))
    return midi_of(patterned(pattern, 3 * bars), "D major", "3/4", 150)


FERRY = "\n\n".join(
    [
        "The chain ferry has crossed the estuary since 1896, pulled along two chains laid on "
        "the river bed. It carries eight cars, a few dozen people and, on market days, a "
        "flock of sheep that the drivers know by name.",
        "In winter the crossing takes six minutes; in a spring tide it can take twelve, and "
        "the engine is run hard against the current. The crew of three repaint the hull every "
        "other year in the same dark green.",
        "A bridge was proposed in 1968 and again in 2004. Both times the villages on either "
        "bank voted to keep the ferry, and the money went to a new slipway and a waiting "
        "room with a stove.",
    ]
)


def report9_cases() -> list[Case]:
    """A ninth set of typical jobs, written and committed on 2026-12-07 (evening) before
    that stop's changes to the estimates (compose's clip-art search made faster came just
    before it; the rates were not fitted again): the blind test for them. Its tunes are a
    4/4 march in B-flat and a 3/4 ländler; its text a chain ferry's; its verse a limerick
    and a haiku."""
    parts = FERRY.split("\n\n")
    return [
        Case(
            "image.compose",
            "912×608, 4 variants",
            {"prompt": "a sailboat beside a lighthouse", "width": 912, "height": 608},
            {},
        ),
        Case(
            "image.compose",
            "768², 2 variants",
            {"prompt": "two dogs on a sofa", "width": 768, "height": 768, "variants": 2},
            {},
        ),
        Case("image.stylize", "1000×750 photo", {"style": 4}, picture(1000, 750)),
        Case("image.stylize", "640×480 photo", {"style": 20}, picture(640, 480)),
        Case("image.upscale", "photo ×2, 240×180", {"scale": 2}, picture(240, 180)),
        Case("image.upscale", "photo ×4, 80×80", {"scale": 4}, picture(80, 80)),
        Case("image.upscale", "fast ×3, 320×240", {"scale": 3, "model": "fast"}, picture(320, 240)),
        Case("image.upscale", "fast ×4, 400×300", {"scale": 4, "model": "fast"}, picture(400, 300)),
        Case("image.restore", "1024×683 photo", {}, picture(1024, 683)),
        Case("image.restore", "480×480 photo", {}, picture(480, 480)),
        Case("image.portrait", "2 variants, 256 px", {"size": 256, "variants": 2}, {}),
        Case("image.portrait", "3 variants, 512 px", {"size": 512, "variants": 3}, {}),
        Case("music.compose", "16 bars at 90", {"bars": 16, "tempo": 90}, {}),
        Case(
            "music.compose", "12 bars of 2/4 at 132", {"bars": 12, "meter": "2/4", "tempo": 132}, {}
        ),
        Case("music.compose", "8 bars, harmonized", {"bars": 8, "harmonize": True}, {}),
        Case(
            "music.harmonize", "8-bar march", {"candidates": 2}, {"melody": lambda: ferry_march(8)}
        ),
        Case(
            "music.harmonize",
            "16-bar ländler, 3 candidates",
            {"candidates": 3},
            {"melody": lambda: landler(16)},
        ),
        Case("music.transcribe", "15 s recording", {}, hummed(15)),
        Case("music.transcribe", "35 s recording", {}, hummed(35)),
        Case(
            "music.continue",
            "8 more bars of an 8-bar march",
            {"bars": 8},
            {"melody": lambda: ferry_march(8)},
        ),
        Case(
            "music.continue",
            "12 more bars of a 16-bar ländler",
            {"bars": 12},
            {"melody": lambda: landler(16)},
        ),
        Case(
            "music.restyle",
            "8-bar march, renaissance",
            {"style": "renaissance"},
            {"melody": lambda: ferry_march(8)},
        ),
        Case(
            "music.restyle",
            "16-bar ländler, German folk",
            {"style": "german-folk"},
            {"melody": lambda: landler(16)},
        ),
        Case("text.write", "limerick", {"form": "limerick", "topic": "a ferry's sheep"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "a spring tide"}, {}),
        Case(
            "text.write",
            "short story",
            {
                "form": "story",
                "topic": "the ferry's last crossing before the bridge",
                "length": "short",
            },
            {},
        ),
        Case(
            "text.write",
            "product description",
            {"form": "product_description", "topic": "a dark green enamel mug"},
            {},
        ),
        Case(
            "text.restyle",
            "poetic, 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "style": "poetic"},
            {},
        ),
        Case("text.restyle", "formal, 1 paragraph", {"text": parts[2], "style": "formal"}, {}),
        Case(
            "text.summarize",
            "bullets of 3 paragraphs",
            {"text": FERRY, "length": "bullets"},
            {},
        ),
        Case(
            "text.summarize",
            "one line of 1 paragraph",
            {"text": parts[0], "length": "one_line"},
            {},
        ),
    ]


def barcarolle(bars: int) -> bytes:
    """A 6/8 barcarolle of `bars` bars in G major at 72 quarters a minute, a dotted quarter
    and three eighths a bar, as MIDI: the tenth set's slow tune."""
    pattern = (
        (67, 1.5),
        (71, 0.5),
        (74, 0.5),
        (72, 0.5),
        (71, 1.5),
        (69, 0.5),
        (67, 0.5),
        (66, 0.5),
    )
    return midi_of(patterned(pattern, 3 * bars), "G major", "6/8", 72)


def reel_in_a(bars: int) -> bytes:
    """A 2/2 reel of `bars` bars in A minor at 160 quarters a minute, running eighths, as
    MIDI: the tenth set's quick tune (many notes in short audio)."""
    pitches = (69, 72, 76, 72, 74, 71, 67, 71)
    pattern = tuple((pitch, 0.5) for pitch in pitches)
    return midi_of(patterned(pattern, 4 * bars), "A minor", "2/2", 160)


BAKERY = "\n\n".join(
    [
        "The bakery on Quay Street lights its ovens at half past three. By six the first "
        "loaves are cooling on racks by the window, and the fishermen coming off the night "
        "boats buy rolls still too hot to hold.",
        "The recipe for the rye bread came from the founder's grandmother, written on a card "
        "that hangs framed above the flour bins. Nobody follows it exactly; the flour has "
        "changed, and so has the oven.",
        "On Sundays the shop is shut, but the side door stays open until noon for anyone who "
        "ordered a cake. The children of the street know this, and come to watch the icing "
        "being piped through the glass.",
    ]
)


def report10_cases() -> list[Case]:
    """A tenth set of typical jobs, written and committed on 2026-12-07 (evening) after
    report9 was read and after worker processes began to freeze what they load out of the
    garbage collector's full passes: the blind test of that stop's changes. Its tunes are a
    6/8 barcarolle and a 2/2 reel; its text a bakery's; its verse a sonnet and a haiku."""
    parts = BAKERY.split("\n\n")
    return [
        Case(
            "image.compose",
            "1024×768, 3 variants",
            {"prompt": "a cat sleeping on a chair", "width": 1024, "height": 768, "variants": 3},
            {},
        ),
        Case(
            "image.compose",
            "640×960, 2 variants",
            {"prompt": "a tall tree beside a cottage", "width": 640, "height": 960, "variants": 2},
            {},
        ),
        Case("image.stylize", "800×600 photo", {"style": 12}, picture(800, 600)),
        Case("image.stylize", "1280×720 photo", {"style": 6}, picture(1280, 720)),
        Case("image.upscale", "photo ×2, 128×128", {"scale": 2}, picture(128, 128)),
        Case("image.upscale", "photo ×3, 120×90", {"scale": 3}, picture(120, 90)),
        Case("image.upscale", "fast ×2, 800×600", {"scale": 2, "model": "fast"}, picture(800, 600)),
        Case("image.upscale", "fast ×4, 256×256", {"scale": 4, "model": "fast"}, picture(256, 256)),
        Case("image.restore", "640×640 photo", {}, picture(640, 640)),
        Case("image.restore", "1200×800 photo", {}, picture(1200, 800)),
        Case("image.portrait", "4 variants, 512 px", {"size": 512, "variants": 4}, {}),
        Case("image.portrait", "1 variant, 256 px", {"size": 256, "variants": 1}, {}),
        Case("music.compose", "20 bars at 110", {"bars": 20, "tempo": 110}, {}),
        Case(
            "music.compose", "12 bars of 6/8 at 90", {"bars": 12, "meter": "6/8", "tempo": 90}, {}
        ),
        Case("music.compose", "16 bars, harmonized", {"bars": 16, "harmonize": True}, {}),
        Case(
            "music.harmonize",
            "12-bar barcarolle",
            {"candidates": 2},
            {"melody": lambda: barcarolle(12)},
        ),
        Case(
            "music.harmonize",
            "8-bar reel, 3 candidates",
            {"candidates": 3},
            {"melody": lambda: reel_in_a(8)},
        ),
        Case("music.transcribe", "20 s recording", {}, hummed(20)),
        Case("music.transcribe", "45 s recording", {}, hummed(45)),
        Case(
            "music.continue",
            "8 more bars of a 12-bar barcarolle",
            {"bars": 8},
            {"melody": lambda: barcarolle(12)},
        ),
        Case(
            "music.continue",
            "16 more bars of an 8-bar reel",
            {"bars": 16},
            {"melody": lambda: reel_in_a(8)},
        ),
        Case(
            "music.restyle",
            "12-bar barcarolle, chorale",
            {"style": "chorale"},
            {"melody": lambda: barcarolle(12)},
        ),
        Case(
            "music.restyle",
            "8-bar reel, Scottish",
            {"style": "scottish"},
            {"melody": lambda: reel_in_a(8)},
        ),
        Case("text.write", "sonnet", {"form": "sonnet", "topic": "bread before dawn"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "flour on a window"}, {}),
        Case(
            "text.write",
            "medium story",
            {"form": "story", "topic": "a cake nobody collected", "length": "medium"},
            {},
        ),
        Case("text.write", "slogan", {"form": "slogan", "topic": "rye bread since 1921"}, {}),
        Case(
            "text.restyle",
            "casual, 2 paragraphs",
            {"text": "\n\n".join(parts[:2]), "style": "casual"},
            {},
        ),
        Case("text.restyle", "humorous, 1 paragraph", {"text": parts[2], "style": "humorous"}, {}),
        Case(
            "text.summarize",
            "abstract of 3 paragraphs",
            {"text": BAKERY, "length": "abstract"},
            {},
        ),
        Case(
            "text.summarize",
            "bullets of 2 paragraphs",
            {"text": "\n\n".join(parts[1:]), "length": "bullets"},
            {},
        ),
    ]


SETS: dict[str, Callable[[], list[Case]]] = {
    "report": cases,
    "report2": report2_cases,
    "report3": report3_cases,
    "report4": report4_cases,
    "report5": report5_cases,
    "report6": report6_cases,
    "report7": report7_cases,
    "report8": report8_cases,
    "report9": report9_cases,
    "report10": report10_cases,
    "tuning": tuning_cases,
    "spread": lambda: [case for case in tuning_cases() if case.spread],
}
