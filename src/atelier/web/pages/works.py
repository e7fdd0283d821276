"""My works (filters and bulk actions), a work's own page, and the actions on a result:
publish, use as input. The rules (who may do what) are the studio's."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.store.models import VISIBILITIES
from atelier.studio import Studio
from atelier.studio.catalogue import params_schema
from atelier.web import i18n
from atelier.web.deps import checked_form, get_studio, page_principal, signed_in
from atelier.web.pages.common import MEDIA, input_targets, missing, render, text_of
from atelier.web.pages.forms import form_fields
from atelier.web.schemas.studio import shown_out, work_out

router = APIRouter(include_in_schema=False)
BULK = {"publish": "public", "unlist": "unlisted", "private": "private"}
PAGE = 60


def _day(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d") if text else None
    except ValueError:
        return None


def _works(
    request: Request,
    who: Principal,
    studio: Studio,
    filters: dict[str, str],
    page: int,
    status: int = 200,
    **context: Any,
) -> Response:
    until = _day(filters["until"])
    rows = studio.works.mine(
        who,
        filters["engine"] or None,
        PAGE + 1,
        page * PAGE,
        medium=filters["medium"] or None,
        since=_day(filters["since"]),
        until=until + timedelta(days=1) if until else None,
    )
    works = [work_out(w).model_dump(mode="json") for w in rows[:PAGE]]
    return render(
        request,
        "works.html",
        who,
        status=status,
        works=works,
        texts={w["id"]: text_of(studio, who, w) for w in works},
        filters=filters,
        media=MEDIA,
        engines=[e.name for e in studio.engines.all()],
        page=page,
        more=len(rows) > PAGE,
        **{"done": None, "error": None, **context},
    )


@router.get("/works", response_class=HTMLResponse)
def works_page(
    request: Request,
    medium: str = "",
    engine: str = "",
    since: str = "",
    until: str = "",
    page: int = 0,
    done: str = "",
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    filters = {
        "medium": medium if medium in MEDIA else "",
        "engine": engine[:100],
        "since": since[:10],
        "until": until[:10],
    }
    return _works(request, who, studio, filters, max(0, min(page, 10_000)), done=done or None)


@router.post("/works/bulk", response_model=None)
async def works_bulk(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Publish, unlist, make private, delete or download the chosen works."""
    action = str(form.get("action", ""))
    ids = [str(i)[:32] for i in form.getlist("work_ids")]
    try:
        if action in BULK:
            studio.works.update_many(who, ids, visibility=BULK[action])
        elif action == "delete":
            studio.works.delete(who, ids)
        elif action == "download":
            path = studio.works.export(who, ids)
            return FileResponse(
                path,
                media_type="application/zip",
                filename="atelier-works.zip",
                background=BackgroundTask(path.unlink, missing_ok=True),
            )
        else:
            return Response("Choose an action.", status_code=422)
    except StudioError as exc:
        filters = {"medium": "", "engine": "", "since": "", "until": ""}
        return _works(request, who, studio, filters, 0, status=exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/works?done={action}", status_code=303)


@router.get("/works/{work_id}", response_class=HTMLResponse)
def work_page(
    work_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A work's page: public once published, its owner's (and reviewers') otherwise."""
    try:
        shown = studio.works.showcase(who, work_id[:32])
    except StudioError:
        return missing(request, who, "work")
    work = shown_out(shown).model_dump(mode="json")
    similar: list[Any] = []
    if shown.public:
        with contextlib.suppress(StudioError):
            similar = studio.gallery.similar(shown.work.id, 8)
    held = shown.work.review_status in ("in_review", "rejected")
    shown_similar = [(work_out(w, False).model_dump(mode="json"), u) for w, u, _ in similar]
    return render(
        request,
        "work.html",
        who,
        work=work,
        shown=shown,
        held=held,
        creator=shown.creator,
        text=None if held else text_of(studio, who, work),
        similar=shown_similar,
        texts={w["id"]: text_of(studio, who, w) for w, _ in shown_similar},
        targets=input_targets(studio, shown.work) if shown.owner else [],
        visibilities=VISIBILITIES,
        log=studio.provenance.checkpoint() if work["provenance"]["log_index"] is not None else None,
        feedback=None if held else studio.feedback.tally(who, shown.work.id),
    )


@router.post("/works/{work_id}/visibility")
async def work_visibility(
    work_id: str,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Publish (public), unlist or make private; title and description may come along."""
    title, description = form.get("title"), form.get("description")
    try:
        studio.works.update(
            who,
            work_id[:32],
            str(form.get("visibility", "")) or None,
            str(title).strip() if isinstance(title, str) else None,
            str(description).strip() if isinstance(description, str) else None,
        )
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    back = str(form.get("back", ""))
    target = back if back.startswith("/") and not back.startswith("//") else f"/works/{work_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/works/{work_id}/keep")
async def work_keep(
    work_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Keep this variant: its job's other works are deleted; back to the job's page."""
    try:
        job = studio.variants.keep(who, work_id[:32])
    except StudioError as exc:
        return missing(request, who, "work", status=exc.status, why=i18n.shown(exc))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/works/{work_id}/use")
async def work_use(
    work_id: str,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Use as input: the work's file becomes an upload in another engine's form."""
    engine_name, _, field = str(form.get("target", "")).partition(":")
    try:
        engine = studio.engines.get(engine_name)
        fields = {f.name: f for f in form_fields(params_schema(engine))}
        if field not in fields or fields[field].kind != "file":
            return Response(f"{engine.name} has no file field {field!r}", status_code=422)
        upload = studio.uploads.from_work(who, work_id[:32], fields[field].kinds)
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    return RedirectResponse(f"/create/{engine.name}?keep-{field}={upload.id}", status_code=303)
