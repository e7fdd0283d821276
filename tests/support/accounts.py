"""Users and their ways in: accounts made in the database, API keys, sign-in by JSON and
by the /login form, the admin, and a paid plan."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.commerce import credits
from atelier.commerce.models import Invoice
from atelier.studio import Studio
from tests.support.api import studio_of

PASSWORD = "correct horse battery"


def add_user(studio: Studio, email: str, role: str = "creator") -> Principal:
    with studio.db.transaction() as s:
        user = accounts.create_user(s, email, PASSWORD, role)
        return accounts.principal_for(user)


def grant_credits(studio: Studio, who: Principal, amount: int) -> None:
    """`amount` credits beyond the Trial's, for a test whose jobs cost more (as a paid pack
    would)."""
    with studio.db.transaction() as s:
        units = amount * credits.UNIT
        credits.grant(s, who.user_id, units, f"test:{who.user_id}:{amount}", "test credits")


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Log the client in with a cookie; returns headers carrying the CSRF token."""
    response = client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def form_sign_in(request: Any, email: str, password: str = PASSWORD) -> None:
    """Sign a browser context in through the /login form, with the form's CSRF token
    (`request`: Playwright's APIRequestContext, which shares the context's cookies)."""
    page = request.get("/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in form has no CSRF token"
    form = {"email": email, "password": password, "next": "/", "csrf_token": token.group(1)}
    response = request.post("/login", form=form, max_redirects=0)
    assert response.status == 303, response.text()


def api_user(
    client: TestClient, email: str, role: str = "creator", credits: int = 0
) -> dict[str, str]:
    """A new user and Bearer headers for a fresh API key of theirs; `credits` beyond the
    Trial's for tests whose jobs cost more (as a paid pack would give)."""
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    who = add_user(studio, email, role)
    if credits:
        grant_credits(studio, who, credits)
    with studio.db.transaction() as s:
        key, _ = accounts.create_key(s, who.user_id, "test", ["read", "write"])
    return {"Authorization": f"Bearer {key}"}


def admin_of(studio: Studio) -> Principal:
    with studio.db.transaction() as s:
        user = accounts.find_user(s, studio.settings.admin_email)
        assert user is not None
        return accounts.principal_for(user)


def upgrade(studio: Studio, who: Principal, plan: str = "creator") -> Invoice:
    """Subscribe to a paid plan; an admin records the bank transfer."""
    _, invoice = studio.commerce.change_subscription(who, "subscribe", plan, None)
    assert invoice is not None
    return studio.commerce.mark_paid(admin_of(studio), invoice.id, "bank transfer")


def principal(client: TestClient, email: str) -> Principal:
    with studio_of(client).db.transaction() as s:
        user = accounts.find_user(s, email)
        assert user is not None
        return accounts.principal_for(user)
