"""Custom models: the caller's (and those shared with them), their cards, sharing, a
training job's live curve, and custom-model quotes (admins make them; clients pay them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.training import card
from atelier.training.records import CustomModel, CustomQuote
from atelier.web.deps import get_studio, principal

router = APIRouter(tags=["models"])


class Use(BaseModel):
    engine: str
    param: str


class ModelOut(BaseModel):
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
    uses: list[Use] = Field(description="The engines' parameters that take it by id.")
    created_at: datetime


class Rename(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class NewShare(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class ShareOut(BaseModel):
    user_id: str
    email: str


class TrainingOut(BaseModel):
    job_id: str
    status: str
    model_id: str | None
    curve: dict[str, Any] = Field(description='{"steps": n, "series": {name: {step: value}}}')


class NewQuote(BaseModel):
    email: str = Field(min_length=3, max_length=320, description="The client's e-mail.")
    engine: str = Field(min_length=1, max_length=100, description="A train.* engine.")
    params: dict[str, Any] = Field(description="The training's parameters (its dataset…).")
    price: int = Field(ge=0, le=10**10, description="Minor units, on the client's invoice.")
    credits: int = Field(ge=1, le=10_000_000, description="Credits its training may use.")
    description: str = Field("", max_length=300)
    seed: int | None = Field(None, ge=0, le=2**32 - 1)


class QuoteOut(BaseModel):
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
    created_at: datetime


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
        uses=[Use(engine=e, param=p) for e, p in studio.models.uses(model.kind)],
        created_at=model.created_at,
    )


def quote_out(quote: CustomQuote) -> QuoteOut:
    return QuoteOut.model_validate(quote, from_attributes=True)


@router.get("/models")
def list_models(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[ModelOut]:
    return [model_out(studio, who, m) for m in studio.models.mine(who)]


@router.get("/models/{model_id}")
def get_model(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ModelOut:
    return model_out(studio, who, studio.models.get(who, model_id))


@router.patch("/models/{model_id}")
def rename_model(
    model_id: str,
    body: Rename,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ModelOut:
    return model_out(studio, who, studio.models.rename(who, model_id, body.name))


@router.delete("/models/{model_id}", status_code=204)
def delete_model(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    studio.models.delete(who, model_id)
    return Response(status_code=204)


@router.get("/models/{model_id}/card.md", response_class=PlainTextResponse)
def model_card(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlainTextResponse:
    shown = model_out(studio, who, studio.models.get(who, model_id))
    return PlainTextResponse(
        card.markdown(shown.model_dump(mode="json")), media_type="text/markdown; charset=utf-8"
    )


@router.get("/models/{model_id}/weights", response_class=FileResponse)
def model_weights(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """The weights file (its owner only)."""
    model, path = studio.models.weights(who, model_id)
    return FileResponse(path, media_type="application/octet-stream", filename=model.weights_name)


@router.get("/models/{model_id}/shares")
def list_shares(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[ShareOut]:
    return [ShareOut(user_id=u, email=e) for u, e in studio.models.shared_with(who, model_id)]


@router.post("/models/{model_id}/shares", status_code=201)
def share_model(
    model_id: str,
    body: NewShare,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> list[ShareOut]:
    """Let a user (by e-mail) use the model; they cannot change, share or download it."""
    studio.models.share(who, model_id, body.email)
    return [ShareOut(user_id=u, email=e) for u, e in studio.models.shared_with(who, model_id)]


@router.delete("/models/{model_id}/shares/{user_id}", status_code=204)
def unshare_model(
    model_id: str,
    user_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    studio.models.unshare(who, model_id, user_id)
    return Response(status_code=204)


@router.get("/training/{job_id}")
def training(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> TrainingOut:
    """A training job's curve (step: loss, held-out loss), live while it runs, and its
    model once it is made."""
    return TrainingOut(**studio.models.progress(who, job_id))


@router.get("/custom-quotes")
def list_quotes(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[QuoteOut]:
    """Your quotes (an admin sees every client's)."""
    return [quote_out(q) for q in studio.custom.quotes(who)]


@router.get("/custom-quotes/{quote_id}")
def get_quote(
    quote_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> QuoteOut:
    return quote_out(studio.custom.get(who, quote_id))


@router.post("/admin/custom-quotes", status_code=201)
def make_quote(
    body: NewQuote, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> QuoteOut:
    """An admin quotes a model for a client: an open invoice for the price; paying it
    grants the credits and queues the training for the client."""
    quote, _ = studio.custom.quote(
        who,
        body.email,
        body.engine,
        body.params,
        body.price,
        body.credits,
        body.description,
        body.seed,
    )
    return quote_out(quote)
