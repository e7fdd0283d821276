"""Datasets (their items and versions) and custom models (their shares, training curves
and quotes), as the API answers with them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import Field

from atelier.accounts.authz import Principal
from atelier.datasets.records import Dataset, DatasetItem, DatasetVersion
from atelier.studio import Studio
from atelier.training.records import CustomModel, CustomQuote
from atelier.web.schemas.common import Out, UtcTime


class ItemOut(Out):
    id: str
    name: str
    sha256: str
    size: int
    rights: str
    caption: str
    supplied_by: str | None
    created_at: UtcTime


class VersionOut(Out):
    id: str
    dataset_id: str
    manifest_sha256: str = Field(description="The manifest's sha256: the version's address.")
    items: int
    created_at: UtcTime
    card: dict[str, Any] = Field(description="Counts per cleaning step, removals, rights…")
    plots: list[str]
    urls: dict[str, str]


class DatasetOut(Out):
    id: str
    name: str
    medium: str
    description: str
    items: int
    rights: dict[str, int]
    versions: list[str]
    created_at: UtcTime


class AddedOut(Out):
    added: list[ItemOut]


class UseOut(Out):
    engine: str
    param: str


class ModelOut(Out):
    id: str
    name: str
    kind: str = Field(description="melody, style, lora or voice")
    medium: str
    owner: bool = Field(description="Whether it is yours (else shared with you).")
    engine: str = Field(description="The training engine that made it.")
    job_id: str | None
    base: str
    dataset_version_id: str | None
    dataset_name: str
    manifest_sha256: str
    config: dict[str, Any]
    metrics: dict[str, Any]
    weights_sha256: str
    weights_size: int
    commercial_use: bool
    lineage: list[dict[str, Any]]
    uses: list[UseOut] = Field(description="The engines' parameters that take it by id.")
    created_at: UtcTime


class ShareOut(Out):
    user_id: str
    email: str


class TrainingOut(Out):
    job_id: str
    status: str
    model_id: str | None
    curve: dict[str, Any] = Field(description='{"steps": n, "series": {name: {step: value}}}')


class QuoteOut(Out):
    id: str
    client_id: str
    engine: str
    params: dict[str, Any]
    price: int
    currency: str
    credits: int
    description: str
    status: str
    invoice_id: str | None
    job_id: str | None
    created_at: UtcTime


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


def model_out(studio: Studio, who: Principal, model: CustomModel) -> ModelOut:
    return ModelOut(
        id=model.id,
        name=model.name,
        kind=model.kind,
        medium=model.medium,
        owner=model.owner_id == who.user_id,
        engine=model.engine,
        job_id=model.job_id,
        base=model.base,
        dataset_version_id=model.dataset_version_id,
        dataset_name=model.dataset_name,
        manifest_sha256=model.manifest_sha256,
        config=model.config,
        metrics=model.metrics,
        weights_sha256=model.weights_sha256,
        weights_size=model.weights_size,
        commercial_use=model.commercial_use,
        lineage=model.lineage,
        uses=[UseOut(engine=e, param=p) for e, p in studio.models.uses(model.kind)],
        created_at=model.created_at,
    )


def quote_out(quote: CustomQuote) -> QuoteOut:
    return QuoteOut.model_validate(quote, from_attributes=True)
