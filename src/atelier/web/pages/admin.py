"""Admin pages: the moderation queue (with the policy), the audit log, users and roles,
and the system's status. Server-rendered like the rest; every change is a POST with the
session's CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.store.models import ROLES
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import admin, admin_form, get_studio
from atelier.web.pages.common import render
from atelier.web.schemas.admin import audit_out, review_out

router = APIRouter(include_in_schema=False)
STATUSES = ("in_review", "approved", "rejected")
AUDIT_PAGE = 100
USERS_PAGE = 100


def _queue(
    request: Request,
    who: Principal,
    studio: Studio,
    status: str,
    error: str | None = None,
    done: str | None = None,
    code: int = 200,
) -> Response:
    rows = studio.moderation.reviews(who, status, 100, 0)
    return render(
        request,
        "admin_reviews.html",
        who,
        status=code,
        shown=status,
        statuses=STATUSES,
        reviews=[review_out(*row).model_dump(mode="json") for row in rows],
        policy=studio.moderation.policy(who),
        error=error,
        done=done,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_home() -> Response:
    return RedirectResponse("/admin/reviews", status_code=303)


@router.get("/admin/reviews", response_class=HTMLResponse)
def reviews_page(
    request: Request,
    status: str = "in_review",
    done: str | None = None,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _queue(request, who, studio, status if status in STATUSES else "in_review", None, done)


@router.post("/admin/reviews/{review_id}", response_class=HTMLResponse)
async def decide(
    review_id: str,
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    decision = str(form.get("decision", ""))
    try:
        studio.moderation.decide(
            who, review_id, decision == "approve", str(form.get("reason", ""))[:2000]
        )
    except StudioError as exc:
        return _queue(request, who, studio, "in_review", i18n.shown(exc), code=exc.status)
    verb = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(f"/admin/reviews?done={verb}", status_code=303)


@router.post("/admin/policy", response_class=HTMLResponse)
async def change_policy(
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    actions = {
        key.removeprefix("action-"): str(value)
        for key, value in form.items()
        if key.startswith("action-")
    }
    try:
        studio.moderation.change_policy(who, actions)
    except StudioError as exc:
        return _queue(request, who, studio, "in_review", i18n.shown(exc), code=exc.status)
    return RedirectResponse("/admin/reviews?done=policy", status_code=303)


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    action: str = "",
    actor: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
    page: int = 0,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    filters: dict[str, Any] = {
        "action": action[:64],
        "actor": actor[:320],
        "subject": subject[:200],
        "since": since[:32],
        "until": until[:32],
    }
    page = max(page, 0)
    rows = studio.moderation.audit_log(
        who,
        filters["action"] or None,
        filters["actor"] or None,
        filters["subject"] or None,
        _when(filters["since"]),
        _when(filters["until"]),
        AUDIT_PAGE + 1,
        page * AUDIT_PAGE,
    )
    return render(
        request,
        "admin_audit.html",
        who,
        entries=[audit_out(*row).model_dump(mode="json") for row in rows[:AUDIT_PAGE]],
        filters=filters,
        page=page,
        more=len(rows) > AUDIT_PAGE,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    q: str = "",
    page: int = 0,
    done: str = "",
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _users(request, who, studio, q[:320], max(0, min(page, 10_000)), done=done or None)


def _users(
    request: Request,
    who: Principal,
    studio: Studio,
    q: str,
    page: int,
    code: int = 200,
    **context: Any,
) -> Response:
    rows = studio.accounts.users(who, q, USERS_PAGE + 1, page * USERS_PAGE)
    return render(
        request,
        "admin_users.html",
        who,
        status=code,
        users=rows[:USERS_PAGE],
        q=q,
        page=page,
        more=len(rows) > USERS_PAGE,
        roles=ROLES,
        **{"done": None, "error": None, **context},
    )


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
async def change_user(
    user_id: str,
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """One user's role (the row's select) or their access (disable / enable)."""
    access = str(form.get("access", ""))
    role = str(form.get("role", "")) or None
    q = str(form.get("q", ""))[:320]
    try:
        studio.accounts.change_user(
            who,
            user_id[:32],
            role=role,
            disabled={"disable": True, "enable": False}.get(access),
        )
    except StudioError as exc:
        return _users(request, who, studio, q, 0, code=exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/admin/users?done=saved&q={quote(q)}", status_code=303)


@router.get("/admin/status", response_class=HTMLResponse)
def status_page(
    request: Request,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return render(request, "admin_status.html", who, status_info=studio.status.report(who))
