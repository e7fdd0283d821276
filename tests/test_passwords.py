"""Passwords: strength and common-password checks, change, single-use expiring reset
links (admin page and API, command line, mail hook), sign-up that does not tell which
e-mails exist, and CSRF tokens on the sign-in and sign-up forms."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import update

from atelier.accounts import service as accounts
from atelier.accounts.service import AccountError
from atelier.cli import main
from atelier.safety import audit
from atelier.settings import get_settings
from atelier.store.models import PasswordReset, utcnow
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import PASSWORD, add_user, sign_in
from tests.support.servers import wait_until
from tests.support.settings import make_settings

NEW = "violet kettles hum at dawn"
ADMIN = ("admin@localhost", "admin password 1")  # make_settings' first admin


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"{path} has no CSRF token"
    return found.group(1)


def studio_of(client: TestClient) -> Studio:
    return client.app.state.studio  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaa", "too easy to guess"),
        ("password123", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("ana.lopez@example.com", "too easy to guess"),
        ("short", "10 to 256 characters"),
    ],
)
def test_weak_and_common_passwords_are_refused(studio: Studio, password: str, why: str) -> None:
    with pytest.raises(AccountError) as refused, studio.db.transaction() as s:
        accounts.create_user(s, "ana.lopez@example.com", password)
    assert refused.value.field == "password" and why in str(refused.value)


def test_sign_up_refuses_a_weak_password_and_does_not_tell_which_emails_exist(
    client: TestClient,
) -> None:
    studio = studio_of(client)
    add_user(studio, "taken@example.com")
    token = form_token(client, "/signup")
    weak = {"display_name": "Ana", "password": "aaaaaaaaaa", "csrf_token": token}
    for email in ("taken@example.com", "free@example.com"):
        refused = client.post("/signup", data={**weak, "email": email}, follow_redirects=False)
        assert refused.status_code == 422 and "too easy to guess" in refused.text
    answers = []
    for email in ("taken@example.com", "free@example.com"):
        form = {"display_name": "Ana", "email": email, "password": NEW, "csrf_token": token}
        answers.append(client.post("/signup", data=form, follow_redirects=False))
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert answers[0].headers["location"].startswith("/login?done=signed_up")
    assert not any("atelier_session" in a.headers.get("set-cookie", "") for a in answers)
    # The taken account keeps its own password; the free one has the new account.
    fresh = TestClient(client.app)
    assert (
        fresh.post(
            "/v1/auth/login", json={"email": "taken@example.com", "password": NEW}
        ).status_code
        == 401
    )
    assert (
        fresh.post(
            "/v1/auth/login", json={"email": "free@example.com", "password": NEW}
        ).status_code
        == 200
    )
    with studio.db.transaction() as s:
        created = [e.details["email"] for e, _ in audit.query(s, action="user.create")]
    assert created.count("taken@example.com") == 1 and created.count("free@example.com") == 1


def test_sign_in_and_sign_up_forms_refuse_cross_site_posts(client: TestClient) -> None:
    add_user(studio_of(client), "ana@example.com")
    login = {"email": "ana@example.com", "password": PASSWORD, "next": "/"}
    # Another site's form: no token, no cookie (SameSite=Strict keeps it home).
    forged = TestClient(client.app).post("/login", data=login, follow_redirects=False)
    assert forged.status_code == 403 and "atelier_session" not in forged.headers.get(
        "set-cookie", ""
    )
    signup = {"display_name": "Eve", "email": "eve@example.com", "password": NEW}
    assert TestClient(client.app).post("/signup", data=signup).status_code == 403
    # A wrong token with the visitor's own cookie fails too; the page's own token works.
    token = form_token(client, "/login")
    wrong = client.post("/login", data={**login, "csrf_token": "x" * 43}, follow_redirects=False)
    assert wrong.status_code == 403
    right = client.post("/login", data={**login, "csrf_token": token}, follow_redirects=False)
    assert right.status_code == 303 and "atelier_session" in right.headers["set-cookie"]


def test_changing_a_password_needs_the_current_one_and_ends_other_sessions(
    client: TestClient,
) -> None:
    studio = studio_of(client)
    add_user(studio, "ana@example.com")
    elsewhere = TestClient(client.app)
    sign_in(elsewhere, "ana@example.com")
    csrf = sign_in(client, "ana@example.com")
    change = {"current_password": "not it", "new_password": NEW}
    wrong = client.post("/v1/auth/password", json=change, headers=csrf)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    weak = {"current_password": PASSWORD, "new_password": "aaaaaaaaaa"}
    refused = client.post("/v1/auth/password", json=weak, headers=csrf)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "new_password"
    done = client.post(
        "/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=csrf
    )
    assert done.status_code == 204, done.text
    assert client.get("/v1/auth/me").status_code == 200  # this session stays
    assert elsewhere.get("/v1/auth/me").status_code == 401  # the other one ended
    fresh = TestClient(client.app)
    old = fresh.post("/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert old.status_code == 401
    assert sign_in(fresh, "ana@example.com", NEW)
    # The page does the same with the session's CSRF token.
    page = client.get("/account/password")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "current_password": NEW, "new_password": "blue herons wade slowly"}
    changed = client.post("/account/password", data=form)
    assert changed.status_code == 200 and "Your password is changed" in changed.text
    with studio.db.transaction() as s:
        assert len(audit.query(s, action="user.password")) == 2


def test_an_admin_reset_link_works_once_and_expires(client: TestClient) -> None:
    studio = studio_of(client)
    ana = add_user(studio, "ana@example.com")
    other = TestClient(client.app)  # a creator may not make links
    csrf = sign_in(other, "ana@example.com")
    forbidden = other.post(f"/v1/admin/users/{ana.user_id}/reset-link", headers=csrf)
    assert forbidden.status_code == 403
    admin = sign_in(client, *ADMIN)
    made = client.post(f"/v1/admin/users/{ana.user_id}/reset-link", headers=admin)
    assert made.status_code == 201, made.text
    path = made.json()["url"].removeprefix("http://testserver")
    visitor = TestClient(client.app)
    page = visitor.get(path)
    assert page.status_code == 200 and "ana@example.com" in page.text
    token = form_token(visitor, path)
    link_token = path.split("token=")[1]
    weak = {"csrf_token": token, "token": link_token, "new_password": "aaaaaaaaaa"}
    assert visitor.post("/password/reset", data=weak).status_code == 422
    good = {**weak, "new_password": NEW}
    done = visitor.post("/password/reset", data=good, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?done=password"
    again = visitor.post("/password/reset", data={**good, "new_password": "other words entirely"})
    assert again.status_code == 410  # used up
    assert sign_in(TestClient(client.app), "ana@example.com", NEW)
    # A link not used in time stops working.
    late = client.post(f"/v1/admin/users/{ana.user_id}/reset-link", headers=admin).json()["url"]
    with studio.db.transaction() as s:
        s.execute(update(PasswordReset).values(expires_at=utcnow()))  # its hour has passed
    assert visitor.get(late.removeprefix("http://testserver")).status_code == 410
    # The admin page makes one too, shown once.
    users = client.get("/admin/users")
    admin_token = re.search(r'name="csrf_token" value="([^"]+)"', users.text).group(1)  # type: ignore[union-attr]
    shown = client.post(f"/admin/users/{ana.user_id}/reset-link", data={"csrf_token": admin_token})
    assert shown.status_code == 200 and "/password/reset?token=" in shown.text
    with studio.db.transaction() as s:
        links = audit.query(s, action="user.reset_link")
    assert [e.details["by"] for e, _ in links] == ["admin", "admin", "admin"]


@pytest.fixture
def mailing(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    outbox = tmp_path / "outbox"
    hook = f"{sys.executable} {Path(__file__).parent / 'support' / 'mail_hook.py'} {outbox}"
    settings = make_settings(tmp_path, mail_hook=hook, public_url="http://studio.example")
    with TestClient(create_app(settings)) as client:
        yield client, outbox


def test_the_mail_hook_delivers_a_reset_link_and_says_the_same_for_unknown_emails(
    mailing: tuple[TestClient, Path],
) -> None:
    client, outbox = mailing
    add_user(studio_of(client), "ana@example.com")
    token = form_token(client, "/password/forgot")
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.com", "csrf_token": token}
    )
    known = client.post(
        "/password/forgot",
        data={"email": "ana@example.com", "csrf_token": token},
        headers={"Host": "evil.example"},  # a forged Host must not end up in the link
    )
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody", "ana") == known.text
    wait_until(lambda: list(outbox.glob("mail-*.json")), 30, what="the reset mail")
    mails = [json.loads(p.read_text()) for p in outbox.glob("mail-*.json")]
    assert [m["to"] for m in mails] == ["ana@example.com"]
    link = re.search(r"http://studio\.example(/password/reset\?token=\S+)", mails[0]["text"])
    assert link, mails[0]["text"]
    visitor = TestClient(client.app)
    csrf = form_token(visitor, link.group(1))
    form = {"csrf_token": csrf, "token": link.group(1).split("token=")[1], "new_password": NEW}
    assert visitor.post("/password/reset", data=form, follow_redirects=False).status_code == 303
    assert sign_in(TestClient(client.app), "ana@example.com", NEW)
    # The API answers the same way (202) and the link also works there.
    asked = client.post("/v1/auth/password/forgot", json={"email": "ana@example.com"})
    assert asked.status_code == 202
    wait_until(lambda: len(list(outbox.glob("mail-*.json"))) == 2, 30, what="a second mail")
    second = json.loads((outbox / "mail-1.json").read_text())["text"]
    api_token = re.search(r"token=(\S+)", second).group(1)  # type: ignore[union-attr]
    body = {"token": api_token, "new_password": "blue herons wade slowly"}
    assert client.post("/v1/auth/password/reset", json=body).status_code == 204
    assert client.post("/v1/auth/password/reset", json=body).status_code == 422


def test_the_command_line_prints_a_reset_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ATELIER_ADMIN_PASSWORD", ADMIN[1])
    monkeypatch.setenv("ATELIER_PUBLIC_URL", "https://studio.example")
    get_settings.cache_clear()
    try:
        made = CliRunner().invoke(main, ["admin", "reset-link", "admin@localhost"])
        assert made.exit_code == 0, made.output
        url = made.stdout.strip().splitlines()[0]
        assert url.startswith("https://studio.example/password/reset?token=")
        unknown = CliRunner().invoke(main, ["admin", "reset-link", "who@example.com"])
        assert unknown.exit_code == 1 and "no user who@example.com" in unknown.output
        with TestClient(create_app(get_settings())) as client:
            path = url.removeprefix("https://studio.example")
            token = form_token(client, path)
            form = {"csrf_token": token, "token": path.split("token=")[1], "new_password": NEW}
            assert (
                client.post("/password/reset", data=form, follow_redirects=False).status_code == 303
            )
            assert sign_in(TestClient(client.app), "admin@localhost", NEW)
    finally:
        get_settings.cache_clear()
