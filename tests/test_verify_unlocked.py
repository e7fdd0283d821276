"""Public verification holds no database lock while it examines a file (issue 12: an
anonymous POST /v1/verify held SQLite's write lock through the watermark decode, and
every other request that writes waited behind it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from atelier.provenance import watermark
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.media import image_bytes
from tests.support.settings import make_settings


def test_a_write_completes_while_a_verify_is_examining_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real watermark decode runs, but only once the test lets it: until then the
    # verify is held in the middle of examining its file.
    examining, release = threading.Event(), threading.Event()
    decode = watermark.detect

    def held_decode(data: bytes) -> str | None:
        examining.set()
        release.wait(60)
        return decode(data)

    monkeypatch.setattr(watermark, "detect", held_decode)
    with (
        TestClient(create_app(make_settings(tmp_path))) as client,
        ThreadPoolExecutor(2) as pool,
    ):
        headers = api_user(client, "maker@example.com")
        picture = image_bytes(320, 240)
        verifying = pool.submit(
            client.post, "/v1/verify", files={"file": ("photo.png", picture, "image/png")}
        )
        try:
            assert examining.wait(30), "the verify never reached the watermark decode"
            writing = pool.submit(
                client.post,
                "/v1/jobs",
                json={"engine": "test.wait", "params": {"seconds": 0.0}},
                headers=headers,
            )
            finished = wait([writing], timeout=20).done
        finally:
            release.set()
        verified = verifying.result(60)

    assert writing in finished, "a write waited behind a verify examining its file"
    assert writing.result().status_code == 201, writing.result().text
    assert verified.status_code == 200, verified.text
    report = verified.json()
    checks = {c["name"]: (c["ok"], c["detail"]) for c in report["checks"]}
    assert report["ok"] is False
    assert checks["manifest"][0] is False
    assert checks["log inclusion"] == (False, "this file's SHA-256 is not in the log")
    assert checks["watermark"] == (None, "no watermark found")
