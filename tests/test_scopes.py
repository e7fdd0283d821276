"""API key scopes, route by route: a read-only key is refused (403) on every route of the
API that can change something, enumerated from the app itself, and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from atelier.accounts import service as accounts
from atelier.store.models import ApiKey, Base
from atelier.studio import Studio
from atelier.studio.runner import Worker
from tests.support.accounts import add_user
from tests.support.api import studio_of
from tests.support.media import image_bytes
from tests.support.settings import make_settings

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies that would change something if the scope were not checked.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/v1/works/{work_id}"): {"visibility": "public", "title": "changed"},
    ("POST", "/v1/jobs"): {"engine": "test.wait", "params": {}},
    ("POST", "/v1/keys"): {"name": "child", "scopes": ["read", "write"]},
    ("PUT", "/v1/admin/moderation/policy"): {"actions": {"violence": "allow"}},
    ("POST", "/v1/account/payouts"): {"amount": 2000},
}


def write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every /v1 route that takes a change, as the app routes them."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)  # FastAPI ≥ 0.16x
    routes: Iterator[Any] = contexts(app.routes) if contexts else iter(app.routes)
    found = set()
    for route in routes:
        path = getattr(route, "path", None) or ""
        for method in (getattr(route, "methods", None) or set()) & WRITES:
            if path.startswith("/v1/"):
                found.add((method, path))
    return sorted(found)


def everything(studio: Studio) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (a key's last use aside: reading stamps it), and the
    stored files."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with studio.db.transaction() as s:
        for table in Base.metadata.sorted_tables:
            columns = [
                c for c in table.columns if (table.name, c.name) != ("api_keys", "last_used_at")
            ]
            rows[table.name] = sorted(
                (tuple(repr(v) for v in row) for row in s.execute(select(*columns))),
            )
    rows["artifacts"] = sorted((d,) for d in studio.artifacts.digests())
    return rows


@pytest.fixture
def quiet_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app without workers: a queued job stays queued while the routes are walked."""
    from atelier.web.app import create_app

    with TestClient(create_app(make_settings(tmp_path, workers=0))) as client:
        yield client


def test_a_read_only_key_is_refused_on_every_write_route(quiet_client: TestClient) -> None:
    client = quiet_client
    studio = studio_of(client)
    # An admin, so that no route refuses for want of a role: only the scope can stop it.
    who = add_user(studio, "reader@example.com", role="admin")
    upload = studio.uploads.add(who, "photo.png", image_bytes(64, 48))
    made, _ = studio.jobs.submit(who, "test.wait", {})
    assert Worker(studio).run_one()
    work_id = studio.jobs.get(who, made.id).works[0].id
    queued, _ = studio.jobs.submit(who, "test.wait", {"seconds": 5})
    with studio.db.transaction() as s:
        _, writer = accounts.create_key(s, who.user_id, "writer", ["read", "write"])
        key, _ = accounts.create_key(s, who.user_id, "reader", ["read"])
        assert s.scalar(select(ApiKey.scopes).where(ApiKey.name == "reader")) == ["read"]
    plan = studio.commerce.plans()[0]
    pack = studio.commerce.packs()[0]
    ids = {
        "work_id": work_id,
        "job_id": queued.id,
        "upload_id": upload.id,
        "key_id": writer.id,
        "plan_id": plan.id,
        "pack_id": pack.id,
        "offer": "personal",
    }
    reader = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/works", headers=reader).status_code == 200  # it does read

    routes = write_routes(client.app)  # type: ignore[arg-type]
    assert ("PATCH", "/v1/works/{work_id}") in routes
    assert ("POST", "/v1/jobs/{job_id}/cancel") in routes
    before = everything(studio)
    answers: dict[tuple[str, str], tuple[int, str]] = {}
    for method, path in routes:
        url = path
        for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
            url = url.replace(f"{{{name}}}", ids.get(name, "0" * 32))
        body = BODIES.get((method, path))
        response = client.request(method, url, headers=reader, json=body)
        refused = response.status_code == 403 and response.headers["content-type"].startswith(
            "application/problem+json"
        )
        # Refused for the key's scope, not by some later check.
        if not (refused and "may only read" in response.json()["detail"]):
            answers[(method, path)] = (response.status_code, response.text[:200])
    assert answers == {}
    assert everything(studio) == before
    assert studio.jobs.get(who, queued.id).status == "queued"
