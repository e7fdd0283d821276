"""Pages: sign in, engines, a form per engine, a live job page, my works."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from atelier.accounts import service as accounts
from atelier.accounts.service import Principal
from atelier.studio import Studio
from atelier.studio.errors import StudioError
from atelier.web.api.auth import set_session_cookie
from atelier.web.deps import SESSION_COOKIE, get_studio
from atelier.web.pages.forms import FormField, form_fields, params_from_form
from atelier.web.schemas import job_out, work_out

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


class SignInRequired(Exception):
    pass


def page_principal(request: Request, studio: Studio = Depends(get_studio)) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with studio.db.transaction() as s:
        return accounts.session_principal(s, token)


def render(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context}, status_code=status)


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def csrf_ok(who: Principal, form: Any) -> bool:
    sent = str(form.get("csrf_token", ""))
    return bool(sent) and secrets.compare_digest(sent, who.csrf_token or "")


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next: str = "/", who: Principal | None = Depends(page_principal)
) -> Response:
    return render(request, "login.html", who, next=_safe_next(next), error=None, email="")


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    form = await request.form()
    email, password = str(form.get("email", ""))[:320], str(form.get("password", ""))[:256]
    target = _safe_next(str(form.get("next", "/")))
    with studio.db.transaction() as s:
        user = accounts.authenticate(s, email, password)
        token = accounts.start_session(s, user, studio.settings.session_days)[0] if user else None
    if token is None:
        return render(
            request,
            "login.html",
            None,
            status=401,
            next=target,
            error="Wrong e-mail or password.",
            email=email,
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, studio, token)
    return response


@router.post("/logout")
async def logout(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    form = await request.form()
    if who is not None and csrf_ok(who, form):
        with studio.db.transaction() as s:
            accounts.end_session(s, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    return render(request, "engines.html", who, engines=studio.engines())


@router.get("/create/{engine_name}", response_class=HTMLResponse)
def create_page(
    engine_name: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    try:
        engine = studio.engine(engine_name)
    except StudioError:
        return render(request, "missing.html", who, status=404, what="tool")
    return render(
        request,
        "create.html",
        who,
        engine=engine,
        fields=form_fields(engine.Params.model_json_schema()),
        values={},
        uploads={},
        errors={},
    )


@router.post("/create/{engine_name}", response_class=HTMLResponse)
async def create_submit(
    engine_name: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    try:
        engine = studio.engine(engine_name)
    except StudioError:
        return render(request, "missing.html", who, status=404, what="tool")
    fields = form_fields(engine.Params.model_json_schema())
    form = await request.form()
    if not csrf_ok(who, form):
        return Response("The form expired; reload the page and try again.", status_code=403)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    try:
        for field in fields:
            if field.kind != "file":
                continue
            # A file sent with an earlier, refused try of this form is kept (the page
            # carries its upload id in `keep-<name>`), so the user need not choose it again.
            kept = values.pop(f"keep-{field.name}", "").strip()
            values.pop(field.name, None)
            if kept:
                values[field.name] = kept
            upload = form.get(field.name)
            if upload is not None and not isinstance(upload, str):
                data = await upload.read(studio.settings.max_upload_bytes + 1)
                if data:
                    try:
                        values[field.name] = studio.add_upload(who, upload.filename or "", data).id
                    except StudioError as exc:
                        errors[field.name] = exc.detail
        if errors:
            raise StudioError("check the marked fields")
        seed_text = values.get("seed", "").strip()
        if seed_text and not seed_text.isdigit():
            errors["seed"] = "seed must be a whole number"
            raise StudioError("check the marked fields")
        job, _ = studio.submit(
            who,
            engine.name,
            params_from_form(fields, values),
            int(seed_text) if seed_text else None,
        )
    except StudioError as exc:
        for field_path, message in exc.errors:
            errors.setdefault(
                field_path.split(".")[-1] if "." in field_path else field_path,
                message,
            )
        return render(
            request,
            "create.html",
            who,
            status=exc.status if exc.status != 400 else 422,
            engine=engine,
            fields=fields,
            values=values,
            uploads=_uploads_shown(studio, who, fields, values, errors),
            errors=errors,
            error=exc.detail,
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _uploads_shown(
    studio: Studio,
    who: Principal,
    fields: list[FormField],
    values: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    """The user's own files already sent for this form's file fields (by field name),
    to offer again when the form comes back with an error; a wrong id is dropped."""
    shown: dict[str, Any] = {}
    for field in fields:
        upload_id = values.get(field.name)
        if field.kind != "file" or not upload_id or field.name in errors:
            continue
        with contextlib.suppress(StudioError):
            shown[field.name] = studio.upload(who, upload_id)
    return shown


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    try:
        job = studio.job(who, job_id)
    except StudioError:
        return render(request, "missing.html", who, status=404, what="job")
    works = [studio.work(who, w.id)[0] for w in job.works]
    title = job.engine
    with contextlib.suppress(StudioError):  # an engine no longer installed keeps its name
        title = studio.engine(job.engine).title
    return render(
        request,
        "job.html",
        who,
        job=job_out(job),
        title=title,
        works=[work_out(w) for w in works],
    )


@router.post("/jobs/{job_id}/cancel")
async def job_cancel(
    job_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    form = await request.form()
    if csrf_ok(who, form):
        with contextlib.suppress(StudioError):  # already ended: the job page says how
            studio.cancel(who, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/works", response_class=HTMLResponse)
def works_page(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    if who is None:
        return to_login(request)
    return render(
        request, "works.html", who, works=[work_out(w) for w in studio.works(who, limit=200)]
    )
