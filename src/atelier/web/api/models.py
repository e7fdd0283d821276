"""Custom models: the caller's (and those shared with them), their cards, sharing, a
training job's live curve, and custom-model quotes (admins make them; clients pay them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.training import card
from atelier.web.deps import get_studio, principal
from atelier.web.openapi import content
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page, Words
from atelier.web.schemas.custom import (
    ModelOut,
    QuoteOut,
    ShareOut,
    TrainingOut,
    model_out,
    quote_out,
)

router = APIRouter(tags=["models"])


class Rename(BaseModel):
    name: Words = Field(min_length=1, max_length=100)


class NewShare(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class NewQuote(BaseModel):
    email: str = Field(min_length=3, max_length=320, description="The client's e-mail.")
    engine: str = Field(min_length=1, max_length=100, description="A train.* engine.")
    params: dict[str, Any] = Field(description="The training's parameters (its dataset…).")
    price: int = Field(ge=0, le=10**10, description="Minor units, on the client's invoice.")
    credits: int = Field(ge=1, le=10_000_000, description="Credits its training may use.")
    description: str = Field("", max_length=300)
    seed: int | None = Field(None, ge=0, le=2**32 - 1)


@router.get("/models", operation_id="models_list")
def list_models(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[ModelOut]:
    """Your models and those shared with you, newest first."""
    rows = studio.models.mine(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, lambda m: After(m.created_at, m.id))
    return Page[ModelOut](items=[model_out(studio, who, m) for m in shown], next=next_url)


@router.get("/models/{model_id}", operation_id="models_get")
def get_model(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ModelOut:
    return model_out(studio, who, studio.models.get(who, model_id))


@router.patch("/models/{model_id}", operation_id="models_rename")
def rename_model(
    model_id: str,
    body: Rename,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ModelOut:
    return model_out(studio, who, studio.models.rename(who, model_id, body.name))


@router.delete("/models/{model_id}", status_code=204, operation_id="models_delete")
def delete_model(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    studio.models.delete(who, model_id)
    return Response(status_code=204)


@router.get(
    "/models/{model_id}/card.md",
    response_class=PlainTextResponse,
    operation_id="models_card",
    responses=content("text/markdown"),
)
def model_card(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlainTextResponse:
    shown = model_out(studio, who, studio.models.get(who, model_id))
    return PlainTextResponse(
        card.markdown(shown.model_dump(mode="json")), media_type="text/markdown; charset=utf-8"
    )


@router.get(
    "/models/{model_id}/weights",
    response_class=FileResponse,
    operation_id="models_weights",
    responses=content("application/octet-stream"),
)
def model_weights(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """The weights file (its owner only)."""
    model, path = studio.models.weights(who, model_id)
    return FileResponse(path, media_type="application/octet-stream", filename=model.weights_name)


def _shares(studio: Studio, who: Principal, model_id: str) -> Page[ShareOut]:
    """Whom the model is shared with, in one page (its owner shares it with a few)."""
    shared = studio.models.shared_with(who, model_id)
    return Page[ShareOut](items=[ShareOut(user_id=u, email=e) for u, e in shared], next=None)


@router.get("/models/{model_id}/shares", operation_id="models_shares_list")
def list_shares(
    model_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Page[ShareOut]:
    return _shares(studio, who, model_id)


@router.post(
    "/models/{model_id}/shares",
    status_code=201,
    operation_id="models_shares_create",
    responses=errors(409),
)
def share_model(
    model_id: str,
    body: NewShare,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Page[ShareOut]:
    """Let a user (by e-mail) use the model; they cannot change, share or download it.
    The answer: whom it is now shared with."""
    studio.models.share(who, model_id, body.email)
    return _shares(studio, who, model_id)


@router.delete(
    "/models/{model_id}/shares/{user_id}", status_code=204, operation_id="models_shares_delete"
)
def unshare_model(
    model_id: str,
    user_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    studio.models.unshare(who, model_id, user_id)
    return Response(status_code=204)


@router.get("/training/{job_id}", operation_id="models_training")
def training(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> TrainingOut:
    """A training job's curve (step: loss, held-out loss), live while it runs, and its
    model once it is made."""
    return TrainingOut(**studio.models.progress(who, job_id))


@router.get("/custom-quotes", operation_id="models_quotes_list")
def list_quotes(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[QuoteOut]:
    """Your quotes (an admin sees every client's), newest first."""
    rows = studio.custom.quotes(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, lambda q: After(q.created_at, q.id))
    return Page[QuoteOut](items=[quote_out(q) for q in shown], next=next_url)


@router.get("/custom-quotes/{quote_id}", operation_id="models_quotes_get")
def get_quote(
    quote_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> QuoteOut:
    return quote_out(studio.custom.get(who, quote_id))


@router.post("/admin/custom-quotes", status_code=201, operation_id="models_quotes_create")
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
