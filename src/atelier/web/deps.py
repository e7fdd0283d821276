"""Who is asking: a Bearer API key or a session cookie (with a CSRF token for changes)."""

from __future__ import annotations

import secrets

from fastapi import Depends, HTTPException, Request

from atelier.accounts import service as accounts
from atelier.accounts.service import Principal
from atelier.studio import Studio

SESSION_COOKIE = "atelier_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_studio(request: Request) -> Studio:
    return request.app.state.studio  # type: ignore[no-any-return]


def optional_principal(request: Request, studio: Studio = Depends(get_studio)) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise HTTPException(401, "Authorization must be 'Bearer <api key>'")
        with studio.db.transaction() as s:
            who = accounts.key_principal(s, key.strip())
        if who is None:
            raise HTTPException(401, "unknown or revoked API key")
        return who
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with studio.db.transaction() as s:
        who = accounts.session_principal(s, token)
    if who is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent, who.csrf_token or ""):
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return who


def principal(who: Principal | None = Depends(optional_principal)) -> Principal:
    if who is None:
        raise HTTPException(
            401,
            "sign in (POST /v1/auth/login) or send an API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not who.can("read"):
        raise HTTPException(403, "this API key lacks the read scope")
    return who
