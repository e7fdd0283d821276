"""Accounts through the API: passwords, sessions and their cookie, CSRF, API keys and their
scopes, roles; and the `atelier admin create-user` checks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from atelier.cli import main
from atelier.settings import get_settings
from atelier.store.models import ApiKey, Job, LoginSession, User
from tests.support.accounts import PASSWORD, add_user, api_user, sign_in
from tests.support.api import problem_fields, snapshot, studio_of, submit, wait_job


def user_row(client: TestClient, email: str) -> User:
    with studio_of(client).db.transaction() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def key_row(client: TestClient, key_id: str) -> ApiKey:
    with studio_of(client).db.transaction() as s:
        record = s.get(ApiKey, key_id)
        assert record is not None
        return record


def new_key(client: TestClient, csrf: dict[str, str], **body: object) -> dict[str, object]:
    response = client.post("/v1/keys", json=body, headers=csrf)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# -- passwords and sessions ------------------------------------------------------------


def test_password_is_stored_as_argon2_hash(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    user = user_row(client, "alice@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    add_user(studio_of(client), "bob@example.com")
    # Salted: the same password gives a different hash.
    assert user_row(client, "bob@example.com").password_hash != user.password_hash


def test_login_right_and_wrong(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    ok = client.post("/v1/auth/login", json={"email": "Alice@Example.com ", "password": PASSWORD})
    assert ok.status_code == 200
    body = ok.json()
    assert body["user"]["email"] == "alice@example.com" and body["user"]["role"] == "creator"
    assert len(body["csrf_token"]) >= 20
    me = client.get("/v1/auth/me")
    assert me.status_code == 200 and me.json()["via"] == "session"
    assert me.json()["email"] == "alice@example.com"

    fresh = TestClient(client.app)
    wrong = fresh.post("/v1/auth/login", json={"email": "alice@example.com", "password": "nope"})
    unknown = fresh.post("/v1/auth/login", json={"email": "who@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # no hint which part was wrong
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers
    assert fresh.get("/v1/auth/me").status_code == 401
    empty = fresh.post("/v1/auth/login", json={"email": "alice@example.com"})
    assert empty.status_code == 422 and problem_fields(empty) == ["password"]


def test_session_cookie_flags(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    response = client.post(
        "/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"]
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert parts[0].startswith("atelier_session=")
    assert "httponly" in parts and "samesite=lax" in parts and "path=/" in parts
    assert any(p.startswith("max-age=") for p in parts)
    token = cookie.split(";")[0].split("=", 1)[1]
    assert token == client.cookies["atelier_session"]
    # Stored as its hash, never the token itself.
    with studio_of(client).db.transaction() as s:
        ids = [row.id for row in s.scalars(select(LoginSession))]
    assert ids == [hashlib.sha256(token.encode()).hexdigest()]


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    token = client.cookies["atelier_session"]
    assert client.get("/v1/auth/me").status_code == 200
    refused = client.post("/v1/auth/logout")  # without the CSRF header
    assert refused.status_code == 403
    assert client.get("/v1/auth/me").status_code == 200
    out = client.post("/v1/auth/logout", headers=csrf)
    assert out.status_code == 204
    assert client.get("/v1/auth/me").status_code == 401
    # The old cookie, replayed, is dead: the session row is gone.
    replay = TestClient(client.app, cookies={"atelier_session": token})
    assert replay.get("/v1/auth/me").status_code == 401
    with studio_of(client).db.transaction() as s:
        assert list(s.scalars(select(LoginSession))) == []


def test_cookie_requests_need_the_csrf_header(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    key = new_key(client, csrf, name="existing")
    job = wait_job(client, csrf, submit(client, csrf, "test.wait", {})["id"])
    work_id = job["work_ids"][0]
    before = snapshot(client)
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}):
        attempts = [
            client.post("/v1/jobs", json={"engine": "test.wait", "params": {}}, headers=headers),
            client.post("/v1/uploads", files={"file": ("a.png", b"\x89PNG")}, headers=headers),
            client.post("/v1/keys", json={"name": "sneaky"}, headers=headers),
            client.delete(f"/v1/keys/{key['id']}", headers=headers),
            client.patch(f"/v1/works/{work_id}", json={"visibility": "public"}, headers=headers),
        ]
        for response in attempts:
            assert response.status_code == 403, response.request.url
            assert "X-CSRF-Token" in response.json()["detail"]
    assert snapshot(client) == before
    assert key_row(client, str(key["id"])).revoked_at is None
    assert client.get(f"/v1/works/{work_id}").json()["visibility"] == "private"
    # Reading needs no token; with the right token, changes go through.
    assert client.get("/v1/jobs").status_code == 200
    assert (
        client.patch(
            f"/v1/works/{work_id}", json={"visibility": "public"}, headers=csrf
        ).status_code
        == 200
    )


# -- API keys ----------------------------------------------------------------------------


def test_api_key_shown_once_stored_hashed_listed_by_prefix(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    created = new_key(client, csrf, name="laptop")
    key = str(created["key"])
    assert key.startswith(f"atk_{created['prefix']}_") and len(key) > 40
    assert created["scopes"] == ["read", "write"] and created["last_used_at"] is None

    record = key_row(client, str(created["id"]))
    assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(vars(record))
    listed = client.get("/v1/keys")
    assert listed.status_code == 200
    assert [k["prefix"] for k in listed.json()["items"]] == [created["prefix"]]
    assert "key" not in listed.json()["items"][0] and key not in listed.text
    assert client.get(f"/v1/keys/{created['id']}").status_code in (404, 405)

    # The key works, and using it is recorded.
    bearer = TestClient(client.app, headers={"Authorization": f"Bearer {key}"})
    me = bearer.get("/v1/auth/me")
    assert me.status_code == 200 and me.json()["via"] == "key"
    assert me.json()["email"] == "alice@example.com"
    assert key_row(client, str(created["id"])).last_used_at is not None
    assert client.get("/v1/keys").json()["items"][0]["last_used_at"] is not None
    # A near-miss of the key is not the key.
    assert (
        TestClient(client.app, headers={"Authorization": f"Bearer {key[:-1]}x"})
        .get("/v1/auth/me")
        .status_code
        == 401
    )


def test_revoked_key_is_refused(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    doomed, kept = new_key(client, csrf, name="a"), new_key(client, csrf, name="b")
    bearer = {"Authorization": f"Bearer {doomed['key']}"}
    other = {"Authorization": f"Bearer {kept['key']}"}
    api = TestClient(client.app)
    assert api.get("/v1/jobs", headers=bearer).status_code == 200
    revoked = client.delete(f"/v1/keys/{doomed['id']}", headers=csrf)
    assert revoked.status_code == 204
    assert api.get("/v1/jobs", headers=bearer).status_code == 401
    assert (
        api.post("/v1/jobs", json={"engine": "test.wait", "params": {}}, headers=bearer).status_code
        == 401
    )
    assert api.get("/v1/jobs", headers=other).status_code == 200
    listed = {k["id"]: k for k in client.get("/v1/keys").json()["items"]}
    assert listed[str(doomed["id"])]["revoked_at"] is not None
    assert listed[str(kept["id"])]["revoked_at"] is None
    assert client.delete("/v1/keys/" + "0" * 32, headers=csrf).status_code == 404


def test_a_user_cannot_revoke_or_see_another_users_keys(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    alice = sign_in(client, "alice@example.com")
    key = new_key(client, alice)
    bob = api_user(client, "bob@example.com")
    api = TestClient(client.app)
    assert api.delete(f"/v1/keys/{key['id']}", headers=bob).status_code == 404
    assert str(key["prefix"]) not in api.get("/v1/keys", headers=bob).text
    assert (
        api.get("/v1/auth/me", headers={"Authorization": f"Bearer {key['key']}"}).status_code == 200
    )


def test_read_only_key_can_read_but_not_write(client: TestClient) -> None:
    add_user(studio_of(client), "alice@example.com")
    csrf = sign_in(client, "alice@example.com")
    read = new_key(client, csrf, name="dashboard", scopes=["read"])
    assert read["scopes"] == ["read"]
    api = TestClient(client.app, headers={"Authorization": f"Bearer {read['key']}"})
    assert api.get("/v1/jobs").status_code == 200
    assert api.get("/v1/works").status_code == 200
    before = snapshot(client)
    job = api.post("/v1/jobs", json={"engine": "test.wait", "params": {}})
    assert job.status_code == 403 and "read" in job.json()["detail"]
    picture = api.post("/v1/uploads", files={"file": ("a.png", b"\x89PNG....")})
    assert picture.status_code == 403
    assert snapshot(client) == before
    bad = client.post("/v1/keys", json={"scopes": ["admin"]}, headers=csrf)
    assert bad.status_code == 422 and problem_fields(bad) == ["scopes"]
    none = client.post("/v1/keys", json={"scopes": []}, headers=csrf)
    assert none.status_code == 422 and problem_fields(none) == ["scopes"]


def test_a_key_cannot_create_keys(client: TestClient) -> None:
    bearer = api_user(client, "alice@example.com")
    api = TestClient(client.app)
    before = snapshot(client)
    response = api.post("/v1/keys", json={"name": "child"}, headers=bearer)
    assert response.status_code == 403
    assert snapshot(client) == before


def test_customer_role_cannot_create(client: TestClient) -> None:
    customer = api_user(client, "buyer@example.com", role="customer")
    assert client.get("/v1/jobs", headers=customer).status_code == 200
    before = snapshot(client)
    job = client.post("/v1/jobs", json={"engine": "test.wait", "params": {}}, headers=customer)
    assert job.status_code == 403 and "customer" in job.json()["detail"]
    picture = client.post(
        "/v1/uploads", files={"file": ("a.png", b"\x89PNG....")}, headers=customer
    )
    assert picture.status_code == 403
    assert snapshot(client) == before
    with studio_of(client).db.transaction() as s:
        assert list(s.scalars(select(Job))) == []


# -- admin create-user (CLI) ---------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ATELIER_ADMIN_PASSWORD", "admin password 1")
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["not-an-email", "--password", "long enough pw"], "email"),
        (["a b@c.d", "--password", "long enough pw"], "email"),
        (["ok@example.com", "--password", "short"], "password"),
        (["ok@example.com", "--password", "x" * 257], "password"),
    ],
)
def test_create_user_validation(cli_env: Path, args: list[str], field: str) -> None:
    result = CliRunner().invoke(main, ["admin", "create-user", *args])
    assert result.exit_code != 0
    assert f"{field}:" in result.output
    assert "Traceback" not in result.output


def test_create_user_refuses_duplicates_and_bad_roles(cli_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(
        main, ["admin", "create-user", "dup@example.com", "--password", "long enough pw"]
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(
        main, ["admin", "create-user", "DUP@example.com", "--password", "long enough pw"]
    )
    assert again.exit_code != 0 and "email:" in again.output and "exists" in again.output
    role = runner.invoke(
        main,
        ["admin", "create-user", "r@example.com", "--password", "long enough pw", "--role", "god"],
    )
    assert role.exit_code != 0 and "--role" in role.output
