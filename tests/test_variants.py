"""Variants (issue 18): an image engine that generates makes 4 pictures by default, from
seeds next to each other, each its own work sealed with its own seed; the cost line, the
hold and a 402 say the cost is for 4; `variants=1` makes one; keeping one deletes the
job's other works. Pixels are compared on the engine's own files and on the stored ones
(each stored file carries its own work's watermark)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from atelier.commerce import credits, ledger
from atelier.commerce.models import Plan
from atelier.engines.base import Context
from atelier.engines.image.compose import Compose
from atelier.web.app import create_app
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.api import studio_of, submit, wait_job
from tests.support.media import pixels, png_text
from tests.support.settings import make_settings

FOX = "a red fox in the snow"
SMALL = {"prompt": FOX, "width": 512, "height": 512}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("variants"), workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def headers(client: TestClient) -> dict[str, str]:
    return api_user(client, "variants@example.com")


def apart(pictures: list[np.ndarray]) -> list[float]:
    """Mean absolute difference of every pair of pictures (0–255)."""
    return [float(np.abs(a - b).mean()) for i, a in enumerate(pictures) for b in pictures[i + 1 :]]


def finished(client: TestClient, headers: dict[str, str], params: dict[str, Any], seed: int) -> Any:
    job = wait_job(client, headers, submit(client, headers, "image.compose", params, seed)["id"])
    assert job["status"] == "succeeded", job
    return job


def test_compose_makes_four_different_pictures_from_consecutive_seeds(
    compose_engine: Compose, tmp_path: Path
) -> None:
    made = compose_engine.run(
        compose_engine.Params(**SMALL), Context(seed=50, scratch=tmp_path, files={})
    )
    assert [c.seed for c in made] == [50, 51, 52, 53]
    pictures = [pixels(c.files[0].data) for c in made]
    assert min(apart(pictures)) > 5, apart(pictures)
    assert all(f"Seed: {c.seed}," in png_text(c.files[0].data)["parameters"] for c in made)
    # Any variant is made again alone from its own seed.
    [alone] = compose_engine.run(
        compose_engine.Params(**SMALL, variants=1), Context(seed=52, scratch=tmp_path, files={})
    )
    assert np.array_equal(pixels(alone.files[0].data), pictures[2])  # its recipe says 1


@pytest.fixture(scope="module")
def four(client: TestClient, headers: dict[str, str]) -> Any:
    """A finished job of 4 variants (seed 70), read by the tests that change nothing."""
    return finished(client, headers, SMALL, seed=70)


def test_a_job_stores_four_works_each_sealed_with_its_own_seed(
    client: TestClient, headers: dict[str, str], four: Any
) -> None:
    job = four
    assert job["params"]["variants"] == 4
    assert [w["seed"] for w in job["works"]] == [70, 71, 72, 73]
    assert [w["id"] for w in job["works"]] == job["work_ids"]
    works = [client.get(f"/v1/works/{i}", headers=headers).json() for i in job["work_ids"]]
    assert [w["seed"] for w in works] == [70, 71, 72, 73]
    files = [client.get(w["url"], headers=headers).content for w in job["works"]]
    assert min(apart([pixels(f) for f in files])) > 5
    assert "Seed: 71" in png_text(files[1])["parameters"]
    assert len({w["provenance"]["log_index"] for w in works}) == 4  # one log entry each
    assert all(client.get(w["thumbnail"], headers=headers).status_code == 200 for w in job["works"])


def test_variants_1_makes_one(client: TestClient, headers: dict[str, str]) -> None:
    job = finished(client, headers, {**SMALL, "variants": 1}, seed=70)
    assert [w["seed"] for w in job["works"]] == [70]


def test_the_hold_is_for_four_and_is_settled(client: TestClient, four: Any) -> None:
    studio = studio_of(client)
    engine = studio.engines.get("image.compose")
    estimate = studio.engines.estimate("image.compose", SMALL)["credits"]
    one = studio.engines.estimate("image.compose", {**SMALL, "variants": 1})["credits"]
    budget = engine.output_budget(engine.Params(**SMALL), {})
    alone = engine.output_budget(engine.Params(**SMALL, variants=1), {})
    assert budget.images == 4 and budget.pixels_out == 4 * alone.pixels_out and estimate > one
    job = four
    assert job["cost_estimate"] == estimate and len(job["works"]) == 4
    with studio.db.transaction() as s:
        hold = ledger.find(s, f"job:{job['id']}:reserve")
        settle = ledger.find(s, f"job:{job['id']}:settle")
        assert hold is not None and settle is not None
        held = sum(
            e.amount for e in hold.entries if e.account == credits.held_account(hold.user_id or "")
        )
        charged = sum(e.amount for e in settle.entries if e.account == credits.USAGE)
    assert held == credits.reservation(estimate)
    assert hold.memo == "image.compose (estimate for 4 variants)"
    assert 1 <= charged <= held  # the measured cost of the four made, the rest given back


@pytest.fixture
def few_credits(client: TestClient) -> Iterator[int]:
    """New users' Trial grants 1 credit while the test runs: one 1024 px picture, not four."""
    studio = studio_of(client)

    def trial(amount: int) -> None:
        with studio.db.transaction() as s:
            s.execute(update(Plan).where(Plan.id == "trial").values(monthly_credits=amount))

    trial(1)
    yield 1
    trial(200)


def test_the_cost_line_and_a_402_say_for_4(client: TestClient, few_credits: int) -> None:
    studio = studio_of(client)
    add_user(studio, "short@example.com")
    token = sign_in(client, "short@example.com")["X-CSRF-Token"]
    large = {"prompt": FOX, "width": "1024", "height": "1024"}
    line = client.get("/create/image.compose/estimate", params=large).json()
    assert re.fullmatch(
        r"About [\d.]+ s · [\d.]+ credits for 4 variants: more than .*", line["text"]
    )
    assert line["variants"] == 4
    assert line["short"] == pytest.approx(line["credits"] - few_credits)
    single = client.get("/create/image.compose/estimate", params={**large, "variants": "1"})
    assert "variants" not in single.json()["text"] and single.json()["short"] == 0
    # The form, created anyway: a 402 page that says what the cost is for.
    page = client.post("/create/image.compose", data={**large, "csrf_token": token})
    assert page.status_code == 402
    assert re.search(r"credits\s+for 4 variants and your balance", page.text), page.text
    # The API says it too, and writes nothing.
    headers = api_user(client, "short-api@example.com")
    body = {"engine": "image.compose", "params": {**SMALL, "width": 1024, "height": 1024}}
    refused = client.post("/v1/jobs", json=body, headers=headers)
    assert refused.status_code == 402
    needed = refused.json()["needed"]
    assert (
        f"costs up to {needed} credits for 4 variants and your balance is 1"
        in (refused.json()["detail"])
    )
    assert client.get("/v1/jobs", headers=headers).json()["items"] == []


def test_keeping_one_deletes_the_others(client: TestClient, headers: dict[str, str]) -> None:
    job = finished(client, headers, SMALL, seed=110)
    ids = job["work_ids"]
    chosen, others = ids[2], [ids[0], ids[1], ids[3]]
    kept = client.post(f"/v1/works/{chosen}/keep", headers=headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["work_ids"] == [chosen] and kept.json()["works"][0]["seed"] == 112
    assert client.get(f"/v1/jobs/{job['id']}", headers=headers).json()["work_ids"] == [chosen]
    assert [client.get(f"/v1/works/{i}", headers=headers).status_code for i in others] == [404] * 3
    assert client.get(f"/v1/works/{chosen}/file", headers=headers).status_code == 200
    again = client.post(f"/v1/works/{chosen}/keep", headers=headers)  # nothing left to delete
    assert again.status_code == 200 and again.json()["work_ids"] == [chosen]
    stranger = api_user(client, "stranger@example.com")
    assert client.post(f"/v1/works/{chosen}/keep", headers=stranger).status_code == 404
    assert client.post(f"/v1/works/{others[0]}/keep", headers=headers).status_code == 404
