"""Datasets: a client's collections (private to their owner), their items, and their
versions with cards and plots."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from atelier.accounts.authz import Principal
from atelier.datasets.items import RIGHTS
from atelier.datasets.records import DatasetItem, DatasetVersion
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.api.uploads import FILE_FORM
from atelier.web.deps import get_studio, principal
from atelier.web.limits import uploaded_file
from atelier.web.openapi import content
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page, Words
from atelier.web.schemas.custom import (
    AddedOut,
    DatasetOut,
    ItemOut,
    VersionOut,
    dataset_out,
    item_out,
    version_out,
)

router = APIRouter(tags=["datasets"])
SAME_VERSION = "The same version as before (nothing changed since it was made)."
Rights = Literal["own_work", "licensed", "licensed_noncommercial", "public_domain", "unknown"]
assert set(Rights.__args__) == set(RIGHTS)  # type: ignore[attr-defined]


class NewDataset(BaseModel):
    name: Words = Field(min_length=1, max_length=100)
    medium: Literal["image", "music", "text"]
    description: str = Field("", max_length=2000)


class NewVersion(BaseModel):
    size: int = Field(512, ge=64, le=2048, description="Pictures: the square side, pixels.")
    transpose: bool = Field(True, description="Melodies: moved to their mode's reference key.")
    valid_percent: int = Field(10, ge=1, le=50, description="Share held out for validation.")


def _key(row: DatasetItem | DatasetVersion) -> After:
    return After(row.created_at, row.id)


@router.post("/datasets", status_code=201, operation_id="datasets_create")
def create_dataset(
    body: NewDataset, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> DatasetOut:
    return dataset_out(studio.datasets.create(who, body.name, body.medium, body.description))


@router.get("/datasets", operation_id="datasets_list")
def list_datasets(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[DatasetOut]:
    """Your datasets, newest first."""
    rows = studio.datasets.mine(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, lambda d: After(d.created_at, d.id))
    return Page[DatasetOut](items=[dataset_out(d) for d in shown], next=next_url)


@router.get("/datasets/{dataset_id}", operation_id="datasets_get")
def get_dataset(
    dataset_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> DatasetOut:
    return dataset_out(studio.datasets.get(who, dataset_id))


@router.delete("/datasets/{dataset_id}", status_code=204, operation_id="datasets_delete")
def delete_dataset(
    dataset_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    studio.datasets.delete(who, dataset_id)
    return Response(status_code=204)


@router.get("/datasets/{dataset_id}/items", operation_id="datasets_items_list")
def list_items(
    dataset_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(200, 1000)),
) -> Page[ItemOut]:
    """The dataset's items in the order they came."""
    rows = studio.datasets.item_page(who, dataset_id, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _key)
    return Page[ItemOut](items=[item_out(i) for i in shown], next=next_url)


@router.post(
    "/datasets/{dataset_id}/files",
    status_code=201,
    openapi_extra=FILE_FORM,
    dependencies=[Depends(ratelimit.limit("uploads"))],
    operation_id="datasets_files_add",
    responses=errors(409, 415, 429),
)
async def add_files(
    dataset_id: str,
    request: Request,
    rights: Rights = Query("unknown", description="What you affirm for these files."),
    caption: str = Query("", max_length=500, description="Pictures: a caption (LoRA)."),
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> AddedOut:
    """Multipart field `file`: one picture, melody or text, or a zip of them (its
    `rights.csv` or `manifest.json` may set rights and captions item by item)."""
    name, data = await uploaded_file(request, "file", studio.settings.max_request_bytes)
    added = await run_in_threadpool(
        studio.datasets.add, who, dataset_id, name, data, rights, caption
    )
    return AddedOut(added=[item_out(i) for i in added])


@router.delete(
    "/datasets/{dataset_id}/items/{item_id}", status_code=204, operation_id="datasets_items_delete"
)
def remove_item(
    dataset_id: str,
    item_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    studio.datasets.remove(who, dataset_id, item_id)
    return Response(status_code=204)


@router.post(
    "/datasets/{dataset_id}/versions",
    status_code=201,
    operation_id="datasets_versions_create",
    responses={**errors(409), 200: {"model": VersionOut, "description": SAME_VERSION}},
)
async def make_version(
    dataset_id: str,
    response: Response,
    body: NewVersion | None = None,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> VersionOut:
    """Clean the items and freeze them as a version (200: the same version as before)."""
    options = body or NewVersion()
    version, new = await run_in_threadpool(
        studio.datasets.make_version,
        who,
        dataset_id,
        options.size,
        options.transpose,
        options.valid_percent,
    )
    if not new:
        response.status_code = 200
    return version_out(version)


@router.get("/datasets/{dataset_id}/versions", operation_id="datasets_versions_list")
def list_versions(
    dataset_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[VersionOut]:
    """The dataset's versions, newest first."""
    rows = studio.datasets.version_page(who, dataset_id, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _key)
    return Page[VersionOut](items=[version_out(v) for v in shown], next=next_url)


@router.get("/dataset-versions/{version_id}", operation_id="datasets_versions_get")
def get_version(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> VersionOut:
    return version_out(studio.datasets.version(who, version_id)[0])


@router.get(
    "/dataset-versions/{version_id}/card.md",
    response_class=PlainTextResponse,
    operation_id="datasets_versions_card",
    responses=content("text/markdown"),
)
def version_card(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlainTextResponse:
    return PlainTextResponse(
        studio.datasets.markdown(who, version_id), media_type="text/markdown; charset=utf-8"
    )


@router.get(
    "/dataset-versions/{version_id}/manifest",
    response_class=FileResponse,
    operation_id="datasets_versions_manifest",
    responses=content("application/json"),
)
def version_manifest(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """The manifest itself: its sha256 is the version's address."""
    return FileResponse(
        studio.datasets.manifest(who, version_id),
        media_type="application/json",
        filename=f"dataset-{version_id}.json",
    )


@router.get(
    "/dataset-versions/{version_id}/plots/{name}",
    response_class=FileResponse,
    operation_id="datasets_versions_plot",
    responses=content("image/svg+xml"),
)
def version_plot(
    version_id: str,
    name: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> FileResponse:
    return FileResponse(
        studio.datasets.plot(who, version_id, name),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=3600"},
    )
