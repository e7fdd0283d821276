"""The FastAPI application: API, pages, and the in-process workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import atelier
from atelier import optional_parts
from atelier.settings import Settings, get_settings
from atelier.studio import Studio
from atelier.studio.runner import WorkerPool
from atelier.web import problems
from atelier.web.api import billing as billing_api
from atelier.web.api import market as market_api
from atelier.web.api import router as api_router
from atelier.web.limits import BodyLimit
from atelier.web.pages import account as account_pages
from atelier.web.pages import market as market_pages
from atelier.web.pages import router as pages_router

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    studio = Studio(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        password = studio.prepare()
        if password:
            print(f"Created admin {settings.admin_email} with password: {password}", flush=True)
            print("(shown once; set ATELIER_ADMIN_PASSWORD to choose it)", flush=True)
        for notice in optional_parts.notices():
            print(notice, flush=True)
        pool = WorkerPool(studio, settings.workers).start()
        try:
            yield
        finally:
            pool.stop()
            studio.close()

    app = FastAPI(
        title="Atelier",
        version=atelier.__version__,
        description="A self-hosted AI creative studio. Every creation is a job: POST /v1/jobs.",
        lifespan=lifespan,
    )
    app.state.studio = studio
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.include_router(api_router)
    app.include_router(market_api.router, prefix="/v1")
    app.include_router(billing_api.router, prefix="/v1")
    app.include_router(pages_router)
    app.include_router(market_pages.router)
    app.include_router(account_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
