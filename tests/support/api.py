"""The /v1 API from a TestClient: uploads, jobs and their wait, works, problem details,
server-sent events and row counts (to show a refusal wrote nothing)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atelier.store.models import ApiKey, Job, Upload, Work, WorkFile
from atelier.studio import Studio
from tests.support.media import image_bytes

TERMINAL = ("succeeded", "failed", "canceled")


def studio_of(client: TestClient) -> Studio:
    return client.app.state.studio  # type: ignore[attr-defined,no-any-return]


def snapshot(client: TestClient) -> dict[str, int]:
    """Row counts of the tables a request could write, and the files in the artifact store."""
    studio = studio_of(client)
    with studio.db.transaction() as s:
        counts = {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Job, Upload, Work, WorkFile, ApiKey)
        }
    counts["artifact_files"] = studio.artifacts.count()
    return counts


def upload(
    client: TestClient, headers: dict[str, str], data: bytes | None = None, name: str = "photo.png"
) -> str:
    data = image_bytes(128, 96) if data is None else data
    response = client.post("/v1/uploads", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def submit(
    client: TestClient,
    headers: dict[str, str],
    engine: str,
    params: dict[str, Any],
    seed: int | None = None,
    expect: int = 201,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"engine": engine, "params": params}
    if seed is not None:
        body["seed"] = seed
    response = client.post("/v1/jobs", json=body, headers={**headers, **(extra or {})})
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


def wait_job(
    client: TestClient,
    headers: dict[str, str],
    job_id: str,
    until: tuple[str, ...] = TERMINAL,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Poll the job until its status is one of `until` (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in until:
            return job  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"job still {job['status']}: {job}"
        time.sleep(0.02)


def make_work(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    """Run image.stylize on a fresh upload; returns the (owner's view of the) work."""
    upload_id = upload(client, headers)
    job = submit(
        client,
        headers,
        "image.stylize",
        {"image": upload_id, "style": 3, "max_size": 96, **params},
        seed=7,
    )
    job = wait_job(client, headers, job["id"])
    assert job["status"] == "succeeded", job
    response = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def problem_fields(response: Any) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert body["title"] and body["detail"]
    return [e["field"] for e in body.get("errors", [])]


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def read_events(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """The next `count` events of an open stream's lines: id, event and data of each."""
    found: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if "data" in fields:
                found.append({**fields, "data": json.loads(fields["data"])})
                if len(found) == count:
                    return found
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
    raise AssertionError(f"the stream ended after {len(found)} of {count} events")
