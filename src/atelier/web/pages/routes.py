"""Pages: sign in and sign up, the create pages (a medium's engines as tabs, a form per
engine), and the live job page where a result appears in place."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.engines.base import Engine, Measure
from atelier.errors import Forbidden, NotEnoughCredits, StudioError
from atelier.studio import Studio, variants
from atelier.studio.catalogue import params_schema
from atelier.training.engines import Trainer
from atelier.web import i18n, ratelimit
from atelier.web.api.auth import set_session_cookie
from atelier.web.deps import (
    SESSION_COOKIE,
    checked_form,
    csrf_ok,
    get_studio,
    page_principal,
    signed_in,
)
from atelier.web.guards import EXPIRED_FORM
from atelier.web.i18n import gettext as _
from atelier.web.i18n import ngettext, number
from atelier.web.inputs import check_form
from atelier.web.pages import presession
from atelier.web.pages.choices import pickers
from atelier.web.pages.common import (
    MEDIA,
    input_targets,
    missing,
    render,
    render_form,
    text_of,
)
from atelier.web.pages.examples import BY_SLUG
from atelier.web.pages.forms import (
    FormField,
    form_fields,
    form_values,
    params_from_form,
    values_from_params,
)
from atelier.web.pages.language import signed_in_language
from atelier.web.problems import BUY_LINKS
from atelier.web.schemas.studio import job_out, work_out

router = APIRouter(include_in_schema=False)
# The tab a medium's create page opens on: the engine that needs nothing but words.
FIRST_TAB = {"image": "image.compose", "text": "text.write"}
WELCOME = "/welcome"  # where a new account's first sign-in lands (pages/welcome.py)
BUY_PAGE = BUY_LINKS["buy"]  # where credit packs and plans are bought
UPSCALE = "image.upscale"  # what a variant's Upscale opens, with the picture filled in


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next: str = "/",
    done: str = "",
    who: Principal | None = Depends(page_principal),
) -> Response:
    """`done`: what brought the person here (signed_up, password), for a note."""
    return render_form(request, "login.html", who, next=_safe_next(next), done=done, email="")


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    form = await request.form()
    check_form(form)
    email, password = str(form.get("email", ""))[:320], str(form.get("password", ""))[:256]
    target = _safe_next(str(form.get("next", "/")))
    if not presession.valid(request, form):
        return render_form(request, "login.html", None, 403, next=target, error=EXPIRED_FORM)
    ratelimit.check(request, "sign_in", email)  # before the password is hashed
    signed = studio.accounts.sign_in(email, password)
    token = signed[0] if signed else None
    if token is None:
        error = _("Wrong e-mail or password.")
        return render_form(request, "login.html", None, 401, next=target, error=error, email=email)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, studio, token)
    signed_in_language(response, studio, signed[2].locale if signed else None)
    return response


@router.post("/logout")
async def logout(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    form = await request.form()
    if who is not None and csrf_ok(who, form):
        studio.accounts.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_page(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    return render_form(
        request, "signup.html", who, open=studio.settings.signup_open, values={}, errors={}
    )


@router.post("/signup", response_class=HTMLResponse)
async def signup_submit(request: Request, studio: Studio = Depends(get_studio)) -> Response:
    form = await request.form()
    check_form(form)
    values = {k: str(form.get(k, ""))[:320] for k in ("email", "display_name")}
    password = str(form.get("password", ""))[:256]
    ratelimit.check(request, "sign_up", values["email"])  # over it: 429 with Retry-After
    try:
        if not presession.valid(request, form):
            raise Forbidden(EXPIRED_FORM)
        studio.accounts.sign_up(values["email"], password, values["display_name"])
    except StudioError as exc:
        return render_form(
            request,
            "signup.html",
            None,
            status=exc.status,
            open=studio.settings.signup_open,
            values=values,
            errors=i18n.shown_errors(exc) or {"form": i18n.shown(exc)},
        )
    # The same answer whether the e-mail was free or had an account: sign in next.
    return RedirectResponse(f"/login?done=signed_up&next={quote(WELCOME)}", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The landing page: published examples (previews only) and the tools. A tool this
    studio cannot run is hidden, except from admins, who are told what to set."""
    examples = [work_out(w, False).model_dump(mode="json") for w, _ in studio.gallery.examples()]
    return render(
        request,
        "engines.html",
        who,
        engines=_offered(studio, who),
        media=MEDIA,
        examples=examples,
        operator=who is not None and authz.is_admin(who),
    )


def _offered(studio: Studio, who: Principal | None) -> list[Engine]:
    """The engines shown to this person: all to admins (an unconfigured one with its
    reason), only those that can run here to everyone else."""
    if who is not None and authz.is_admin(who):
        return studio.engines.all()
    return [e for e in studio.engines.all() if e.available() is None]


def _tab_engine(studio: Studio, who: Principal, name: str) -> Engine | None:
    """The engine a /create/NAME page shows: NAME itself, or a medium's first tab; None
    for a tool this person is not offered (_offered)."""
    if name not in MEDIA:
        offered = {e.name: e for e in _offered(studio, who)}
        return offered.get(name)
    engines = [e for e in _offered(studio, who) if e.medium == name]
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
    fields = context.pop("fields", None) or form_fields(params_schema(engine))
    values = context.pop("values", {})
    try:
        cost: dict[str, Any] | None = _cost_line(studio, who, engine, fields, values, {})
    except StudioError:
        cost = None
    return render(
        request,
        "create.html",
        who,
        status=status,
        engine=engine,
        tabs=[e for e in _offered(studio, who) if e.medium == engine.medium],
        fields=fields,
        values=values,
        cost=cost,
        pickers=pickers(studio, who, fields),
        unavailable=studio.roster.unavailable(engine),
        **{"uploads": {}, "errors": {}, "error": None, "short": None, **context},
    )


@router.get("/create/{name}", response_class=HTMLResponse)
def create_page(
    name: str,
    request: Request,
    again: str = "",
    example: str = "",
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A medium's page (/create/image) or one engine's tab (/create/image.stylize).
    `again`: a work whose settings fill the form; `example`: one of the first screen's
    examples (pages/examples.py); `keep-FIELD`: an upload of yours."""
    engine = _tab_engine(studio, who, name)
    if engine is None:
        return missing(request, who, "tool")
    fields = form_fields(params_schema(engine))
    values: dict[str, str] = {}
    shown_example = BY_SLUG.get(example)
    if shown_example is not None and shown_example.engine == engine.name:
        values = values_from_params(fields, shown_example.params)
    else:
        shown_example = None
    if again:
        with contextlib.suppress(StudioError):
            shown = studio.works.showcase(who, again[:32])
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
        example=shown_example,
    )


@router.get("/create/{engine_name}/estimate")
def create_estimate(
    engine_name: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> JSONResponse:
    """The cost of what the form says now (the page asks as the user types): a file sent
    before is `keep-NAME`; one chosen but not sent yet is `measure-NAME`, what the page
    measured of it ("640x480" for a picture, "12.5s" for a recording, "" for neither)."""
    if who is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    try:
        engine = studio.engines.get(engine_name)
        fields = form_fields(params_schema(engine))
        query = request.query_params
        values = {k: ",".join(query.getlist(k)) for k in query}
        chosen: dict[str, Measure | None] = {}
        for field in fields:
            if field.kind != "file":
                continue
            values[field.name] = values.pop(f"keep-{field.name}", "")
            if f"measure-{field.name}" in values:
                chosen[field.name] = _measured(values[f"measure-{field.name}"])
        return JSONResponse(_cost_line(studio, who, engine, fields, values, chosen))
    except StudioError as exc:
        problems = [f"{f.split('.')[-1]}: {i18n.shown_field(exc, m)}" for f, m in exc.errors] or [
            i18n.shown(exc)
        ]
        return JSONResponse({"error": "; ".join(problems)}, status_code=exc.status)


def _measured(text: str) -> Measure | None:
    """What the page measured of a chosen file: "WIDTHxHEIGHT" or "SECONDSs"; None else."""
    size = re.fullmatch(r"(\d{1,5})x(\d{1,5})", text)
    if size:
        return Measure(width=int(size[1]), height=int(size[2]))
    length = re.fullmatch(r"(\d{1,5}(?:\.\d+)?)s", text)
    return Measure(seconds=float(length[1])) if length else None


def _cost_line(
    studio: Studio,
    who: Principal,
    engine: Engine,
    fields: list[FormField],
    values: dict[str, str],
    chosen: dict[str, Measure | None],
) -> dict[str, Any]:
    """The cost line beside Create, as the page shows it and the form's script gets it."""
    quote = studio.quotes.quote(who, engine.name, params_from_form(fields, values), chosen)
    labels = {f.name: _(f.label) for f in fields}  # in the page's language (web/i18n.py)
    if quote.missing:
        named = _(" and ").join(labels.get(n, n) for n in quote.missing)
        line = ngettext(
            "Cost shown once %(named)s is filled in",
            "Cost shown once %(named)s are filled in",
            len(quote.missing),
        )
        return {"text": line % {"named": named}, "short": 0}
    text = ngettext(
        "About %(seconds)s s · %(credits)s credit",
        "About %(seconds)s s · %(credits)s credits",
        quote.credits,
    ) % {"seconds": quote.seconds, "credits": number(quote.credits)}
    if quote.variants > 1:  # the same words as studio/variants.py cost_for, translated
        text += " " + _("for %(count)s variants") % {"count": number(quote.variants)}
    if quote.typical:
        named = _(" and ").join(labels.get(n, n).lower() for n in quote.typical)
        text += _(" for a typical %(named)s (choose yours for its own cost)") % {"named": named}
    if quote.short:
        text += _(": more than your balance of %(balance)s credits (%(short)s short)") % {
            "balance": number(quote.balance or 0),  # short > 0: there is a balance
            "short": number(quote.short),
        }
    return {
        "text": text,
        "seconds": quote.seconds,
        "credits": quote.credits,
        "balance": quote.balance,
        "short": quote.short,
        "variants": quote.variants,
        "buy": BUY_PAGE if quote.short else None,
    }


@router.post(
    "/create/{engine_name}",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("jobs", page_principal))],
)
async def create_submit(
    engine_name: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        engine = studio.engines.get(engine_name)
    except StudioError:
        return missing(request, who, "tool")
    fields = form_fields(params_schema(engine))
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
                            studio.uploads.add, who, upload.filename or "", data
                        )
                        values[field.name] = added.id
                    except StudioError as exc:
                        errors[field.name] = i18n.shown(exc)
        if errors:
            raise StudioError("check the marked fields")
        seed_text = values.get("seed", "").strip()
        if seed_text and not seed_text.isdigit():
            errors["seed"] = i18n.gettext("seed must be a whole number")
            raise StudioError("check the marked fields")
        job, _ = studio.jobs.submit(
            who,
            engine.name,
            params_from_form(fields, values),
            int(seed_text) if seed_text else None,
        )
    except NotEnoughCredits as exc:  # nothing to mark: say what is missing, offer to buy
        return _create(
            request,
            who,
            studio,
            engine,
            status=exc.status,
            fields=fields,
            values=values,
            uploads=_uploads_shown(studio, who, fields, values, {}),
            short=exc,
            made=variants.count(engine, params_from_form(fields, values)),  # exc.what's count
            buy=BUY_PAGE,
        )
    except StudioError as exc:
        for field_path, message in exc.errors:
            errors.setdefault(
                field_path.split(".")[-1] if "." in field_path else field_path,
                i18n.shown_field(exc, message),
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
            error=i18n.shown(exc),
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
            shown[field.name] = studio.uploads.get(who, upload_id)
    return shown


@router.get("/uploads/{upload_id}/file", response_class=FileResponse)
def upload_file(
    upload_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    """One of your own uploads (the create form shows a kept one)."""
    try:
        upload, path = studio.uploads.file(who, upload_id[:32])
    except StudioError:
        return missing(request, who, "upload")
    return FileResponse(
        path,
        media_type=upload.mime,
        headers={"Cache-Control": "private, no-cache"},
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        job = studio.jobs.get(who, job_id)
    except StudioError:
        return missing(request, who, "job")
    rows = [studio.works.get(who, w.id)[0] for w in job.works]
    works = [work_out(w).model_dump(mode="json") for w in rows]
    title, medium, training = job.engine, job.engine.split(".")[0], False
    with contextlib.suppress(StudioError):  # an engine no longer installed keeps its name
        engine = studio.engines.get(job.engine)
        title, medium, training = engine.title, engine.medium, isinstance(engine, Trainer)
    variant_tools = "variants" in job.params  # an image engine that generates: keep, refine
    return render(
        request,
        "job.html",
        who,
        job=job_out(job).model_dump(mode="json"),
        title=title,
        medium=medium,
        works=works,
        texts={w["id"]: text_of(studio, who, w) for w in works},
        targets={w.id: input_targets(studio, w) for w in rows},
        befores={w.id: studio.works.before(who, w) for w in rows},
        training=training,
        trained=studio.models.of_job(who, job_id) if training else None,
        variant_tools=variant_tools,
        grid=variant_tools and len(works) > 1,
        upscale=variant_tools and UPSCALE in studio.engines.runnable(),
    )


@router.post("/jobs/{job_id}/cancel", dependencies=[Depends(checked_form)])
async def job_cancel(
    job_id: str,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    with contextlib.suppress(StudioError):  # already ended: the job page says how
        studio.jobs.cancel(who, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post(
    "/jobs/{job_id}/again",
    dependencies=[Depends(ratelimit.limit("jobs", page_principal)), Depends(checked_form)],
)
async def job_again(
    job_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The same settings with a new random seed."""
    try:
        earlier = studio.jobs.get(who, job_id)
        job, _ = studio.jobs.submit(who, earlier.engine, earlier.params)
    except StudioError as exc:
        return missing(request, who, "job", status=exc.status, why=i18n.shown(exc))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
