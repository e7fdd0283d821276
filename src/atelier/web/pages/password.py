"""Password pages: change yours (/account/password), ask for a reset link
(/password/forgot), choose a new password with one (/password/reset), and an admin's
"reset link" for a user. The rules are in accounts/recovery.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import i18n, ratelimit
from atelier.web.deps import (
    SESSION_COOKIE,
    admin,
    admin_form,
    checked_form,
    get_studio,
    page_principal,
    signed_in,
)
from atelier.web.guards import EXPIRED_FORM
from atelier.web.inputs import check_form
from atelier.web.pages import presession
from atelier.web.pages.common import missing, render, render_form

router = APIRouter(include_in_schema=False)
LIMITED = [Depends(ratelimit.limit("password", page_principal))]


@router.get("/account/password", response_class=HTMLResponse)
def change_page(request: Request, who: Principal = Depends(signed_in)) -> Response:
    return render(request, "password.html", who, errors={}, done=False)


@router.post("/account/password", response_class=HTMLResponse, dependencies=LIMITED)
async def change_submit(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    current, new = (str(form.get(k, ""))[:256] for k in ("current_password", "new_password"))
    try:
        studio.accounts.change_password(who, current, new, request.cookies.get(SESSION_COOKIE))
    except StudioError as exc:
        errors = i18n.shown_errors(exc) or {"form": i18n.shown(exc)}
        return render(request, "password.html", who, exc.status, errors=errors)
    return render(request, "password.html", who, errors={}, done=True)


def _forgot(request: Request, studio: Studio, status: int = 200, **context: Any) -> Response:
    return render_form(
        request,
        "password_forgot.html",
        None,
        status,
        mail=bool(studio.settings.mail_hook),
        minutes=studio.settings.password_reset_minutes,
        **context,
    )


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_page(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    return _forgot(request, studio)


@router.post("/password/forgot", response_class=HTMLResponse)
async def forgot_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    """The same answer whether or not the e-mail has an account."""
    form = await request.form()
    check_form(form)
    email = str(form.get("email", "")).strip()[:320]
    if not presession.valid(request, form):
        return _forgot(request, studio, 403, error=EXPIRED_FORM)
    ratelimit.check(request, "password", email)
    studio.accounts.mail_reset_link(email)
    return _forgot(request, studio, sent=email)


def _reset(
    request: Request, studio: Studio, token: str, status: int = 200, **extra: Any
) -> Response:
    email = studio.accounts.reset_link_email(token[:100])
    return render_form(
        request,
        "password_reset.html",
        None,
        status if email else 410,
        email=email,
        token=token[:100],
        **extra,
    )


@router.get("/password/reset", response_class=HTMLResponse)
def reset_page(request: Request, token: str = "", studio: Studio = Depends(get_studio)) -> Response:
    return _reset(request, studio, token)


@router.post("/password/reset", response_class=HTMLResponse, dependencies=LIMITED)
async def reset_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    form = await request.form()
    check_form(form)
    token, new = str(form.get("token", ""))[:100], str(form.get("new_password", ""))[:256]
    if not presession.valid(request, form):
        return _reset(request, studio, token, 403, error=EXPIRED_FORM)
    try:
        studio.accounts.reset_password(token, new)
    except StudioError as exc:
        return _reset(request, studio, token, exc.status, error=i18n.shown(exc))
    response = RedirectResponse("/login?done=password", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post(
    "/admin/users/{user_id}/reset-link",
    response_class=HTMLResponse,
    dependencies=[Depends(admin_form)],
)
def admin_reset_link(
    user_id: str,
    request: Request,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A reset link for the user, shown once to the admin who asked for it."""
    try:
        email, link = studio.accounts.reset_link(who, user_id[:32], str(request.base_url))
    except StudioError as exc:
        return missing(request, who, "user", status=exc.status, why=i18n.shown(exc))
    return render(request, "password_link.html", who, email=email, link=link)
