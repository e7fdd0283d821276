"""Works: what jobs made, with their files."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.models import Work
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web.deps import get_studio, optional_principal, principal
from atelier.web.openapi import content
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page
from atelier.web.schemas.studio import JobOut, Visibility, WorkOut, job_out, shown_out, work_out

router = APIRouter(tags=["works"])
A_FILE = content("*/*")  # the work's own type: image/png, audio/wav, text/plain…


class WorkChange(BaseModel):
    visibility: Visibility | None = None
    title: str | None = Field(None, max_length=200)


def _key(work: Work) -> After:
    return After(work.created_at, work.id)


@router.get("/works", operation_id="works_list")
def list_works(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    engine: str | None = Query(None, max_length=100),
    page: Window = Depends(window()),
) -> Page[WorkOut]:
    """Your works, newest first."""
    rows = studio.works.mine(who, engine, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _key)
    return Page[WorkOut](items=[work_out(w) for w in shown], next=next_url)


@router.get("/works/{work_id}", operation_id="works_get")
def get_work(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> WorkOut:
    """A work you own, or one that is public or unlisted (without its recipe)."""
    return shown_out(studio.works.showcase(who, work_id))


@router.post("/works/{work_id}/keep", operation_id="works_keep", responses=errors(409))
def keep_work(
    work_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> JobOut:
    """Keep this one of its job's variants: the job's other works are deleted (their log
    entries stay). Returns the job, with this work left."""
    return job_out(studio.variants.keep(who, work_id))


@router.patch("/works/{work_id}", operation_id="works_update")
def change_work(
    work_id: str,
    body: WorkChange,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> WorkOut:
    return work_out(studio.works.update(who, work_id, body.visibility, body.title))


def _send(studio: Studio, who: Principal | None, work_id: str, name: str | None) -> Response:
    """The file, once works.file has checked who may have it: from here, or (an object
    store set to redirect) by a short-lived signed URL of the store."""
    served = studio.works.serve(who, work_id, name)
    file = served.file
    if served.url is not None:
        return RedirectResponse(served.url, 307, headers={"Cache-Control": "no-store"})
    assert served.path is not None
    return FileResponse(
        served.path,
        media_type=file.mime,
        filename=file.name,
        # Revalidate every time: a shared work can be made private again.
        headers={"ETag": f'"{file.sha256}"', "Cache-Control": "private, no-cache"},
    )


@router.get(
    "/works/{work_id}/file",
    response_class=FileResponse,
    operation_id="works_file",
    responses=A_FILE,
)
def work_primary_file(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The work's primary file."""
    return _send(studio, who, work_id, None)


@router.get(
    "/works/{work_id}/files/{name}",
    response_class=FileResponse,
    operation_id="works_file_named",
    responses=A_FILE,
)
def work_file(
    work_id: str,
    name: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Another file of the work: its thumbnail, renditions, sidecar manifests."""
    return _send(studio, who, work_id, name)
