"""The /v1 API end to end: jobs (idempotency, listing, SSE, cancel), engines, works and
their files, object-level authorisation, and bad input that must leave nothing behind."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import (
    make_work,
    problem_fields,
    snapshot,
    sse_events,
    submit,
    upload,
    wait_job,
)
from tests.support.media import image_bytes
from tests.support.settings import make_settings

# -- engines and docs ------------------------------------------------------------------


def test_engines_list_stylize_with_its_schema(client: TestClient) -> None:
    response = client.get("/v1/engines")
    assert response.status_code == 200
    engines = {e["name"]: e for e in response.json()["items"]}
    stylize = engines["image.stylize"]
    assert stylize["available"] is True and stylize["medium"] == "image"
    props = stylize["params_schema"]["properties"]
    assert props["image"]["format"] == "upload"
    assert props["image"]["accept"] == ["image"]
    assert props["style"]["anyOf"][0]["maximum"] == 25
    assert {"strength", "keep_colors", "max_size", "style_image"} <= set(props)
    assert stylize["params_schema"]["additionalProperties"] is False
    assert stylize["models"] and stylize["models"][0]["licence"]
    one = client.get("/v1/engines/image.stylize")
    assert one.status_code == 200 and one.json()["params_schema"] == stylize["params_schema"]
    missing = client.get("/v1/engines/no.such")
    assert missing.status_code == 404 and problem_fields(missing) == ["name"]


def test_docs_and_openapi_serve(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/v1/jobs", "/v1/uploads", "/v1/works/{work_id}/file", "/v1/engines"} <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# -- jobs ------------------------------------------------------------------------------


def test_create_job_returns_201_and_location_then_succeeds(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    response = client.post(
        "/v1/jobs", json={"engine": "test.wait", "params": {}, "seed": 42}, headers=alice
    )
    assert response.status_code == 201
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in ("queued", "running") and job["seed"] == 42
    assert job["params"] == {
        "seconds": 0.0,
        "steps": 1,
        "works": 1,
        "fail": False,
        "empty": False,
        "unmet": [],
    }
    done = wait_job(client, alice, job["id"])
    assert done["status"] == "succeeded" and len(done["work_ids"]) == 1
    work = client.get(f"/v1/works/{done['work_ids'][0]}", headers=alice).json()
    text = client.get(work["url"], headers=alice)
    assert text.status_code == 200 and text.content == b"seed 42 work 0\n"


def test_idempotency_key_replays_and_conflicts(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    key = {"Idempotency-Key": "order-1"}
    first = submit(client, alice, "test.wait", {"steps": 2}, seed=1, extra=key)
    wait_job(client, alice, first["id"])  # so that nothing else writes while we count
    again = client.post(
        "/v1/jobs",
        json={"engine": "test.wait", "params": {"steps": 2}, "seed": 1},
        headers={**alice, **key},
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.headers["location"] == f"/v1/jobs/{first['id']}"
    before = snapshot(client)
    other = client.post(
        "/v1/jobs",
        json={"engine": "test.wait", "params": {"steps": 3}, "seed": 1},
        headers={**alice, **key},
    )
    assert other.status_code == 409 and problem_fields(other) == ["Idempotency-Key"]
    assert snapshot(client) == before
    # Keys belong to their user: another user's same key is a new job.
    bob = api_user(client, "bob@example.com")
    theirs = submit(client, bob, "test.wait", {"steps": 2}, seed=1, extra=key)
    assert theirs["id"] != first["id"]
    mine = client.get("/v1/jobs", headers=alice).json()["items"]
    assert [j["id"] for j in mine] == [first["id"]]
    wait_job(client, bob, theirs["id"])


def test_list_jobs_only_mine_filter_by_status_and_cancel(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    quick = submit(client, alice, "test.wait", {})
    wait_job(client, alice, quick["id"])
    bobs = submit(client, bob, "test.wait", {})
    wait_job(client, bob, bobs["id"])
    long = submit(client, alice, "test.wait", {"seconds": 60, "steps": 600})
    wait_job(client, alice, long["id"], until=("running",))
    queued = submit(client, alice, "test.wait", {"seconds": 60})  # behind `long`: one worker

    def ids(**query: str) -> list[str]:
        response = client.get("/v1/jobs", params=query, headers=alice)
        assert response.status_code == 200, response.text
        return [j["id"] for j in response.json()["items"]]

    assert set(ids()) == {quick["id"], long["id"], queued["id"]}
    assert ids(status="succeeded") == [quick["id"]]
    assert ids(status="running") == [long["id"]]
    assert ids(status="queued") == [queued["id"]]
    assert [j["id"] for j in client.get("/v1/jobs", headers=bob).json()["items"]] == [bobs["id"]]
    bad = client.get("/v1/jobs", params={"status": "done"}, headers=alice)
    assert bad.status_code == 422 and problem_fields(bad) == ["status"]

    # A queued job is cancelled at once; a running one at its engine's next check.
    canceled = client.post(f"/v1/jobs/{queued['id']}/cancel", headers=alice)
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    running = client.post(f"/v1/jobs/{long['id']}/cancel", headers=alice)
    assert running.status_code == 200 and running.json()["cancel_requested"] is True
    final = wait_job(client, alice, long["id"], timeout=20)
    assert final["status"] == "canceled" and final["work_ids"] == [] and final["error"] is None
    assert sorted(ids(status="canceled")) == sorted([queued["id"], long["id"]])
    again = client.post(f"/v1/jobs/{quick['id']}/cancel", headers=alice)
    assert again.status_code == 409 and problem_fields(again) == ["job_id"]


def test_events_stream_progress_then_done(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    job = submit(client, alice, "test.wait", {"seconds": 1.0, "steps": 4, "works": 2})
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=alice) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = sse_events(text)
    names = [name for name, _ in events]
    assert names[-1] == "done" and set(names[:-1]) == {"progress"} and len(names) >= 2
    progress = [data["progress"] for name, data in events if name == "progress"]
    assert progress == sorted(progress)
    done = events[-1][1]
    assert done["id"] == job["id"] and done["status"] == "succeeded" and done["progress"] == 1.0
    assert len(done["work_ids"]) == 2
    for work_id in done["work_ids"]:
        assert client.get(f"/v1/works/{work_id}", headers=alice).status_code == 200


def test_events_come_at_once_then_a_few_reports_to_an_event(client: TestClient) -> None:
    """A text job reports every token; the stream sends its first reports one to an event,
    then at most one event every EVENT_MIN_GAP_SECONDS carrying the latest (an event per
    token took CPU from the model on a small machine). Here 60 reports in 1.2 s."""
    from atelier.web.api.jobs import EAGER_EVENTS, EVENT_MIN_GAP_SECONDS

    alice = api_user(client, "alice@example.com")
    job = submit(client, alice, "test.wait", {"seconds": 1.2, "steps": 60})
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=alice) as response:
        text = "".join(response.iter_text())
    events = sse_events(text)
    progress = [data["message"] for name, data in events if name == "progress"]
    # a job still queued has no message yet
    steps = [int(m.split()[1]) for m in progress if m is not None and m.startswith("step ")]
    assert events[-1][0] == "done" and steps == sorted(steps)
    assert len(progress) <= EAGER_EVENTS + 1.2 / EVENT_MIN_GAP_SECONDS + 2 < 60
    assert steps[-1] >= 30  # the latest report still went out


def test_events_stream_of_a_failed_job(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    job = submit(client, alice, "test.wait", {"fail": True})
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=alice) as response:
        events = sse_events("".join(response.iter_text()))
    assert events[-1][0] == "failed"
    assert events[-1][1]["error"] == "asked to fail" and events[-1][1]["work_ids"] == []


# -- works and their files ----------------------------------------------------------------


def test_work_file_thumbnail_and_files_list(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    upload_id = upload(client, alice, image_bytes(480, 320, seed=2))
    job = submit(
        client, alice, "image.stylize", {"image": upload_id, "style": 1, "max_size": 448}, seed=5
    )
    job = wait_job(client, alice, job["id"])
    assert job["status"] == "succeeded", job
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=alice).json()
    assert work["job_id"] == job["id"] and work["seed"] == 5
    assert work["params"]["max_size"] == 448 and work["mime"] == "image/png"
    files = {f["name"]: f for f in work["files"]}
    assert files["image.png"]["role"] == "primary"
    assert files["thumbnail.webp"]["role"] == "thumbnail"
    assert files["thumbnail.webp"]["mime"] == "image/webp"

    primary = client.get(f"/v1/works/{work['id']}/file", headers=alice)
    assert primary.status_code == 200
    assert primary.headers["content-type"] == "image/png"
    assert primary.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(primary.content) == work["size"] == files["image.png"]["size"]
    picture = Image.open(io.BytesIO(primary.content))
    assert picture.format == "PNG" and picture.size == (448, 299)
    assert work["meta"] == {"width": 448, "height": 299}
    by_name = client.get(f"/v1/works/{work['id']}/files/image.png", headers=alice)
    assert by_name.content == primary.content

    thumb = client.get(f"/v1/works/{work['id']}/files/thumbnail.webp", headers=alice)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    small = Image.open(io.BytesIO(thumb.content))
    assert small.format == "WEBP"
    assert max(small.size) <= 384 and small.size == (384, 256)

    missing = client.get(f"/v1/works/{work['id']}/files/nope.png", headers=alice)
    assert missing.status_code == 404 and problem_fields(missing) == ["name"]
    mine = client.get("/v1/works", headers=alice).json()["items"]
    assert [w["id"] for w in mine] == [work["id"]]
    assert (
        client.get("/v1/works", params={"engine": "test.wait"}, headers=alice).json()["items"] == []
    )


def test_patch_work_title_and_visibility_validation(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    job = wait_job(client, alice, submit(client, alice, "test.wait", {})["id"])
    work_id = job["work_ids"][0]
    changed = client.patch(f"/v1/works/{work_id}", json={"title": "Mine"}, headers=alice)
    assert changed.status_code == 200 and changed.json()["title"] == "Mine"
    assert changed.json()["visibility"] == "private"
    bad = client.patch(f"/v1/works/{work_id}", json={"visibility": "everyone"}, headers=alice)
    assert bad.status_code == 422 and problem_fields(bad) == ["visibility"]
    long = client.patch(f"/v1/works/{work_id}", json={"title": "x" * 201}, headers=alice)
    assert long.status_code == 422 and problem_fields(long) == ["title"]
    assert client.get(f"/v1/works/{work_id}", headers=alice).json()["title"] == "Mine"


# -- object-level authorisation ---------------------------------------------------------


def test_other_users_cannot_reach_private_jobs_works_uploads(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    work = make_work(client, alice)
    job_id, work_id = work["job_id"], work["id"]
    alice_upload = work["params"]["image"]
    waiting = submit(client, alice, "test.wait", {"seconds": 60, "steps": 600})
    anonymous = TestClient(client.app)

    for caller, who in ((client, bob), (anonymous, {})):
        for url in (
            f"/v1/works/{work_id}",
            f"/v1/works/{work_id}/file",
            f"/v1/works/{work_id}/files/image.png",
            f"/v1/works/{work_id}/files/thumbnail.webp",
        ):
            response = caller.get(url, headers=who)
            assert response.status_code == 404, (url, response.text)
            assert alice_upload not in response.text and job_id not in response.text
    for url in (
        f"/v1/jobs/{job_id}",
        f"/v1/jobs/{waiting['id']}",
        f"/v1/jobs/{job_id}/events",
        f"/v1/uploads/{alice_upload}",
    ):
        response = client.get(url, headers=bob)
        assert response.status_code == 404, (url, response.text)
        assert "alice" not in response.text
    cancel = client.post(f"/v1/jobs/{waiting['id']}/cancel", headers=bob)
    assert cancel.status_code == 404
    assert (
        client.get(f"/v1/jobs/{waiting['id']}", headers=alice).json()["cancel_requested"] is False
    )
    patch = client.patch(f"/v1/works/{work_id}", json={"visibility": "public"}, headers=bob)
    assert patch.status_code == 404

    # Bob cannot use Alice's upload as a parameter.
    bob_upload = upload(client, bob)
    for params, field in (
        ({"image": alice_upload}, "image"),
        ({"image": bob_upload, "style_image": alice_upload}, "style_image"),
    ):
        before = snapshot(client)
        response = client.post(
            "/v1/jobs", json={"engine": "image.stylize", "params": params}, headers=bob
        )
        assert response.status_code == 422, response.text
        assert problem_fields(response) == [f"params.{field}"]
        assert snapshot(client) == before

    # Nothing of Alice's shows in Bob's lists.
    for url in ("/v1/jobs", "/v1/works"):
        listing = client.get(url, headers=bob)
        assert listing.status_code == 200
        assert job_id not in listing.text and work_id not in listing.text
        assert waiting["id"] not in listing.text and alice_upload not in listing.text
    assert client.get("/v1/works", headers=bob).json()["items"] == []
    assert client.get("/v1/jobs", headers=bob).json()["items"] == []
    assert client.post(f"/v1/jobs/{waiting['id']}/cancel", headers=alice).status_code == 200
    wait_job(client, alice, waiting["id"])


@pytest.mark.parametrize("visibility", ["public", "unlisted"])
def test_shared_work_shows_its_recipe_only_once_published(
    client: TestClient, visibility: str
) -> None:
    """A published work shows its settings and seed (the gallery searches its prompt) but
    never its owner's upload ids; an unlisted one shows the work alone."""
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    work = make_work(client, alice)
    anonymous = TestClient(client.app)
    shared = client.patch(f"/v1/works/{work['id']}", json={"visibility": visibility}, headers=alice)
    assert shared.status_code == 200 and shared.json()["visibility"] == visibility
    owner_view = client.get(f"/v1/works/{work['id']}", headers=alice).json()
    assert owner_view["params"] == work["params"] and owner_view["seed"] == 7

    for caller, headers in ((client, bob), (anonymous, {})):
        response = caller.get(f"/v1/works/{work['id']}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"] == work["id"] and body["visibility"] == visibility
        if visibility == "public":
            uploads = ("image", "style_image")
            recipe = {k: v for k, v in work["params"].items() if k not in uploads}
            assert body["params"] == recipe and body["seed"] == 7
        else:
            assert body.get("params") is None and body.get("seed") is None
        assert body.get("job_id") is None
        assert work["job_id"] not in response.text
        assert work["params"]["image"] not in response.text
        # The original is its owner's and licence holders'; others see the preview.
        picture = caller.get(f"/v1/works/{work['id']}/file", headers=headers)
        assert picture.status_code == 403 and "thumbnail.webp" in picture.json()["detail"]
        assert body["original"] is False
        assert body["url"] == f"/v1/works/{work['id']}/files/thumbnail.webp"
        thumb = caller.get(body["url"], headers=headers)
        assert thumb.status_code == 200 and thumb.content[8:12] == b"WEBP"
        # The job behind it stays private.
        if headers:
            assert caller.get(f"/v1/jobs/{work['job_id']}", headers=headers).status_code == 404

    # Only the owner may change it.
    stolen = client.patch(
        f"/v1/works/{work['id']}", json={"visibility": "private", "title": "mine now"}, headers=bob
    )
    assert stolen.status_code == 404
    nobody = anonymous.patch(f"/v1/works/{work['id']}", json={"title": "x"})
    assert nobody.status_code == 401
    after = client.get(f"/v1/works/{work['id']}", headers=alice).json()
    assert after["visibility"] == visibility and after["title"] == work["title"]
    # Shared works are not listed as Bob's.
    assert client.get("/v1/works", headers=bob).json()["items"] == []
    # Back to private: gone for everyone else.
    client.patch(f"/v1/works/{work['id']}", json={"visibility": "private"}, headers=alice)
    assert client.get(f"/v1/works/{work['id']}", headers=bob).status_code == 404
    assert anonymous.get(f"/v1/works/{work['id']}/file").status_code == 404


# -- bad input: a clear problem naming the field, and nothing persisted --------------------


BAD_JOBS = [
    ({"engine": "image.nope", "params": {}}, {}, ["engine"]),
    ({"engine": "image.stylize", "params": {"image": "@", "bogus": 1}}, {}, ["params.bogus"]),
    ({"engine": "image.stylize", "params": {"image": "@", "style": "three"}}, {}, ["params.style"]),
    (
        {"engine": "image.stylize", "params": {"image": "@", "keep_colors": "maybe"}},
        {},
        ["params.keep_colors"],
    ),
    ({"engine": "image.stylize", "params": {"image": 12}}, {}, ["params.image"]),
    ({"engine": "image.stylize", "params": {}}, {}, ["params.image"]),
    ({"engine": "image.stylize", "params": {"image": "@", "style": 30}}, {}, ["params.style"]),
    ({"engine": "image.stylize", "params": {"image": "@", "strength": 2}}, {}, ["params.strength"]),
    (
        {"engine": "image.stylize", "params": {"image": "@", "max_size": 10}},
        {},
        ["params.max_size"],
    ),
    (
        {"engine": "image.stylize", "params": {"image": "@", "style": 2, "style_image": "@"}},
        {},
        ["params"],
    ),
    ({"engine": "image.stylize", "params": {"image": "@"}, "seed": -1}, {}, ["seed"]),
    ({"engine": "image.stylize", "params": {"image": "@"}, "seed": 2**32}, {}, ["seed"]),
    ({"engine": "image.stylize", "params": {"image": "@"}, "seed": "abc"}, {}, ["seed"]),
    (
        {"engine": "image.stylize", "params": {"image": "@"}},
        {"Idempotency-Key": "k" * 256},
        ["Idempotency-Key"],
    ),
    ({"engine": "image.stylize", "params": ["image"]}, {}, ["params"]),
    ({"params": {}}, {}, ["engine"]),
]


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the many bad-input cases (none of which may leave anything behind)."""
    settings = make_settings(tmp_path_factory.mktemp("bad-input"), workers=1)
    with TestClient(create_app(settings)) as test_client:
        test_client.headers.update(api_user(test_client, "alice@example.com"))
        yield test_client


@pytest.mark.parametrize(
    ("body", "extra", "fields"), BAD_JOBS, ids=[str(i) for i in range(len(BAD_JOBS))]
)
def test_bad_job_is_refused_naming_the_field(
    shared_client: TestClient, body: dict[str, Any], extra: dict[str, str], fields: list[str]
) -> None:
    client = shared_client
    alice: dict[str, str] = {}  # the client itself carries alice's key
    upload_id = upload(client, alice)
    body = json.loads(json.dumps(body).replace('"@"', f'"{upload_id}"'))
    before = snapshot(client)
    response = client.post("/v1/jobs", json=body, headers={**alice, **extra})
    assert response.status_code == 422, response.text
    assert problem_fields(response) == fields
    detail = response.json()["detail"]
    assert "Traceback" not in detail
    if fields == ["params"] and isinstance(body["params"], dict):
        assert "style_image" in detail  # says which two parameters clash
    assert snapshot(client) == before
    assert client.get("/v1/jobs", headers=alice).json()["items"] == []


def test_non_json_body_is_a_problem_naming_the_body(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    before = snapshot(client)
    for content, kind in (
        (b"engine=image.stylize", "application/json"),
        (b'{"engine": "test.wait", ', "application/json"),
        (b"hello", "text/plain"),
    ):
        response = client.post("/v1/jobs", content=content, headers={**alice, "Content-Type": kind})
        assert response.status_code == 422, response.text
        assert problem_fields(response) == ["body"]
    assert snapshot(client) == before


def test_unauthenticated_and_malformed_auth(client: TestClient) -> None:
    before = snapshot(client)
    response = client.post("/v1/jobs", json={"engine": "test.wait", "params": {}})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"].startswith("application/problem+json")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer atk_nope_nope"):
        bad = client.get("/v1/jobs", headers={"Authorization": header})
        assert bad.status_code == 401, header
    assert snapshot(client) == before
