"""The engines this studio can run, each with its parameter schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from atelier.errors import Invalid, NotFound
from atelier.studio import Studio
from atelier.web.deps import get_studio
from atelier.web.schemas import engine_out

router = APIRouter(tags=["engines"])


@router.get("/engines")
def list_engines(studio: Studio = Depends(get_studio)) -> list[dict[str, Any]]:
    return [engine_out(e) for e in studio.engines.all()]


@router.get("/engines/{name}")
def get_engine(name: str, studio: Studio = Depends(get_studio)) -> dict[str, Any]:
    try:
        engine = studio.engines.get(name)
    except Invalid as exc:  # an unknown name in the path is a missing resource, not bad input
        raise NotFound(exc.detail, field="name") from None
    return engine_out(engine)
