"""The four generating music engines with the committed models, through the API (and so
the whole spine): the notes they write (key, cadence, bar count, voices, rhythm, opening),
their lineage (which model, and so which data), reproducible seeds and refused input."""

from __future__ import annotations

import io
from collections.abc import Iterator
from fractions import Fraction
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
import pytest
import soundfile
from fastapi.testclient import TestClient
from scipy.signal import resample_poly
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.engines.checks import REDRAWS
from atelier.engines.music import analysis, harmony, loudness, render
from atelier.engines.music.compose import ComposeParams, compose
from atelier.engines.music.files import read_melody, read_piece
from atelier.engines.music.generating import chorale, quantized
from atelier.engines.music.melody import RHYTHM_BOUND
from atelier.engines.music.piece import Note, Part, Piece, bar_length, merge_ties
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import problem_fields, submit, upload, wait_job
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow
MAJOR = {0, 2, 4, 5, 7, 9, 11}
CONTOUR_BOUND = 0.7  # least contour similarity of a restyle to its source (docs/models.md)
# "The Rakes of Mallow"-like polka opening in G: 2/4, eight bars.
TUNE = b"""X:1
T:Test Polka
M:2/4
L:1/8
K:G
GB dB|GB dB|ce dc|BA GF|GB dB|GB dB|ce dF|G2 G2|
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("music"), workers=1)
    with TestClient(create_app(settings)) as client:
        with client.app.state.studio.db.transaction() as s:  # type: ignore[attr-defined]
            # long pieces: the engines are tested here, not the plan's audio limit
            s.execute(update(Plan).where(Plan.id == "trial").values(max_seconds=3_600))
        yield client, api_user(client, "composer@example.com")


def make(
    api: tuple[TestClient, dict[str, str]],
    tmp_path: Path,
    engine: str,
    params: dict[str, Any],
    seed: int = 5,
) -> tuple[Piece, dict[str, Any], bytes]:
    """Run a job to the end; returns its piece (read back from its MusicXML), its work and
    its MIDI bytes."""
    client, headers = api
    job = wait_job(
        client, headers, submit(client, headers, engine, params, seed)["id"], timeout=120
    )
    assert job["status"] == "succeeded", job
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    names = {f["name"]: f["mime"] for f in work["files"]}
    assert work["mime"] == "audio/wav" and any(m == "image/svg+xml" for m in names.values())
    xml_name = next(n for n in names if n.endswith(".musicxml"))
    midi_name = next(n for n in names if n.endswith(".mid"))
    xml = client.get(f"/v1/works/{work['id']}/files/{xml_name}", headers=headers).content
    midi = client.get(f"/v1/works/{work['id']}/files/{midi_name}", headers=headers).content
    path = tmp_path / f"{work['id']}.musicxml"
    path.write_bytes(xml)
    return read_piece(path), work, midi


def pitched(piece: Piece, part: int = 0) -> list[Any]:
    return [n for n in piece.parts[part].notes if n.pitch is not None]


def lineage(work: dict[str, Any]) -> dict[str, bool]:
    return {m["name"]: m["commercial_use"] for m in work["lineage"]["models"]}


def test_compose_writes_a_whole_melody_in_key_ending_on_the_tonic(api: Any, tmp_path: Path) -> None:
    params = {"style": "irish", "key": "G major", "meter": "6/8", "bars": 8, "primer": "D4 G4"}
    piece, work, midi = make(api, tmp_path, "music.compose", params)
    notes = pitched(piece)
    assert piece.meter == "6/8" and piece.key == "G major"
    assert piece.quarter_length() == 8 * bar_length("6/8") and piece.pickup == 0
    assert [n.pitch for n in notes[:2]] == [62, 67]  # the primer opens it
    assert notes[-1].pitch % 12 == 7 and notes[-1].start == 7 * bar_length("6/8")  # G, bar 8
    in_key = sum((n.pitch - 7) % 12 in MAJOR for n in notes) / len(notes)
    assert in_key >= 0.85, in_key
    assert work["meta"]["model"] == "music-melody-full" and work["meta"]["bars"] == 8
    models = lineage(work)
    assert models["music-melody-full"] is False and models["music21 corpus: essen"] is False
    # The same seed and parameters give the same notes (and file); another seed, others.
    typed = ComposeParams.model_validate(params)
    assert compose(typed, 5) == compose(typed, 5) != compose(typed, 6)
    written = [n for n in compose(typed, 5).parts[0].notes if n.pitch is not None]
    assert written == [n for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]
    assert midi.startswith(b"MThd")


def test_compose_clean_and_harmonized_names_only_clean_lineage(api: Any, tmp_path: Path) -> None:
    params = {
        "style": "chorale",
        "key": "D minor",
        "meter": "4/4",
        "bars": 4,
        "model": "clean",
        "harmonize": True,
    }
    piece, work, _ = make(api, tmp_path, "music.compose", params)
    assert [p.name for p in piece.parts] == ["soprano", "alto", "tenor", "bass"]
    assert pitched(piece, 3)[-1].pitch % 12 == 2  # the bass ends on D
    models = lineage(work)
    assert "music-melody-clean" in models and "music-harmony-bach" in models
    assert all(models.values()), models  # every model and data set allows commercial use


def test_harmonize_sets_the_melody_in_four_voices_in_range(api: Any, tmp_path: Path) -> None:
    client, headers = api
    tune = upload(client, headers, TUNE, "polka.abc")
    piece, work, _ = make(api, tmp_path, "music.harmonize", {"melody": tune})
    source = tmp_path / "polka.abc"
    source.write_bytes(TUNE)
    melody = read_melody(source)
    assert [p.name for p in piece.parts] == ["soprano", "alto", "tenor", "bass"]
    assert [(n.pitch, n.start) for n in pitched(piece)] == [
        (n.pitch, n.start) for n in pitched(melody)
    ]
    for index, voice in enumerate(("alto", "tenor", "bass"), start=1):
        low, high = harmony.RANGES[voice]
        assert all(low <= n.pitch <= high for n in pitched(piece, index)), voice
    assert pitched(piece, 3)[-1].pitch % 12 == 7  # ends on G in the bass
    assert "music-harmony-bach" in lineage(work)


def test_restyle_with_no_freedom_keeps_rhythm_and_contour(api: Any, tmp_path: Path) -> None:
    client, headers = api
    tune = upload(client, headers, TUNE, "polka.abc")
    params = {"melody": tune, "style": "german-folk", "freedom": 0.0}
    piece, work, _ = make(api, tmp_path, "music.restyle", params)
    source = tmp_path / "polka.abc"
    source.write_bytes(TUNE)
    original = pitched(read_melody(source))
    ours = pitched(piece)
    assert [(n.start, n.duration) for n in ours] == [(n.start, n.duration) for n in original]
    same_direction = sum(
        (b.pitch - a.pitch) * (d.pitch - c.pitch) > 0 or b.pitch - a.pitch == d.pitch - c.pitch
        for a, b, c, d in zip(original, original[1:], ours, ours[1:], strict=False)
    )
    assert same_direction >= 0.8 * (len(ours) - 1)
    assert ours[-1].pitch % 12 == 7 and work["meta"]["style"] == "german-folk"


def test_continue_keeps_the_opening_and_adds_bars(api: Any, tmp_path: Path) -> None:
    client, headers = api
    tune = upload(client, headers, TUNE, "polka.abc")
    piece, work, _ = make(api, tmp_path, "music.continue", {"melody": tune, "bars": 4})
    source = tmp_path / "polka.abc"
    source.write_bytes(TUNE)
    opening = pitched(read_melody(source))
    ours = pitched(piece)
    assert [(n.pitch, n.start, n.duration) for n in ours[: len(opening)]] == [
        (n.pitch, n.start, n.duration) for n in opening
    ]
    assert piece.quarter_length() == 12 * bar_length("2/4") and ours[-1].pitch % 12 == 7
    assert work["meta"]["style"] in ("irish", "scottish", "german-folk", "chorale", "renaissance")


def test_bad_input_is_refused_naming_the_field(api: Any) -> None:
    client, headers = api
    cases = [
        ("music.compose", {"bars": 5000}, "bars"),
        ("music.compose", {"meter": "5/4"}, "meter"),
        ("music.compose", {"key": "H major"}, "key"),
        ("music.compose", {"primer": "D4 X9"}, "primer"),
        ("music.compose", {"primer": "r r:2"}, "primer"),
        ("music.compose", {"primer": "C4 " * 33}, "primer"),
        ("music.compose", {"style": "german-folk", "model": "clean"}, "model"),
        ("music.compose", {"temperature": 0}, "temperature"),
        ("music.restyle", {"melody": "0" * 32, "style": "irish", "freedom": 2}, "freedom"),
        ("music.harmonize", {}, "melody"),
    ]
    for engine, params, field in cases:
        response = client.post(
            "/v1/jobs", json={"engine": engine, "params": params}, headers=headers
        )
        assert response.status_code == 422, (params, response.text)
        assert any(field in name for name in problem_fields(response)), response.json()
    # A file that is not music is refused at upload, before any job exists.
    response = client.post(
        "/v1/uploads", files={"file": ("tune.abc", b"X:1\nnot a tune")}, headers=headers
    )
    assert response.status_code in (415, 422), response.text
    assert Fraction(1, 2) == harmony.STEP


# -- quality on tunes of the tests' own (issue 14; none of them is in the blind set) -----

# A D major tune with a pickup whose last note lasts a bar: today's decoder only put the
# tonic in the bass on its last eighth, under a vi or first-inversion chord before it.
CADENCE = b"""X:1
T:Cadence Probe
M:4/4
L:1/8
K:D
A2|d2d2e2f2|g2f2e2d2|c2d2e2c2|d4A4|B2c2d2B2|A2F2E2D2|E2F2G2E2|D6|]
"""
# A C major tune that ends on F sharp: no tonic chord can sit under its last note.
ENDS_OFF_KEY = b"""X:1
T:Off Key
M:4/4
L:1/4
K:C
C D E F|G A G E|F E D ^F|]
"""
# An A minor tune: its G sharps are the key's leading tone; its opening is the motif.
MINOR = b"""X:1
T:Minor Probe
M:3/4
L:1/8
K:Am
E2|A2B2c2|B2A2^G2|A2e2d2|c4B2|c2d2e2|f2e2d2|c2B2^G2|A4|]
"""


def abc_melody(tmp_path: Path, text: bytes, name: str) -> Piece:
    path = tmp_path / f"{name}.abc"
    path.write_bytes(text)
    return quantized(read_melody(path))


def test_harmonizations_close_on_the_root_position_tonic_without_clashes(tmp_path: Path) -> None:
    for text, name in ((CADENCE, "cadence"), (MINOR, "minor")):
        melody = abc_melody(tmp_path, text, name)
        for seed in range(1, 9):
            piece = chorale(melody, np.random.default_rng(seed))
            close = analysis.final_chord(piece)
            # the bass on the tonic under the whole last note, the upper voices in the
            # tonic triad (third included), nobody moving under the close
            assert close.root_position_tonic, (name, seed, close)
            assert analysis.clashes(piece) == 0, (name, seed)


def test_rendered_audio_is_at_minus_16_lufs_with_true_peaks_under_minus_1(
    api: Any, tmp_path: Path
) -> None:
    client, headers = api
    tune = upload(client, headers, CADENCE, "cadence.abc")
    _, work, _ = make(api, tmp_path, "music.harmonize", {"melody": tune}, seed=1)
    quiet_flute = Piece(
        (Part("melody", tuple(Note(72 + i % 5, F(i, 2), F(1, 2)) for i in range(16)), 73),),
        "C major",
        "4/4",
        tempo=90,
    )
    choir = client.get(f"/v1/works/{work['id']}/file", headers=headers).content
    for wav in (choir, render.deliver(quiet_flute, "flute", score=False)[0].data):
        samples, rate = soundfile.read(io.BytesIO(wav))
        assert rate == 44100 and samples.shape[1] == 2
        loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
        assert abs(loudness + 16) <= 1, loudness
        true_peak = 20 * np.log10(np.abs(resample_poly(samples, 4, 1, axis=0)).max())
        assert true_peak <= -1, true_peak


def test_oversampling_block_by_block_gives_the_whole_signals_values() -> None:
    """The limiter and the true peak read the ×4 signal a block at a time: the blocks'
    values are those of resampling the whole signal, at every block's edge and at both
    ends, for a signal of several blocks and one shorter than a block."""
    rng = np.random.default_rng(0)
    for frames in (2 * loudness.BLOCK_FRAMES + 1234, 500):
        samples = np.round(rng.normal(0, 0.1, (frames, 2)) * 32768) / 32768
        whole = resample_poly(samples, 4, 1, axis=0)
        blocks = np.concatenate(list(loudness.oversampled(samples)))
        assert blocks.shape == whole.shape
        assert np.max(np.abs(blocks - whole)) < 1e-12
        peak = 20 * np.log10(np.max(np.abs(whole)))
        assert abs(loudness.true_peak_dbfs(samples) - peak) < 1e-9


def test_restyle_changes_the_tune_and_keeps_it_recognisable(api: Any, tmp_path: Path) -> None:
    client, headers = api
    tune = upload(client, headers, MINOR, "minor.abc")
    source = abc_melody(tmp_path, MINOR, "minor")
    for freedom, least_changed in ((0.5, 0.15), (1.0, 0.4)):
        params = {"melody": tune, "style": "irish", "freedom": freedom}
        piece, _, _ = make(api, tmp_path, "music.restyle", params, seed=3)
        # It changes a fair share of the notes, not one to three ...
        assert analysis.changed_share(source, piece) >= least_changed, freedom
        # ... and stays the same tune: its rhythm, its opening motif, its contour (bounds:
        # docs/models.md, from unrelated tunes of the blind set), its leading tones.
        assert analysis.rhythm_similarity(source, piece) >= RHYTHM_BOUND
        assert analysis.opening(piece) == analysis.opening(source)
        assert analysis.contour_similarity(source, piece) >= CONTOUR_BOUND, freedom
        assert analysis.leading_tones_kept(source, piece) == 1.0, freedom


def test_continue_never_sticks_on_one_note(api: Any, tmp_path: Path) -> None:
    client, headers = api
    tune = upload(client, headers, CADENCE, "cadence.abc")
    opening = pitched(abc_melody(tmp_path, CADENCE, "cadence"))
    for seed in (1, 2, 3):
        params = {"melody": tune, "bars": 16, "style": "chorale", "temperature": 1.2}
        piece, _, _ = make(api, tmp_path, "music.continue", params, seed=seed)
        added = [n for n in analysis.pitched(piece)][len(opening) :]
        assert analysis.longest_repeat(added) <= 3, seed


def test_a_draft_that_fails_its_checks_is_redrawn_and_an_impossible_one_marked(
    api: Any, tmp_path: Path
) -> None:
    """Seed 7's first setting of the cadence probe, which used to close on an open fifth
    (D A A D) and be drawn again, now closes on the full tonic triad (its tenor chosen
    with the alto's third in view) and is delivered as it is. A tune ending on F♯ in
    C major can close on no tonic chord: every draft fails, the best is delivered marked."""
    client, headers = api
    tune = upload(client, headers, CADENCE, "cadence.abc")
    params = {"melody": tune, "candidates": 1}
    piece, work, _ = make(api, tmp_path, "music.harmonize", params, seed=7)
    drafts = work["meta"]["drafts"]
    assert [d["tonic_close"] for d in drafts] == [True] and work["meta"]["chosen"] == 0
    close = analysis.final_chord(piece)
    assert close.root_position_tonic and {p % 12 for p in close.pitches} == {2, 6, 9}
    assert work["checks_unmet"] == [] and work["meta"]["audio"]["lufs"] == pytest.approx(-16, abs=1)

    off = upload(client, headers, ENDS_OFF_KEY, "off-key.abc")
    piece, work, _ = make(api, tmp_path, "music.harmonize", {"melody": off, "candidates": 1})
    assert len(work["meta"]["drafts"]) == 1 + REDRAWS
    assert not any(d["tonic_close"] for d in work["meta"]["drafts"])
    assert [r for r in work["checks_unmet"] if "not the C major tonic chord" in r]
    assert analysis.pitched(piece)[-1].pitch % 12 == 6  # the F sharp, as written
    assert not analysis.final_chord(piece).root_position_tonic
