"""Works: what jobs made, with their files."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web.deps import get_studio, optional_principal, principal
from atelier.web.schemas import shown_out, work_out

router = APIRouter(tags=["works"])


class WorkChange(BaseModel):
    visibility: Literal["private", "unlisted", "public"] | None = None
    title: str | None = Field(None, max_length=200)


@router.get("/works")
def list_works(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    engine: str | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return [work_out(w) for w in studio.works.mine(who, engine, limit, offset)]


@router.get("/works/{work_id}")
def get_work(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    return shown_out(studio.works.showcase(who, work_id))


@router.patch("/works/{work_id}")
def change_work(
    work_id: str,
    body: WorkChange,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    return work_out(studio.works.update(who, work_id, body.visibility, body.title))


def _send(studio: Studio, who: Principal | None, work_id: str, name: str | None) -> FileResponse:
    file, path = studio.works.file(who, work_id, name)
    return FileResponse(
        path,
        media_type=file.mime,
        filename=file.name,
        # Revalidate every time: a shared work can be made private again.
        headers={"ETag": f'"{file.sha256}"', "Cache-Control": "private, no-cache"},
    )


@router.get("/works/{work_id}/file", response_class=FileResponse)
def work_primary_file(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> FileResponse:
    return _send(studio, who, work_id, None)


@router.get("/works/{work_id}/files/{name}", response_class=FileResponse)
def work_file(
    work_id: str,
    name: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> FileResponse:
    return _send(studio, who, work_id, name)
