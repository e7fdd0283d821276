"""Security headers: every page carries a strict Content-Security-Policy (the studio's own
files only, no inline script, style or event handler, no framing), nosniff and a referrer
policy; everything that is not a page — user content above all — is sandboxed."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from html.parser import HTMLParser

import fastapi.routing
import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atelier.web.headers import DOCS_POLICY, PAGE_POLICY
from tests.conftest import image_bytes

ADMIN = {"email": "admin@localhost", "password": "admin password 1"}


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts and styles, event
    handler and style attributes, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name == "style":
                self.found.append(f"{tag} style=")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def get_paths(app: FastAPI) -> list[str]:
    """Every GET route's path (FastAPI ≥ 0.13x keeps included routers as lazy branches)."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(contexts(app.routes)) if contexts else app.routes
    return [r.path for r in routes if "GET" in (getattr(r, "methods", None) or ())]


def assert_common(response: httpx.Response, path: str) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", path
    assert response.headers.get("referrer-policy") == "same-origin", path
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), path


def test_every_page_and_file_sends_the_security_headers(client: TestClient) -> None:
    login = client.post("/v1/auth/login", json=ADMIN)
    assert login.status_code == 200, login.text
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    upload = client.post(
        "/v1/uploads", files={"file": ("photo.png", image_bytes(), "image/png")}, headers=csrf
    ).json()["id"]
    job = client.post("/v1/jobs", json={"engine": "test.score", "params": {}}, headers=csrf)
    assert job.status_code == 201, job.text
    job_id = job.json()["id"]
    deadline = time.monotonic() + 60
    while not (work_ids := client.get(f"/v1/jobs/{job_id}").json()["work_ids"]):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.05)
    me = client.get("/v1/auth/me").json()
    handle = client.get(f"/v1/works/{work_ids[0]}").json().get("creator", {}).get("handle", "x")
    known = {
        "work_id": work_ids[0],
        "job_id": job_id,
        "upload_id": upload,
        "user_id": me["id"],
        "handle": handle,
        "name": "score.svg",
        "engine_name": "image.stylize",
        "name_or_medium": "image",
    }
    values: defaultdict[str, str] = defaultdict(lambda: "nothing", known)
    pages, others = 0, 0
    for template in get_paths(client.app):  # type: ignore[arg-type]
        if template.endswith("/events"):  # a stream, checked below by its first bytes
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], template)
        response = client.get(path, follow_redirects=False)
        assert_common(response, path)
        policy = response.headers["content-security-policy"]
        kind = response.headers.get("content-type", "").split(";")[0]
        if kind == "text/html":
            pages += 1
            assert policy == (DOCS_POLICY if path == "/docs" else PAGE_POLICY), path
            parser = InlineCode()
            parser.feed(response.text)
            assert parser.found == [], f"{path}: {parser.found}"
        elif kind != "application/pdf":
            others += 1
            assert policy.startswith("sandbox; default-src 'none'"), (path, policy)
    assert pages >= 25 and others >= 40, (pages, others)  # the loop saw them all

    # User content can never run in the studio's origin: the hostile SVG is sent as what
    # it is, sandboxed, not sniffed, and as an attachment.
    svg = client.get(f"/v1/works/{work_ids[0]}/files/score.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"].startswith("attachment")
    assert svg.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert b"<script>" in svg.content  # the file itself is kept as made
    photo = client.get(f"/uploads/{upload}/file")
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["content-security-policy"].startswith("sandbox;")
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as events:
        assert_common(events, "events")
    assert_common(client.get("/static/app.js"), "/static/app.js")
    assert_common(client.get("/no/such/page"), "404")


def test_the_api_reference_is_served_without_a_cdn(client: TestClient) -> None:
    docs = client.get("/docs")
    # the page's own policy differs only in allowing data: pictures (Swagger UI's icons)
    assert docs.headers["content-security-policy"] == DOCS_POLICY
    assert DOCS_POLICY.replace(" data:", "") == PAGE_POLICY
    assert "cdn" not in docs.text and "<script>" not in docs.text
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content
    assert client.get("/docs/assets/..%2Fcore.py").status_code == 404
