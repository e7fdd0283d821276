"""The text engines with the real packaged model (Gemma 3 270M, one thread, few tokens):
through the API (text files, parameters, checks, lineage, reproducible seeds, errors that
name the field) and directly (streamed text, the context window)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from atelier.engines.base import Cancelled, Context, EngineConfig, EngineError
from atelier.engines.text import runtime, verse
from atelier.engines.text.meaning import meaning_problems
from atelier.engines.text.restyle import Restyle, chunks
from atelier.engines.text.summarize import Summarize
from atelier.engines.text.write import Write
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import problem_fields, submit, wait_job
from tests.support.settings import ASSETS, make_settings

pytestmark = pytest.mark.slow
CONFIG = EngineConfig(assets_dir=ASSETS, threads=1)
HAIKU = {"form": "haiku", "topic": "the sea at dawn", "keywords": ["gulls"], "candidates": 2}


@pytest.fixture(scope="module", autouse=True)
def model_file() -> None:
    """The packaged GGUF, assembled once (make setup has usually done it already)."""
    Write(CONFIG).prepare()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("text"), workers=1)
    with TestClient(create_app(settings)) as client:
        yield client, api_user(client, "writer@example.com")


def make(
    api: tuple[TestClient, dict[str, str]], engine: str, params: dict[str, Any], seed: int = 7
) -> tuple[str, dict[str, Any]]:
    """Run a job to the end; returns its text and its work."""
    client, headers = api
    job = wait_job(client, headers, submit(client, headers, engine, params, seed=seed)["id"])
    assert job["status"] == "succeeded", job
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    response = client.get(work["url"], headers=headers)
    assert response.headers["content-type"].startswith("text/plain")
    return response.content.decode("utf-8"), work


def context(seed: int = 3) -> tuple[Context, list[tuple[float, str]]]:
    seen: list[tuple[float, str]] = []
    return Context(seed, Path("."), {}, lambda f, m: seen.append((f, m)), threads=1), seen


def test_haiku_is_a_text_work_with_its_checks_and_lineage(api: Any) -> None:
    text, work = make(api, "text.write", HAIKU)
    lines = text.strip().splitlines()
    assert len(lines) == 3 and text.endswith("\n")  # written line by line: three lines
    assert work["mime"] == "text/plain" and work["title"] == "Haiku: the sea at dawn"
    assert work["params"]["topic"] == "the sea at dawn" and work["seed"] == 7
    checks = work["meta"]["checks"]
    assert checks["syllables"] == [verse.line_syllables(line) for line in lines]
    assert checks["meets_form"] == (checks["syllables"] == [5, 7, 5])
    assert 3 <= checks["line_candidates"] <= 9  # two tries a line (a third if both were empty)
    models = [m["name"] for m in work["lineage"]["models"]]
    assert models[0].startswith("Gemma 3 270M") and "CMU Pronouncing Dictionary" in models


def test_prose_keeps_the_best_of_its_drafts() -> None:
    params = Write.Params.model_validate(
        {"form": "slogan", "topic": "a bicycle shop", "keywords": ["ride"], "candidates": 3}
    )
    (creation,) = Write(CONFIG).run(params, context()[0])
    text = creation.files[0].data.decode()
    assert text.count("\n") == 1 and 0 < len(text.split()) <= 20  # one line
    drafts, chosen = creation.meta["drafts"], creation.meta["chosen"]
    assert 3 <= len(drafts) <= 6  # three, and as many again while none met its checks
    assert all(d["unmet"] for d in drafts[3:-1]) and (len(drafts) == 3 or drafts[2]["unmet"])
    best = max(range(len(drafts)), key=lambda i: (not drafts[i]["unmet"], drafts[i]["score"], -i))
    assert chosen == best and creation.unmet == drafts[chosen]["unmet"]
    assert creation.meta["checks"] == {
        k: v for k, v in drafts[chosen].items() if k not in ("score", "unmet", "tokens")
    }
    assert creation.meta["checks"]["keywords_missing"] == (
        [] if "rid" in text.lower() else ["ride"]
    )


def test_same_seed_same_text_whatever_ran_before(api: Any) -> None:
    first, _ = make(api, "text.write", HAIKU, seed=21)
    make(api, "text.write", {**HAIKU, "topic": "a cat asleep"}, seed=5)  # other work between
    again, _ = make(api, "text.write", HAIKU, seed=21)
    other, _ = make(api, "text.write", HAIKU, seed=22)
    assert again == first and other != first


def test_the_model_is_loaded_once_across_jobs(api: Any) -> None:
    """Jobs share the process's one llama.cpp model: none loads it again."""
    client, headers = api
    slogan = {"form": "slogan", "topic": "fresh bread", "candidates": 1, "max_tokens": 8}

    def run(seed: int) -> dict[Any, tuple[Any, Any]]:
        job = submit(client, headers, "text.write", slogan, seed=seed)
        assert wait_job(client, headers, job["id"])["status"] == "succeeded"
        return {
            spec: (model, getattr(model, "llm", None)) for spec, model in runtime._models.items()
        }

    loaded = run(1)
    again = run(2)
    assert again.keys() == loaded.keys() and loaded
    assert all(
        again[spec][0] is model and again[spec][1] is llm for spec, (model, llm) in loaded.items()
    )


def test_bad_parameters_are_refused_naming_the_field(api: Any) -> None:
    client, headers = api
    cases = [
        ("text.write", {"form": "ode", "topic": "x"}, "form"),
        ("text.write", {"form": "haiku", "topic": ""}, "topic"),
        ("text.write", {"form": "haiku", "topic": "x", "keywords": ["k"] * 9}, "keywords"),
        ("text.write", {"form": "haiku", "topic": "x", "temperature": 3}, "temperature"),
        ("text.write", {"form": "haiku", "topic": "x", "stop": ["x" * 41]}, "stop"),
        ("text.summarize", {"text": "x", "length": "essay"}, "length"),
        ("text.restyle", {"text": "Hello there."}, "params"),
    ]
    for engine, params, field in cases:
        response = client.post(
            "/v1/jobs", json={"engine": engine, "params": params}, headers=headers
        )
        assert response.status_code == 422, (params, response.text)
        assert any(field in name for name in problem_fields(response)), response.json()
    # The web page's one text field: comma-separated keywords, one stop string.
    typed = Write.Params.model_validate({"form": "haiku", "topic": "x", "keywords": "a, b c,"})
    assert typed.keywords == ["a", "b c"]
    assert Summarize.Params.model_validate({"text": "x", "stop": "END"}).stop == ["END"]
    restyle = {"text": "Hello.", "style": "formal", "example": "Greetings."}
    response = client.post(
        "/v1/jobs", json={"engine": "text.restyle", "params": restyle}, headers=headers
    )
    assert response.status_code == 422 and "example" in response.text


def test_a_text_too_long_for_the_context_window_fails_naming_the_field(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, workers=1, text_context=512)
    with TestClient(create_app(settings)) as client:
        headers = api_user(client, "long@example.com")
        text = "The committee met again on Tuesday to discuss the budget. " * 60
        job = submit(client, headers, "text.summarize", {"text": text, "candidates": 1})
        job = wait_job(client, headers, job["id"])
    assert job["status"] == "failed"
    assert job["error"].startswith("text: too long for the text model")
    assert "context window of 512 tokens" in job["error"]


def test_drafts_stream_into_the_progress_message() -> None:
    ctx, seen = context()
    params = Write.Params.model_validate(
        {**HAIKU, "candidates": 1, "form": "free_verse", "max_tokens": 40}
    )
    (creation,) = Write(CONFIG).run(params, ctx)
    messages = [m for _, m in seen if m and not m.startswith(("Reading", "Writing"))]
    first = [m for m in messages if not m.startswith("Redraw")]  # the first draft's
    assert len(first) >= 5  # one message per token or so
    for shorter, longer in zip(first, first[1:], strict=False):
        assert longer.startswith(shorter)  # the text grows as it is written
    last = first[-1] if creation.meta["chosen"] == 0 else messages[-1]
    assert creation.files[0].data.decode().strip() in last.strip() + "\n"
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] <= 1.0


def test_restyle_keeps_the_meaning_in_chunks() -> None:
    passage = "The meeting is moved to Friday. Please bring the sales figures."
    assert chunks(passage) == [passage]
    assert len(chunks("One two three. " * 30)) > 1
    ctx, seen = context()
    params = Restyle.Params.model_validate(
        {"text": passage, "style": "casual", "candidates": 2, "max_tokens": 40}
    )
    (creation,) = Restyle(CONFIG).run(params, ctx)
    text = creation.files[0].data.decode().strip()
    assert text and text != passage
    checks = creation.meta["checks"]
    assert 0.3 < checks["similarity"] <= 1.0 and checks["chunks"] == 1
    assert checks["meaning_kept"] == (meaning_problems(passage, text) == [])
    assert creation.meta["style"] == "casual" and 2 <= len(creation.meta["chunk_drafts"][0]) <= 4


def test_summary_as_bullets() -> None:
    text = (
        "The city will open three new libraries next year. Each will have a children's "
        "room, a café and free computers. The libraries will open until nine in the "
        "evening, two hours later than now, and will lend tools as well as books."
    )
    ctx, _ = context()
    params = Summarize.Params.model_validate(
        {"text": text, "length": "bullets", "candidates": 2, "max_tokens": 60}
    )
    (creation,) = Summarize(CONFIG).run(params, ctx)
    lines = creation.files[0].data.decode().strip().splitlines()
    assert lines and all(line.startswith("- ") for line in lines)
    assert creation.meta["length"] == "bullets" and 0 <= creation.meta["checks"]["grounded"] <= 1


def test_an_operators_model_is_named_without_the_servers_folders_or_address() -> None:
    """Every work's lineage shows its models: an operator's GGUF was named by its full path
    on the server, a text server by its address."""
    gguf = Write(EngineConfig(assets_dir=ASSETS, text_model=Path("/srv/models/house-v2.gguf")))
    served = Write(EngineConfig(assets_dir=ASSETS, text_server_url="http://10.1.2.3:8080/v1"))
    for card, name in ((gguf.models[0], "house-v2.gguf"), (served.models[0], "the server's model")):
        assert card.name == name and not card.commercial_use
        assert "/srv" not in f"{card.name} {card.source}" and "10.1.2.3" not in card.source


def test_an_unreachable_server_is_a_clear_error() -> None:
    config = EngineConfig(assets_dir=ASSETS, text_server_url="http://127.0.0.1:9/v1")
    engine = Write(config)
    assert engine.available() is None and engine.models[0].commercial_use is False
    params = Write.Params.model_validate({**HAIKU, "candidates": 1})
    with pytest.raises(EngineError, match="cannot be reached"):
        engine.run(params, context()[0])


def test_cancelling_stops_a_draft_as_it_is_written() -> None:
    cancel = threading.Event()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if len(message) > 20:  # some text is out: the user cancels
            cancel.set()

    ctx = Context(1, Path("."), {}, progress, cancel, threads=1)
    params = {"form": "story", "topic": "a lost key", "candidates": 2, "max_tokens": 300}
    started = time.monotonic()
    with pytest.raises(Cancelled):
        Write(CONFIG).run(Write.Params.model_validate(params), ctx)
    assert time.monotonic() - started < 30 and 20 < len(seen[-1]) < 200
    ctx, _ = context()  # the model is free for the next job
    params = Write.Params.model_validate({**HAIKU, "form": "slogan", "candidates": 1})
    assert Write(CONFIG).run(params, ctx)[0].files[0].data.strip()
