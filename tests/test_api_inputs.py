"""Text neither database can store (a NUL: PostgreSQL's text refuses it; an unpaired
surrogate: it has no UTF-8) is refused at the door with a 422 problem naming the field,
wherever it comes in (JSON body, query, path, header, upload name), on SQLite and
PostgreSQL alike, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from atelier.web.app import create_app
from tests.support.accounts import api_user, sign_in
from tests.support.api import problem_fields
from tests.support.media import image_bytes
from tests.support.settings import make_settings

NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.fixture
def client(tmp_path: Path, db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path, db_url, workers=0))) as test_client:
        yield test_client


BOUNDARY = "atelier-test-boundary"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def upload(filename: str) -> bytes:
    """A multipart body with the file name as sent (httpx would percent-escape a NUL)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
    )
    tail = f"\r\n--{BOUNDARY}--\r\n"
    return head.encode("utf-8", "surrogatepass") + image_bytes() + tail.encode()


def refused(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return problem_fields(response)


def test_a_nul_is_refused_naming_the_field_wherever_it_comes_in(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    job = {"engine": "text.write", "params": {"prompt": NUL}}
    assert refused(client.post("/v1/jobs", json=job, headers=alice)) == ["params.prompt"]
    wrong_engine = {"engine": NUL, "params": {}}
    assert refused(client.post("/v1/jobs", json=wrong_engine, headers=alice)) == ["engine"]
    keyed = {**alice, "Idempotency-Key": NUL}
    ok_job = {"engine": "text.write", "params": {"prompt": "hi"}}
    assert refused(client.post("/v1/jobs", json=ok_job, headers=keyed)) == ["Idempotency-Key"]
    assert client.get("/v1/jobs", headers=alice).json()["items"] == []  # nothing written

    assert refused(client.get("/v1/works", params={"engine": NUL}, headers=alice)) == ["engine"]
    assert refused(client.get("/v1/jobs/a%00b", headers=alice)) == ["job_id"]

    sent = client.post("/v1/uploads", content=upload(f"{NUL}.png"), headers={**alice, **FORM})
    assert refused(sent) == ["file"]


def test_an_unpaired_surrogate_in_json_is_refused_naming_the_field(client: TestClient) -> None:
    """JSON may spell one (`\\ud800`); it has no UTF-8, so no database takes it."""
    alice = api_user(client, "alice@example.com")
    body = json.dumps({"engine": "text.write", "params": {"prompt": SURROGATE, "x": [SURROGATE]}})
    sent = client.post("/v1/jobs", content=body, headers={**alice, **JSON})
    assert refused(sent) == ["params.prompt", "params.x.0"]
    assert client.get("/v1/jobs", headers=alice).json()["items"] == []


def test_storable_text_still_gets_in(client: TestClient) -> None:
    """The guard refuses only what cannot be stored: other control characters, accents
    and emoji are kept as sent."""
    api_user(client, "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    name = "tab\there, é, 🎨, \x01"
    made = client.post("/v1/keys", json={"name": name}, headers=csrf)
    assert made.status_code == 201, made.text
    assert [k["name"] for k in client.get("/v1/keys").json()["items"]] == ["test", name]
