"""Sign in and out, and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from atelier.accounts.authz import Principal
from atelier.store.models import ApiKey
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import SESSION_COOKIE, get_studio, principal
from atelier.web.openapi import content
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.accounts import (
    KeyOut,
    LoginOut,
    MeOut,
    NewKeyOut,
    SignedInUser,
    key_out,
    me_out,
)
from atelier.web.schemas.common import Page, Words

router = APIRouter(tags=["auth"])


class Login(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class NewKey(BaseModel):
    name: Words = Field("api key", min_length=1, max_length=100)
    scopes: list[str] = Field(default_factory=lambda: ["read", "write"], min_length=1, max_length=2)


def set_session_cookie(response: Response, studio: Studio, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=studio.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=studio.settings.secure_cookies,
        path="/",
    )


@router.post("/auth/login", operation_id="auth_login", responses=errors(429))
def login(
    body: Login, request: Request, response: Response, studio: Studio = Depends(get_studio)
) -> LoginOut:
    """Start a session: sets an HttpOnly cookie; send `csrf_token` as `X-CSRF-Token` on changes.
    Rate-limited per address and e-mail; failures in a row lock the account (429)."""
    ratelimit.check(request, "sign_in", body.email)  # before the password is hashed
    signed = studio.accounts.sign_in(body.email, body.password)
    if signed is None:
        raise HTTPException(401, "wrong e-mail or password")
    token, session, user = signed
    set_session_cookie(response, studio, token)
    return LoginOut(
        user=SignedInUser(id=user.id, email=user.email, role=user.role),
        csrf_token=session.csrf_token,
    )


@router.post("/auth/logout", status_code=204, operation_id="auth_logout")
def logout(
    request: Request,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        studio.accounts.sign_out(token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/auth/me", operation_id="auth_me")
def me(who: Principal = Depends(principal)) -> MeOut:
    return me_out(who)


@router.get(
    "/me/export",
    response_class=FileResponse,
    operation_id="me_export",
    responses=content("application/zip"),
)
def export_my_data(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """Everything the studio holds about you, as a zip (account, keys without secrets,
    uploads and works with their files, invoices, ledger, orders, licences, payouts)."""
    path = studio.personal.export(who)
    return FileResponse(
        path,
        media_type="application/zip",
        filename="atelier-my-data.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


class CloseIn(BaseModel):
    password: str = Field(..., min_length=1, max_length=1024)


@router.delete("/me", status_code=204, operation_id="me_close", responses=errors(409))
def close_my_account(
    body: CloseIn,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Close your account (your password once more): works, uploads and keys erased;
    invoices, ledger, orders and licences kept under an anonymised account."""
    studio.personal.close(who, body.password)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.post(
    "/keys",
    status_code=201,
    operation_id="keys_create",
    dependencies=[Depends(ratelimit.limit("keys"))],
    responses=errors(429),
)
def create_key(
    body: NewKey, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> NewKeyOut:
    """A new API key; the key itself is in this answer only, stored hashed."""
    key, record = studio.accounts.create_key(who, body.name, body.scopes)
    return NewKeyOut(**key_out(record).model_dump(), key=key)


def _key(key: ApiKey) -> After:
    return After(key.created_at, key.id)


@router.get("/keys", operation_id="keys_list")
def list_keys(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(100, 200)),
) -> Page[KeyOut]:
    """Your API keys, oldest first (revoked ones too)."""
    rows, next_url = page.page(studio.accounts.keys(who, page.fetch, page.after), _key)
    return Page[KeyOut](items=[key_out(k) for k in rows], next=next_url)


@router.delete("/keys/{key_id}", status_code=204, operation_id="keys_revoke")
def revoke_key(
    key_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    studio.accounts.revoke_key(who, key_id)
    return Response(status_code=204)
