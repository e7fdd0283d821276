"""Who is asking, as FastAPI dependencies that raise (web/guards.py answers them).

The API: a Bearer API key or a session cookie (with a CSRF header for changes); a route
says `Depends(principal)` to need someone, and every /v1 route carries `write_scope`
(web/routers.py), so a read-only key only reads. The pages: the session cookie;
`signed_in`, `admin`, and `checked_form` / `admin_form` for a POSTed form with the
session's CSRF token."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web.guards import EXPIRED_FORM, FormExpired, NotAdmin, SignInRequired
from atelier.web.inputs import check_form

SESSION_COOKIE = "atelier_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SIGN_IN = "sign in (POST /v1/auth/login) or send an API key"
# How the OpenAPI document names the two ways in; `_bearer` and the cookie are read by hand.
BEARER = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer atk_…`.")
SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=f"A session from POST /v1/auth/login; changes also send {CSRF_HEADER}.",
)


def get_studio(request: Request) -> Studio:
    return request.app.state.studio  # type: ignore[no-any-return]


def _bearer(request: Request, studio: Studio) -> Principal | None:
    """The API key's principal (looked up once per request), or None without a key."""
    if hasattr(request.state, "bearer"):
        return request.state.bearer  # type: ignore[no-any-return]
    who = None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise HTTPException(401, "Authorization must be 'Bearer <api key>'")
        who = studio.accounts.by_key(key.strip())
        if who is None:
            raise HTTPException(401, "unknown or revoked API key")
    request.state.bearer = who
    return who


def write_scope(request: Request, studio: Studio = Depends(get_studio)) -> None:
    """Every change under /v1 needs the write scope: a key with only `read` is refused
    before any handler runs, whatever the route."""
    if request.method not in SAFE_METHODS:
        who = _bearer(request, studio)
        if who is not None:
            authz.require_scope(who, "write")


def optional_principal(
    request: Request,
    studio: Studio = Depends(get_studio),
    _key: HTTPAuthorizationCredentials | None = Security(BEARER),
    _session: str | None = Security(SESSION),
) -> Principal | None:
    who = _bearer(request, studio)
    if who is not None:
        return who
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    who = studio.accounts.by_session(token)
    if who is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent, who.csrf_token or ""):
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return who


def principal(who: Principal | None = Depends(optional_principal)) -> Principal:
    if who is None:
        raise SignInRequired(SIGN_IN)
    authz.require_scope(who, "read")
    return who


# -- the pages ----------------------------------------------------------------------------


def page_principal(request: Request, studio: Studio = Depends(get_studio)) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return studio.accounts.by_session(token) if token else None


def signed_in(who: Principal | None = Depends(page_principal)) -> Principal:
    if who is None:
        raise SignInRequired(SIGN_IN)
    return who


def admin(who: Principal = Depends(signed_in)) -> Principal:
    if not authz.is_admin(who):
        raise NotAdmin("only admins may do this", who)
    return who


def csrf_ok(who: Principal, form: Any) -> bool:
    sent = str(form.get("csrf_token", ""))
    return bool(sent) and secrets.compare_digest(sent, who.csrf_token or "")


async def _checked(request: Request, who: Principal) -> FormData:
    form = await request.form()
    if not csrf_ok(who, form):
        raise FormExpired(EXPIRED_FORM, who)
    check_form(form)
    return form


async def checked_form(request: Request, who: Principal = Depends(signed_in)) -> FormData:
    """The POSTed form of a signed-in user, carrying their session's CSRF token."""
    return await _checked(request, who)


async def admin_form(request: Request, who: Principal = Depends(admin)) -> FormData:
    """The POSTed form of an admin, carrying their session's CSRF token."""
    return await _checked(request, who)
