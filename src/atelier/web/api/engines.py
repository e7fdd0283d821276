"""The engines this studio can run, each with its parameter schema."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from atelier.errors import Invalid, NotFound
from atelier.studio import Studio
from atelier.web.deps import get_studio
from atelier.web.schemas.common import Page
from atelier.web.schemas.studio import EngineOut, WarmupOut, engine_out, warmup_out

router = APIRouter(tags=["engines"])


@router.get("/engines", operation_id="engines_list")
def list_engines(studio: Studio = Depends(get_studio)) -> Page[EngineOut]:
    """Every engine, in one page (the studio's own catalogue: `next` is null)."""
    items = [engine_out(e, studio.roster.unavailable(e)) for e in studio.engines.all()]
    return Page[EngineOut](items=items, next=None)


@router.get("/warmup", operation_id="engines_warmup")
def warmup(studio: Studio = Depends(get_studio)) -> WarmupOut:
    """Whether the models are still loading after a start (and which): a job sent while
    they are waits in the queue and starts when they are loaded."""
    return warmup_out(studio.warmups.report())


@router.get("/engines/{name}", operation_id="engines_get")
def get_engine(name: str, studio: Studio = Depends(get_studio)) -> EngineOut:
    try:
        engine = studio.engines.get(name)
    except Invalid as exc:  # an unknown name in the path is a missing resource, not bad input
        raise NotFound(exc.detail, field="name") from None
    return engine_out(engine, studio.roster.unavailable(engine))
