"""Passwords: change yours, ask for a reset link by mail, set a new one with a link,
and an admin's reset link for a user. The rules are in accounts/recovery.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.errors import Invalid
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import SESSION_COOKIE, get_studio, principal
from atelier.web.problems import errors
from atelier.web.schemas.accounts import Accepted, ResetLinkOut

router = APIRouter(tags=["auth"])
LIMITED = [Depends(ratelimit.limit("password"))]


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class ResetRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class PasswordReset(BaseModel):
    token: str = Field(min_length=1, max_length=100)
    new_password: str = Field(min_length=1, max_length=256)


def _as_new_password(exc: Invalid) -> Invalid:
    """The body names the new password `new_password`, where the rules say `password`."""
    errors = [("new_password" if f == "password" else f, m) for f, m in exc.errors]
    return Invalid(exc.detail, errors=errors)


@router.post(
    "/auth/password",
    status_code=204,
    operation_id="auth_password_change",
    dependencies=LIMITED,
    responses=errors(429),
)
def change_password(
    body: PasswordChange,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A new password (the current one is required); your other sessions end."""
    try:
        studio.accounts.change_password(
            who, body.current_password, body.new_password, request.cookies.get(SESSION_COOKIE)
        )
    except Invalid as exc:
        raise _as_new_password(exc) from None
    return Response(status_code=204)


@router.post(
    "/auth/password/forgot",
    status_code=202,
    operation_id="auth_password_forgot",
    responses=errors(429, 503),
)
def forgot_password(
    body: ResetRequest, request: Request, studio: Studio = Depends(get_studio)
) -> Accepted:
    """Mail a reset link (through ATELIER_MAIL_HOOK) if the e-mail has an account; the
    answer is the same either way."""
    ratelimit.check(request, "password", body.email)
    if not studio.settings.mail_hook:
        raise HTTPException(503, "this studio sends no mail: ask an admin for a reset link")
    studio.accounts.mail_reset_link(body.email)
    minutes = studio.settings.password_reset_minutes
    detail = f"if {body.email} has an account, a link valid {minutes} minutes is sent"
    return Accepted(detail=detail)


@router.post(
    "/auth/password/reset",
    status_code=204,
    operation_id="auth_password_reset",
    dependencies=LIMITED,
    responses=errors(429),
)
def reset_password(body: PasswordReset, studio: Studio = Depends(get_studio)) -> Response:
    """Set a new password with a reset link's token (it works once); every session ends."""
    try:
        studio.accounts.reset_password(body.token, body.new_password)
    except Invalid as exc:
        raise _as_new_password(exc) from None
    return Response(status_code=204)


@router.post(
    "/admin/users/{user_id}/reset-link",
    status_code=201,
    operation_id="admin_users_reset_link",
)
def admin_reset_link(
    user_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ResetLinkOut:
    """A reset link for a user (admins), to hand over yourself; older links end."""
    _, link = studio.accounts.reset_link(who, user_id, str(request.base_url))
    return ResetLinkOut(user_id=user_id, url=link.url, expires_at=link.expires_at)
