"""The OpenAI-compatible backend against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`) serving the packaged GGUF on a free port. Same prompt,
sampling settings and seed as in-process, so the same text comes back."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from atelier.engines.base import Context, EngineConfig
from atelier.engines.text.runtime import PACKAGED_GGUF, OpenAIServerModel
from atelier.engines.text.write import Write
from tests.support.servers import free_port
from tests.support.settings import ASSETS

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    Write(EngineConfig(assets_dir=ASSETS)).prepare()
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(ASSETS / PACKAGED_GGUF)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    command += ["--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the llama.cpp server did not start"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # its uvicorn waits on open connections: once
            server.kill()  # (a full run, a loaded machine) it outlived 30 s
            server.wait(10)


def run(config: EngineConfig, params: dict[str, object]) -> tuple[str, list[str], dict]:
    messages: list[str] = []
    ctx = Context(3, Path("."), {}, lambda fraction, message: messages.append(message))
    engine = Write(config)
    (creation,) = engine.run(engine.Params.model_validate(params), ctx)
    return creation.files[0].data.decode(), messages, creation.meta


def test_the_server_writes_what_llama_cpp_writes_in_process(server_url: str) -> None:
    params = {"form": "slogan", "topic": "a tea shop", "candidates": 2}
    local, _, _ = run(EngineConfig(assets_dir=ASSETS, threads=1), params)
    served, messages, meta = run(
        EngineConfig(assets_dir=ASSETS, text_server_url=server_url), params
    )
    assert served == local and served.strip()
    assert meta["model"] == "the server's model" and len(meta["drafts"]) >= 2
    assert server_url not in str(meta)  # the server's address stays out of the work's record
    assert any(served.strip()[:8] in m for m in messages)  # streamed as it was written


def test_the_server_backend_names_its_model_and_next_words(server_url: str) -> None:
    model = OpenAIServerModel(server_url)
    assert model.name.endswith(".gguf")  # the first model the server lists
    words = model.next_words("The cat sat on the")
    assert words and all(w.isalpha() and w.islower() for w in words)
    assert max(words, key=lambda w: words[w]) in {"mat", "floor", "table", "bed", "chair"}
