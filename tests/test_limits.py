"""Rate limits (per address and per account, 429 problem+json with Retry-After) and the
lock-out that follows failed sign-ins in a row, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atelier.safety import audit
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import PASSWORD, add_user
from tests.support.media import image_bytes
from tests.support.servers import wait_until
from tests.support.settings import make_settings


def app_with(tmp_path: Path, database_url: str | None = None, **settings: object) -> FastAPI:
    return create_app(make_settings(tmp_path, database_url, **settings))


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    app = app_with(
        tmp_path,
        limit_sign_in="3/minute",
        limit_keys="2/hour",
        limit_uploads="2/minute",
        limit_jobs="2/minute",
        limit_verify="2/minute",
    )
    with TestClient(app) as client:
        yield client


def login(client: TestClient, email: str, password: str) -> int:
    return client.post("/v1/auth/login", json={"email": email, "password": password}).status_code


def assert_limited(response: object, what: str) -> None:
    assert response.status_code == 429, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert 1 <= int(response.headers["retry-after"]) <= 3600  # type: ignore[attr-defined]
    assert what in response.json()["detail"]  # type: ignore[attr-defined]


def test_sign_in_is_limited_per_address_and_per_account(limited: TestClient) -> None:
    studio: Studio = limited.app.state.studio  # type: ignore[attr-defined]
    add_user(studio, "ana@example.com")
    # Three tries from one address, each at another e-mail: the fourth is refused.
    for email in ("ana@example.com", "bo@example.com", "cy@example.com"):
        assert login(limited, email, "wrong password") == 401
    refused = limited.post("/v1/auth/login", json={"email": "di@example.com", "password": "x"})
    assert_limited(refused, "from this address")
    # From elsewhere, ana's account has two tries left of its three.
    other = TestClient(limited.app, client=("203.0.113.7", 50000))
    assert login(other, "ana@example.com", "wrong again") == 401
    assert login(other, "ana@example.com", PASSWORD) == 200
    too_many = other.post("/v1/auth/login", json={"email": "ANA@example.com", "password": "x"})
    assert_limited(too_many, "from this account")
    # Refused tries were never checked: only the three plus one wrong passwords failed.
    with studio.db.transaction() as s:
        failures = audit.query(s, action="auth.fail")
    assert len(failures) == 4


def test_keys_uploads_jobs_and_verification_are_limited(limited: TestClient) -> None:
    studio: Studio = limited.app.state.studio  # type: ignore[attr-defined]
    add_user(studio, "ana@example.com")
    login_response = limited.post(
        "/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD}
    )
    csrf = {"X-CSRF-Token": login_response.json()["csrf_token"]}
    for _ in range(2):
        assert limited.post("/v1/keys", json={}, headers=csrf).status_code == 201
    assert_limited(limited.post("/v1/keys", json={}, headers=csrf), "new API keys")
    photo = {"file": ("p.png", image_bytes(), "image/png")}
    for _ in range(2):
        assert limited.post("/v1/uploads", files=photo, headers=csrf).status_code == 201
    assert_limited(limited.post("/v1/uploads", files=photo, headers=csrf), "uploads")
    job = {"engine": "test.wait", "params": {}}
    for _ in range(2):
        assert limited.post("/v1/jobs", json=job, headers=csrf).status_code == 201
    assert_limited(limited.post("/v1/jobs", json=job, headers=csrf), "jobs")
    anonymous = TestClient(limited.app, client=("198.51.100.2", 40000))
    for _ in range(2):
        assert anonymous.post("/v1/verify", files=photo).status_code == 200
    assert_limited(anonymous.post("/v1/verify", files=photo), "verifications")
    # A page over its limit answers with a page, and Retry-After too.
    page = anonymous.post("/verify", files=photo)
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert "too many verifications" in page.text.lower() and page.headers["retry-after"]


def test_a_hundred_wrong_passwords_lock_the_account(tmp_path: Path, db_url: str) -> None:
    app = app_with(tmp_path, db_url, lockout_failures=10, lockout_seconds=600)
    with TestClient(app) as client:
        studio: Studio = app.state.studio
        who = add_user(studio, "ana@example.com")
        answers = [
            client.post(
                "/v1/auth/login", json={"email": "ana@example.com", "password": f"guess {i}"}
            )
            for i in range(100)
        ]
        assert [a.status_code for a in answers] == [401] * 10 + [429] * 90
        assert_limited(answers[-1], "locked")
        assert 500 <= int(answers[-1].headers["retry-after"]) <= 600
        # Locked: the right password is refused too, and costs no hash.
        right = client.post(
            "/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD}
        )
        assert_limited(right, "locked")
        # An unknown e-mail locks the same way: a lock says nothing about who has an account.
        for i in range(10):
            assert login(client, "nobody@example.com", f"guess {i}") == 401
        assert login(client, "nobody@example.com", "guess 11") == 429
        with studio.db.transaction() as s:
            fails = audit.query(s, action="auth.fail", subject=f"user:{who.user_id}", limit=200)
            locks = audit.query(s, action="auth.lock", limit=10)
        assert len(fails) == 10  # the 90 refused tries were never checked
        assert [(e.subject, e.details["failures"]) for e, _ in locks] == [
            ("email:nobody@example.com", 10),
            (f"user:{who.user_id}", 10),
        ]


def test_the_lock_ends_and_the_right_password_works_again(tmp_path: Path) -> None:
    # Five seconds: long enough that two failures under load still fall in one window.
    app = app_with(tmp_path, lockout_failures=2, lockout_seconds=5)
    with TestClient(app) as client:
        add_user(app.state.studio, "ana@example.com")
        assert login(client, "ana@example.com", "wrong one") == 401
        assert login(client, "ana@example.com", "wrong two") == 401
        assert login(client, "ana@example.com", PASSWORD) == 429
        wait_until(lambda: login(client, "ana@example.com", PASSWORD) == 200, 30, 0.2, "unlock")
        # A good sign-in clears the count: one more failure does not lock again.
        assert login(client, "ana@example.com", "wrong three") == 401
        assert login(client, "ana@example.com", PASSWORD) == 200


def test_the_sign_in_page_is_limited_and_locks_too(tmp_path: Path) -> None:
    app = app_with(tmp_path, lockout_failures=2, lockout_seconds=600)
    with TestClient(app) as client:
        add_user(app.state.studio, "ana@example.com")
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        form = {"email": "ana@example.com", "password": "wrong", "csrf_token": token}
        assert client.post("/login", data=form).status_code == 401
        assert client.post("/login", data=form).status_code == 401
        locked = client.post("/login", data={**form, "password": PASSWORD})
        assert locked.status_code == 429 and "locked" in locked.text
        assert "atelier_session" not in locked.cookies


def test_sign_ups_are_limited_per_address(tmp_path: Path) -> None:
    with TestClient(app_with(tmp_path, limit_sign_up="2/hour")) as client:
        token = client.get("/signup").text.split('name="csrf_token" value="')[1].split('"')[0]
        for i in range(2):
            form = {
                "display_name": f"Ana {i}",
                "email": f"ana{i}@example.com",
                "password": "violet kettles hum at dawn",
                "csrf_token": token,
            }
            assert client.post("/signup", data=form, follow_redirects=False).status_code == 303
        refused = client.post("/signup", data={**form, "email": "ana9@example.com"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 3000
        assert "Too many sign-ups from this address" in refused.text
