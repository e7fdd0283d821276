"""The public gallery (no account needed): the wall of published works, search by
meaning, and creators' pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import get_studio, page_principal
from atelier.web.pages.common import MEDIA, missing, render, text_of
from atelier.web.schemas.studio import work_out

router = APIRouter(include_in_schema=False)
PAGE = 48


@router.get("/gallery", response_class=HTMLResponse)
def gallery_page(
    request: Request,
    q: str = "",
    medium: str = "",
    page: int = 0,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    query, medium = q.strip()[:300], medium if medium in MEDIA else ""
    page = max(0, min(page, 10_000))
    error = None
    if query:
        try:
            rows = [(w, u) for w, u, _ in studio.gallery.search(query, PAGE)]
        except StudioError as exc:
            rows, error = [], i18n.shown(exc)
        more = False
    else:
        rows = studio.gallery.wall(medium or None, PAGE + 1, page * PAGE)
        more = len(rows) > PAGE
    items = [(work_out(w, False).model_dump(mode="json"), u) for w, u in rows[:PAGE]]
    return render(
        request,
        "gallery.html",
        who,
        items=items,
        texts={w["id"]: text_of(studio, who, w) for w, _ in items},
        q=query,
        medium=medium,
        media=MEDIA,
        page=page,
        more=more,
        error=error,
    )


@router.get("/creators/{handle}", response_class=HTMLResponse)
def creator_page(
    handle: str,
    request: Request,
    page: int = 0,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    page = max(0, min(page, 10_000))
    try:
        creator, rows = studio.gallery.creator(handle[:40], PAGE + 1, page * PAGE)
    except StudioError:
        return missing(request, who, "creator")
    items = [(work_out(w, False).model_dump(mode="json"), u) for w, u in rows[:PAGE]]
    return render(
        request,
        "creator.html",
        who,
        creator=creator,
        items=items,
        texts={w["id"]: text_of(studio, who, w) for w, _ in items},
        page=page,
        more=len(rows) > PAGE,
    )
