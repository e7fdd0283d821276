"""What an engine says it will make (its budget) before it runs: plans refuse a job over
their limits at submit, before any credits move; estimates scale with the real input (a
picture's size, a melody's length); the form's hints come from the params' metadata."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy import func, select, update

from atelier.commerce.models import LedgerTransaction, Plan
from atelier.engines import registry
from atelier.engines.base import (
    ADVANCED,
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    Inputs,
    Measure,
    Params,
)
from atelier.engines.music.files import melody_line
from atelier.errors import Invalid
from atelier.store.models import Job, Upload
from atelier.studio import Studio
from atelier.studio.uploads import measure
from tests.support.accounts import add_user, sign_in
from tests.support.media import image_bytes, melody_midi


def set_trial(studio: Studio, **values: Any) -> None:
    with studio.db.transaction() as s:
        s.execute(update(Plan).where(Plan.id == "trial").values(**values))


def count(studio: Studio, model: Any) -> int:
    with studio.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_plans_pixel_limit_holds_upscale_at_submit_with_no_ledger_row(
    studio: Studio,
) -> None:
    set_trial(studio, max_pixels=500_000)
    who = add_user(studio, "maker@example.com")
    photo = studio.uploads.add(who, "photo.png", image_bytes(400, 300))  # 120,000 pixels
    jobs, ledger_rows = count(studio, Job), count(studio, LedgerTransaction)
    with pytest.raises(Invalid) as refused:  # ×4 makes 1,600×1,200: 1,920,000 pixels
        studio.jobs.submit(who, "image.upscale", {"image": photo.id, "scale": 4})
    assert refused.value.status == 422
    assert refused.value.errors[0][0] == "params.scale"
    assert "1,920,000 pixels" in refused.value.detail and "500,000" in refused.value.detail
    assert (count(studio, Job), count(studio, LedgerTransaction)) == (jobs, ledger_rows)
    job, _ = studio.jobs.submit(who, "image.upscale", {"image": photo.id, "scale": 2})
    assert job.status == "queued"  # 800×600 is within the limit


def test_a_plans_audio_limit_holds_music_at_submit(studio: Studio) -> None:
    set_trial(studio, max_seconds=20)
    who = add_user(studio, "maker@example.com")
    melody = studio.uploads.add(who, "tune.mid", melody_midi(8))  # 16 s at 120 a minute
    assert melody.seconds == pytest.approx(16.0) and melody.bars == 8
    ledger_rows = count(studio, LedgerTransaction)
    with pytest.raises(Invalid) as refused:  # 8 bars more: 32 s
        studio.jobs.submit(who, "music.continue", {"melody": melody.id, "bars": 8})
    assert refused.value.errors[0][0] == "params.bars"
    assert "32.0 seconds of audio" in refused.value.detail and "20 seconds" in refused.value.detail
    with pytest.raises(Invalid) as slow:  # the same melody at half the speed: 32 s
        studio.jobs.submit(who, "music.harmonize", {"melody": melody.id, "tempo": 60})
    assert slow.value.errors[0][0] == "params.melody"
    assert count(studio, LedgerTransaction) == ledger_rows
    job, _ = studio.jobs.submit(who, "music.harmonize", {"melody": melody.id})
    assert job.status == "queued"


def test_the_estimate_grows_with_the_input(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    small = studio.uploads.add(who, "small.png", image_bytes(64, 48))
    large = studio.uploads.add(who, "large.png", image_bytes(480, 360))
    costs = [
        studio.jobs.submit(who, "image.upscale", {"image": photo.id, "scale": 2})[0].cost_estimate
        for photo in (small, large)
    ]
    assert costs[1] > costs[0]
    short = studio.uploads.add(who, "short.mid", melody_midi(2))
    long = studio.uploads.add(who, "long.mid", melody_midi(12))
    seconds = [
        studio.engines.estimate("music.harmonize", {}, {"melody": measured})["seconds"]
        for measured in (_measure(short), _measure(long))
    ]
    assert seconds[1] > seconds[0] * 2
    # The melody's notes are recorded with it: what the music engines' work follows.
    line = melody_line(melody_midi(12))
    assert line is not None and _measure(long).notes == len(line.parts[0].notes) > 0
    cost = studio.jobs.submit(who, "music.harmonize", {"melody": long.id})[0].cost_estimate
    assert (
        cost
        == studio.engines.estimate("music.harmonize", {}, {"melody": _measure(long)})["credits"]
    )


def _measure(upload: Upload) -> Measure:
    found = measure(upload)
    assert found is not None
    return found


# -- a toy engine: its form, estimate and limits come from its params and budget --------


class KnobParams(Params):
    tiles: int = Field(4, ge=2, le=24, multiple_of=2, description="Tiles along each side.")
    grain: float = Field(
        0.25, ge=0.05, le=0.75, description="How rough each tile is.", json_schema_extra=ADVANCED
    )


class Knobs(Engine[KnobParams]):
    """Tiles of 32 pixels a side: a picture whose size its params say."""

    name = "test.knobs"
    medium = "image"
    title = "Knobs (test)"
    description = "A grey picture of tiles."
    Params = KnobParams

    def output_budget(self, params: KnobParams, inputs: Inputs) -> Budget:
        side = 32 * params.tiles
        return Budget(images=1, pixels=side * side, field="tiles")

    def run(self, params: KnobParams, ctx: Context) -> list[Creation]:
        return [Creation(files=[Artifact("tiles.txt", "text/plain", b"tiles\n")])]


registry.register(Knobs)


def test_a_toy_engine_gets_its_form_hints_and_limits_from_its_params(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    add_user(studio, "maker@example.com")
    sign_in(client, "maker@example.com")
    page = client.get("/create/test.knobs")
    assert page.status_code == 200, page.text
    tiles = re.search(r'<input type="number" id="f-tiles"[^>]*>', page.text)
    assert tiles is not None
    assert 'min="2"' in tiles.group(0) and 'max="24"' in tiles.group(0)
    assert 'step="2"' in tiles.group(0)
    assert "Tiles along each side." in page.text
    basic, advanced = page.text.split("<summary>Advanced settings</summary>")
    assert 'id="f-grain"' in advanced and 'id="f-grain"' not in basic
    assert 'min="0.05"' in advanced and 'max="0.75"' in advanced

    set_trial(studio, max_pixels=512 * 512)
    who = add_user(studio, "toy@example.com")
    with pytest.raises(Invalid) as refused:  # 24 tiles: 768×768
        studio.jobs.submit(who, "test.knobs", {"tiles": 24})
    assert refused.value.errors[0][0] == "params.tiles"
    small = studio.engines.estimate("test.knobs", {"tiles": 2})
    large = studio.engines.estimate("test.knobs", {"tiles": 16})
    assert large["seconds"] > small["seconds"]  # the default rates price its pixels
