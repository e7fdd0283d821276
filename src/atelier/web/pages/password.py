"""Password pages: change yours (/account/password), ask for a reset link
(/password/forgot), choose a new password with one (/password/reset), and an admin's
"reset link" for a user. The rules are in accounts/recovery.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from atelier.accounts import recovery
from atelier.accounts.service import AccountError, Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import SESSION_COOKIE, get_studio
from atelier.web.pages import presession
from atelier.web.pages.routes import (
    EXPIRED_FORM,
    csrf_ok,
    page_principal,
    render,
    render_form,
    to_login,
)

router = APIRouter(include_in_schema=False)
LIMITED = [Depends(ratelimit.limit("password", page_principal))]


@router.get("/account/password", response_class=HTMLResponse)
def change_page(request: Request, who: Principal | None = Depends(page_principal)) -> Response:
    if who is None:
        return to_login(request)
    return render(request, "password.html", who, errors={}, done=False)


@router.post("/account/password", response_class=HTMLResponse, dependencies=LIMITED)
async def change_submit(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(who, form):
        return render(request, "password.html", who, 403, errors={"form": EXPIRED_FORM})
    current, new = (str(form.get(k, ""))[:256] for k in ("current_password", "new_password"))
    try:
        with studio.db.transaction() as s:
            recovery.change(
                s,
                who.user_id,
                current,
                new,
                studio.settings.password_min_score,
                keep_session=request.cookies.get(SESSION_COOKIE),
            )
    except AccountError as exc:
        return render(request, "password.html", who, 422, errors={exc.field: str(exc)})
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
    email = str(form.get("email", "")).strip()[:320]
    if not presession.valid(request, form):
        return _forgot(request, studio, 403, error=EXPIRED_FORM)
    ratelimit.check(request, "password", email)
    recovery.mail_link(studio.db, studio.settings, email)
    return _forgot(request, studio, sent=email)


def _reset(
    request: Request, studio: Studio, token: str, status: int = 200, **extra: Any
) -> Response:
    with studio.db.transaction() as s:
        user = recovery.link_user(s, token[:100])
        email = user.email if user else None
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
    token, new = str(form.get("token", ""))[:100], str(form.get("new_password", ""))[:256]
    if not presession.valid(request, form):
        return _reset(request, studio, token, 403, error=EXPIRED_FORM)
    try:
        with studio.db.transaction() as s:
            recovery.reset(s, token, new, studio.settings.password_min_score)
    except AccountError as exc:
        return _reset(request, studio, token, 422, error=str(exc))
    response = RedirectResponse("/login?done=password", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/admin/users/{user_id}/reset-link", response_class=HTMLResponse)
async def admin_reset_link(
    user_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A reset link for the user, shown once to the admin who asked for it."""
    if who is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(who, form):
        return Response(EXPIRED_FORM, status_code=403)
    base = str(request.base_url)
    try:
        with studio.db.transaction() as s:
            user, link = recovery.admin_link(
                s, who, user_id[:32], base, studio.settings.password_reset_minutes
            )
            email = user.email
    except StudioError as exc:
        return render(request, "missing.html", who, exc.status, what="user", why=exc.detail)
    return render(request, "password_link.html", who, email=email, link=link)
