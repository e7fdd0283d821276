"""Pages: sign in and sign up, the create pages (a medium's engines as tabs, a form per
engine), and the live job page where a result appears in place."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from atelier.accounts import service as accounts
from atelier.accounts.service import Principal
from atelier.commerce import money
from atelier.engines.base import Engine
from atelier.engines.music.files import mime_kind
from atelier.errors import StudioError
from atelier.store.models import Work
from atelier.studio import Studio
from atelier.studio.service import input_files
from atelier.web.api.auth import set_session_cookie
from atelier.web.deps import SESSION_COOKIE, get_studio
from atelier.web.pages.forms import (
    FormField,
    form_fields,
    form_values,
    params_from_form,
    values_from_params,
)
from atelier.web.schemas import job_out, work_out

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
# Every page shows money one way: money(amount, currency) → "EUR 1,234.50"; money_plain
# gives a form field's value ("1234.50").
templates.env.globals.update(money=money.text, money_plain=money.plain)
MEDIA = ("image", "music", "text")
# The tab a medium's create page opens on: the engine that needs nothing but words.
FIRST_TAB = {"image": "image.compose", "text": "text.write"}
TEXT_PREVIEW_BYTES = 200_000  # text works up to this size are shown on their pages


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


EXPIRED_FORM = "The form expired; reload the page and try again."


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


@router.get("/signup", response_class=HTMLResponse)
def signup_page(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    return render(
        request, "signup.html", who, open=studio.settings.signup_open, values={}, errors={}
    )


@router.post("/signup", response_class=HTMLResponse)
async def signup_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, ""))[:320] for k in ("email", "display_name")}
    password = str(form.get("password", ""))[:256]
    try:
        user = studio.sign_up(values["email"], password, values["display_name"])
    except StudioError as exc:
        return render(
            request,
            "signup.html",
            None,
            status=exc.status,
            open=studio.settings.signup_open,
            values=values,
            errors=dict(exc.errors) or {"form": exc.detail},
        )
    with studio.db.transaction() as s:
        token, _ = accounts.start_session(s, user, studio.settings.session_days)
    response = RedirectResponse("/create/image?welcome=1", status_code=303)
    set_session_cookie(response, studio, token)
    return response


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    return render(request, "engines.html", who, engines=studio.engines(), media=MEDIA)


def _tab_engine(studio: Studio, name: str) -> Engine | None:
    """The engine a /create/NAME page shows: NAME itself, or a medium's first tab."""
    if name not in MEDIA:
        try:
            return studio.engine(name)
        except StudioError:
            return None
    engines = [e for e in studio.engines() if e.medium == name]
    preferred = [e for e in engines if e.name == FIRST_TAB.get(name)]
    ready = [e for e in engines if e.available() is None]
    return next(iter(preferred + ready + engines), None)


def _create(
    request: Request,
    who: Principal,
    studio: Studio,
    engine: Engine,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    fields = context.pop("fields", None) or form_fields(engine.Params.model_json_schema())
    values = context.pop("values", {})
    try:
        estimate: dict[str, float] | None = studio.estimate(
            engine.name, params_from_form(fields, values)
        )
    except StudioError:
        estimate = None
    return render(
        request,
        "create.html",
        who,
        status=status,
        engine=engine,
        tabs=[e for e in studio.engines() if e.medium == engine.medium],
        fields=fields,
        values=values,
        estimate=estimate,
        unavailable=engine.available(),
        **{"uploads": {}, "errors": {}, "error": None, **context},
    )


@router.get("/create/{name}", response_class=HTMLResponse)
def create_page(
    name: str,
    request: Request,
    again: str = "",
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A medium's page (/create/image) or one engine's tab (/create/image.stylize).
    `again`: a work whose settings fill the form; `keep-FIELD`: an upload of yours."""
    if who is None:
        return to_login(request)
    engine = _tab_engine(studio, name)
    if engine is None:
        return render(request, "missing.html", who, status=404, what="tool")
    fields = form_fields(engine.Params.model_json_schema())
    values: dict[str, str] = {}
    if again:
        with contextlib.suppress(StudioError):
            shown = studio.showcase(who, again[:32])
            if shown.recipe and shown.work.engine == engine.name:
                values = values_from_params(fields, shown.work.params)
                values["seed"] = str(shown.work.seed)
    for field in fields:
        kept = request.query_params.get(f"keep-{field.name}", "")[:32]
        if field.kind == "file" and kept:
            values[field.name] = kept
    return _create(
        request,
        who,
        studio,
        engine,
        fields=fields,
        values=values,
        uploads=_uploads_shown(studio, who, fields, values, {}),
        welcome=request.query_params.get("welcome") == "1",
    )


@router.get("/create/{engine_name}/estimate")
def create_estimate(
    engine_name: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> JSONResponse:
    """The cost of what the form says now (the page asks as the user types)."""
    if who is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    try:
        engine = studio.engine(engine_name)
        fields = form_fields(engine.Params.model_json_schema())
        query = request.query_params
        values = {k: ",".join(query.getlist(k)) for k in query}
        return JSONResponse(studio.estimate(engine.name, params_from_form(fields, values)))
    except StudioError as exc:
        problems = [f"{f.split('.')[-1]}: {m}" for f, m in exc.errors] or [exc.detail]
        return JSONResponse({"error": "; ".join(problems)}, status_code=exc.status)


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
        return Response(EXPIRED_FORM, status_code=403)
    values = form_values(fields, form)
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
                        added = await run_in_threadpool(
                            studio.add_upload, who, upload.filename or "", data
                        )
                        values[field.name] = added.id
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
        return _create(
            request,
            who,
            studio,
            engine,
            status=exc.status if exc.status != 400 else 422,
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


@router.get("/uploads/{upload_id}/file", response_class=FileResponse)
def upload_file(
    upload_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """One of your own uploads (the create form shows a kept one)."""
    if who is None:
        return to_login(request)
    try:
        upload = studio.upload(who, upload_id[:32])
    except StudioError:
        return render(request, "missing.html", who, status=404, what="upload")
    return FileResponse(
        studio.artifacts.path(upload.sha256),
        media_type=upload.mime,
        headers={"Cache-Control": "private, no-cache"},
    )


def text_of(studio: Studio, who: Principal | None, work: dict[str, Any]) -> str | None:
    """A text work's words, to show on its page (None: not text, held, or too long)."""
    if not work["mime"].startswith("text/") or work["size"] > TEXT_PREVIEW_BYTES:
        return None
    try:
        _, path = studio.work_file(who, work["id"], None)
    except StudioError:
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def input_targets(studio: Studio, work: Work) -> list[dict[str, str]]:
    """Engines with an upload field that takes one of the work's files: "use as input"."""
    kinds = {mime_kind(f.mime) for f in input_files(work)}
    targets = []
    for engine in studio.engines():
        if engine.available() is not None:
            continue
        for field in form_fields(engine.Params.model_json_schema()):
            if field.kind == "file" and kinds & set(field.kinds) and field.name != "mask":
                label = f"{engine.title}: {field.label}"
                targets.append({"value": f"{engine.name}:{field.name}", "label": label})
    return targets


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
    rows = [studio.work(who, w.id)[0] for w in job.works]
    works = [work_out(w) for w in rows]
    title, medium = job.engine, job.engine.split(".")[0]
    with contextlib.suppress(StudioError):  # an engine no longer installed keeps its name
        engine = studio.engine(job.engine)
        title, medium = engine.title, engine.medium
    return render(
        request,
        "job.html",
        who,
        job=job_out(job),
        title=title,
        medium=medium,
        works=works,
        texts={w["id"]: text_of(studio, who, w) for w in works},
        targets={w.id: input_targets(studio, w) for w in rows},
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


@router.post("/jobs/{job_id}/again")
async def job_again(
    job_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The same settings with a new random seed."""
    if who is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(who, form):
        return Response(EXPIRED_FORM, status_code=403)
    try:
        earlier = studio.job(who, job_id)
        job, _ = studio.submit(who, earlier.engine, earlier.params)
    except StudioError as exc:
        return render(request, "missing.html", who, status=exc.status, what="job", why=exc.detail)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
