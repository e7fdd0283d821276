"""Galleries: every style is shown by a swatch painted on one reference picture, every
instrument and music style by a few seconds of sound; each is made once and kept in the
data folder; a house style's swatch is painted when its training ends; the create forms
offer them as radio buttons with their pictures and sounds."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient
from PIL import Image

from atelier.engines import galleries
from atelier.engines.base import Artifact, Creation
from atelier.engines.image import style_names
from atelier.engines.image.compose import finish
from atelier.engines.image.compose.engine import ComposeParams
from atelier.engines.image.stylize import StylizeParams
from atelier.errors import NotFound
from atelier.studio import Studio
from atelier.training import style
from tests.support import client_sets as cs
from tests.support.accounts import add_user, sign_in
from tests.support.settings import make_settings

PICTURE_GALLERIES = ("image-preset", "image-style")
SOUND_GALLERIES = ("instrument", "music-style")
# Mean absolute difference per channel (0–255) a swatch keeps from the reference picture
# and from every other swatch: a style that left the picture as it was, or two styles
# that painted it alike, fall below it.
FROM_REFERENCE, FROM_EACH_OTHER = 25.0, 8.0
# ...or in texture: pixel art and flat fills keep the photograph's colours (a mean
# difference of 17 to 19) and change its every edge.
EDGES_FROM_REFERENCE = 12.0


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    studio = Studio(make_settings(tmp_path_factory.mktemp("galleries")))
    studio.prepare()
    yield studio
    studio.close()


def picture(path: Path) -> np.ndarray:
    with Image.open(path) as opened:
        assert opened.format == "WEBP"
        return np.asarray(opened.convert("RGB"), dtype=np.float32)


def edges(picture: np.ndarray) -> np.ndarray:
    """How much the brightness changes to the next pixel down and across."""
    grey = picture.mean(axis=2)
    return np.abs(np.diff(grey, axis=0))[:, :-1] + np.abs(np.diff(grey, axis=1))[:-1, :]


def samples_of(*names: str) -> list[str]:
    return sorted({c.sample for gallery in names for c in galleries.choices(gallery)})


def test_every_style_swatch_differs_from_the_reference_and_from_every_other(
    studio: Studio,
) -> None:
    names = samples_of(*PICTURE_GALLERIES)
    assert len(names) == 26 + len(finish.FINISHES)
    reference = picture(studio.choices.sample(galleries.REFERENCE)[0])
    assert reference.shape == (256, 256, 3)
    swatches = {name: picture(studio.choices.sample(name)[0]) for name in names}
    for name, swatch in swatches.items():
        assert swatch.shape == reference.shape, name
        colour = np.abs(swatch - reference).mean()
        texture = np.abs(edges(swatch) - edges(reference)).mean()
        assert colour > FROM_REFERENCE or texture > EDGES_FROM_REFERENCE, (name, colour, texture)
    closest = min(
        (np.abs(swatches[a] - swatches[b]).mean(), a, b)
        for a, b in itertools.combinations(names, 2)
    )
    assert closest[0] > FROM_EACH_OTHER, closest


def test_each_style_choice_paints_what_its_swatch_shows() -> None:
    """A choice's value, as the engine reads it, is the style its swatch was painted in:
    stylize's presets by number; compose's finishes and presets by name, or by number
    where compose would read the name as a finish ("watercolour", "engraving")."""
    for choice in galleries.choices("image-preset"):
        weights = StylizeParams(image="0" * 32, style=choice.value).style_weights()
        assert choice.sample == f"preset-{next(iter(weights))}" and len(weights) == 1
    seen = set()
    for choice in galleries.choices("image-style"):
        text = ComposeParams(prompt="a tree", style=choice.value).style
        assert text is not None
        own = finish.named(text)
        preset = style_names.by_name(text)
        painted = f"finish-{own.replace(' ', '-')}" if own else f"preset-{preset.number}"  # type: ignore[union-attr]
        assert choice.sample == painted, choice
        seen.add(choice.sample)
    assert len(seen) == 26 + len(finish.FINISHES)  # every preset and finish, once


def sound(path: Path) -> tuple[np.ndarray, int]:
    with soundfile.SoundFile(path) as opened:
        assert opened.format == "MP3" and opened.channels == 1
        return opened.read(dtype="float32"), opened.samplerate


def bands(samples: np.ndarray, rate: int) -> np.ndarray:
    """The sound as heard over time: log energy in 32 bands from 50 Hz to 12 kHz, per
    1024-sample frame."""
    frames = samples[: len(samples) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    spectrum = np.abs(np.fft.rfft(frames, axis=1))
    freqs = np.fft.rfftfreq(1024, 1 / rate)
    edges = np.geomspace(50, 12_000, 33)
    energy = [
        spectrum[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
        for lo, hi in itertools.pairwise(edges)
    ]
    return np.log10(np.stack(energy, axis=1) + 1e-4)


def apart(a: np.ndarray, b: np.ndarray) -> float:
    """Mean difference of two sounds' band energies (log10) over their common length."""
    frames = min(len(a), len(b))
    return float(np.abs(a[:frames] - b[:frames]).mean())


@pytest.mark.slow  # 43 renders through FluidSynth: about a minute on an idle machine
def test_every_instrument_and_music_style_sound_is_short_audible_and_its_own(
    studio: Studio,
) -> None:
    names = samples_of(*SOUND_GALLERIES)
    assert len(names) == len(galleries.choices("instrument")) + 5
    heard = {}
    for name in names:
        path, mime = studio.choices.sample(name)
        assert mime == "audio/mpeg" and path.suffix == ".mp3"
        samples, rate = sound(path)
        seconds = len(samples) / rate
        assert rate == 44_100 and 3.0 <= seconds <= 10.0, (name, seconds)
        loudness = 20 * np.log10(np.sqrt(np.mean(samples**2)))
        assert loudness > -30, (name, loudness)  # rendered at −16 LUFS: far from silence
        heard[name] = bands(samples, rate)
    # Different instruments playing one phrase, or styles' different tunes, are 0.26 to 1.9
    # apart; FluidR3 plays "fiddle" from its violin samples, the closest pair at 0.06.
    closest = min((apart(heard[a], heard[b]), a, b) for a, b in itertools.combinations(names, 2))
    assert closest[0] > 0.03, closest


def test_a_sample_is_made_once_and_an_unknown_one_is_not_found(studio: Studio) -> None:
    path, _ = studio.choices.sample("preset-3")
    made = path.stat().st_mtime_ns
    assert studio.choices.sample("preset-3")[0].stat().st_mtime_ns == made
    assert path.parent == studio.settings.data_dir / "choices" / f"v{galleries.VERSION}"
    for name in ("preset-26", "../atelier.db", "instrument-kazoo", ""):
        with pytest.raises(NotFound):
            studio.choices.sample(name)


def house_style_json() -> bytes:
    networks = style.Networks(threads=1)
    vector = networks.vector(cs.house_picture(5, (256, 256)))
    return style.style_json(vector, {})


def test_a_house_style_s_swatch_is_painted_when_its_training_ends(studio: Studio) -> None:
    """The spine keeps a training job's weights with Models.keep: for a house style that
    paints its swatch too, before anyone asks for it."""
    weights = Artifact("style.json", "application/json", house_style_json())
    kept = studio.models.keep([Creation([weights], "house", {"kind": "style"})])
    path = studio.choices.folder / f"house-style-{kept.sha256}.webp"
    assert path.is_file()
    assert studio.choices.house_style(kept.sha256) == path
    swatch = picture(path)
    reference = picture(studio.choices.sample(galleries.REFERENCE)[0])
    assert np.abs(swatch - reference).mean() > FROM_REFERENCE
    for name in samples_of("image-preset"):
        assert np.abs(swatch - picture(studio.choices.sample(name)[0])).mean() > FROM_EACH_OTHER


def radios(page: str, name: str) -> list[tuple[str, str]]:
    """(value, the label's markup) of each radio button named `name` on a page."""
    found = []
    for match in re.finditer(
        rf'<input type="radio" id="([^"]+)" name="{name}" value="([^"]*)"', page
    ):
        label = re.search(rf'<label for="{match[1]}">(.*?)</label>', page, re.S)
        assert label, f"radio {match[1]} has no label"
        found.append((match[2], label[1]))
    return found


def test_the_forms_offer_styles_by_picture_and_instruments_by_sound(
    client: TestClient,
) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    add_user(studio, "chooser@example.com")
    sign_in(client, "chooser@example.com")

    page = client.get("/create/image.stylize").text
    styles = radios(page, "style")
    assert [v for v, _ in styles] == ["", *(str(n) for n in range(26))]
    assert 'src="/choices/reference"' in styles[0][1]  # no preset: the picture as it is
    for value, label in styles[1:]:
        assert f'src="/choices/preset-{value}"' in label
    assert f"{style_names.STYLES[18].name} (18)" in styles[19][1]
    assert [v for v, _ in radios(page, "mix_with")] == [v for v, _ in styles]

    page = client.get("/create/music.compose").text
    instruments = radios(page, "instrument")
    assert instruments[0][0] == "" and "The style&#39;s own" in instruments[0][1]
    assert len(instruments) == 1 + len(galleries.choices("instrument"))
    for value, _ in instruments[1:]:
        assert f'<audio controls preload="none" src="/choices/instrument-{value}"' in page
    music_styles = radios(page, "style")
    assert [v for v, _ in music_styles] == [
        "german-folk",
        "irish",
        "scottish",
        "chorale",
        "renaissance",
    ]
    assert re.search(r'name="style" value="irish" checked', page)  # the default

    swatch = client.get("/choices/preset-18")
    assert swatch.status_code == 200 and swatch.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(swatch.content)) as opened:
        assert opened.size == (256, 256)
    flute = client.get("/choices/instrument-flute")
    assert flute.status_code == 200 and flute.headers["content-type"] == "audio/mpeg"
    assert client.get("/choices/preset-99").status_code == 404
    assert client.get(f"/choices/house-styles/{'0' * 32}").status_code == 404
