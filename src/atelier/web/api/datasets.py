"""Datasets: a client's collections (private to their owner), their items, and their
versions with cards and plots."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from atelier.accounts.authz import Principal
from atelier.datasets.items import RIGHTS
from atelier.datasets.records import Dataset, DatasetItem, DatasetVersion
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.api.uploads import FILE_FORM
from atelier.web.deps import get_studio, principal
from atelier.web.limits import uploaded_file

router = APIRouter(tags=["datasets"])
Rights = Literal["own_work", "licensed", "licensed_noncommercial", "public_domain", "unknown"]
assert set(Rights.__args__) == set(RIGHTS)  # type: ignore[attr-defined]


class NewDataset(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    medium: Literal["image", "music", "text"]
    description: str = Field("", max_length=2000)


class NewVersion(BaseModel):
    size: int = Field(512, ge=64, le=2048, description="Pictures: the square side, pixels.")
    transpose: bool = Field(True, description="Melodies: moved to their mode's reference key.")
    valid_percent: int = Field(10, ge=1, le=50, description="Share held out for validation.")


class ItemOut(BaseModel):
    id: str
    name: str
    sha256: str
    size: int
    rights: str
    caption: str
    supplied_by: str | None
    created_at: datetime


class VersionOut(BaseModel):
    id: str
    dataset_id: str
    manifest_sha256: str = Field(description="The manifest's sha256: the version's address.")
    items: int
    created_at: datetime
    card: dict[str, Any] = Field(description="Counts per cleaning step, removals, rights…")
    plots: list[str]
    urls: dict[str, str]


class DatasetOut(BaseModel):
    id: str
    name: str
    medium: str
    description: str
    items: int
    rights: dict[str, int]
    versions: list[str]
    created_at: datetime


class Added(BaseModel):
    added: list[ItemOut]


def dataset_out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        id=dataset.id,
        name=dataset.name,
        medium=dataset.medium,
        description=dataset.description,
        items=len(dataset.items),
        rights=dict(Counter(i.rights for i in dataset.items)),
        versions=[v.id for v in dataset.versions],
        created_at=dataset.created_at,
    )


def item_out(item: DatasetItem) -> ItemOut:
    return ItemOut.model_validate(item, from_attributes=True)


def version_out(version: DatasetVersion) -> VersionOut:
    base = f"/v1/dataset-versions/{version.id}"
    return VersionOut(
        id=version.id,
        dataset_id=version.dataset_id,
        manifest_sha256=version.manifest_sha256,
        items=version.items,
        created_at=version.created_at,
        card=version.card,
        plots=sorted(version.plots),
        urls={
            "card": f"{base}/card.md",
            "manifest": f"{base}/manifest",
            **{name: f"{base}/plots/{name}" for name in sorted(version.plots)},
        },
    )


@router.post("/datasets", status_code=201)
def create_dataset(
    body: NewDataset, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> DatasetOut:
    return dataset_out(studio.datasets.create(who, body.name, body.medium, body.description))


@router.get("/datasets")
def list_datasets(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[DatasetOut]:
    return [dataset_out(d) for d in studio.datasets.mine(who)]


@router.get("/datasets/{dataset_id}")
def get_dataset(
    dataset_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> DatasetOut:
    return dataset_out(studio.datasets.get(who, dataset_id))


@router.delete("/datasets/{dataset_id}", status_code=204)
def delete_dataset(
    dataset_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    studio.datasets.delete(who, dataset_id)
    return Response(status_code=204)


@router.get("/datasets/{dataset_id}/items")
def list_items(
    dataset_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[ItemOut]:
    items = studio.datasets.get(who, dataset_id).items
    return [item_out(i) for i in items[offset : offset + limit]]


@router.post(
    "/datasets/{dataset_id}/files",
    status_code=201,
    openapi_extra=FILE_FORM,
    dependencies=[Depends(ratelimit.limit("uploads"))],
)
async def add_files(
    dataset_id: str,
    request: Request,
    rights: Rights = Query("unknown", description="What you affirm for these files."),
    caption: str = Query("", max_length=500, description="Pictures: a caption (LoRA)."),
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Added:
    """Multipart field `file`: one picture, melody or text, or a zip of them (its
    `rights.csv` or `manifest.json` may set rights and captions item by item)."""
    name, data = await uploaded_file(request, "file", studio.settings.max_request_bytes)
    added = await run_in_threadpool(
        studio.datasets.add, who, dataset_id, name, data, rights, caption
    )
    return Added(added=[item_out(i) for i in added])


@router.delete("/datasets/{dataset_id}/items/{item_id}", status_code=204)
def remove_item(
    dataset_id: str,
    item_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    studio.datasets.remove(who, dataset_id, item_id)
    return Response(status_code=204)


@router.post("/datasets/{dataset_id}/versions", status_code=201)
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


@router.get("/datasets/{dataset_id}/versions")
def list_versions(
    dataset_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[VersionOut]:
    return [version_out(v) for v in studio.datasets.get(who, dataset_id).versions]


@router.get("/dataset-versions/{version_id}")
def get_version(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> VersionOut:
    return version_out(studio.datasets.version(who, version_id)[0])


@router.get("/dataset-versions/{version_id}/card.md", response_class=PlainTextResponse)
def version_card(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlainTextResponse:
    return PlainTextResponse(
        studio.datasets.markdown(who, version_id), media_type="text/markdown; charset=utf-8"
    )


@router.get("/dataset-versions/{version_id}/manifest", response_class=FileResponse)
def version_manifest(
    version_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """The manifest itself: its sha256 is the version's address."""
    return FileResponse(
        studio.datasets.manifest(who, version_id),
        media_type="application/json",
        filename=f"dataset-{version_id}.json",
    )


@router.get("/dataset-versions/{version_id}/plots/{name}", response_class=FileResponse)
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
