"""The FastAPI application: API, pages, and the workers it starts (worker processes, or
threads of its own with worker_mode=threads)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import atelier
from atelier import optional_parts
from atelier.settings import Settings, get_settings
from atelier.studio import Studio, warmup
from atelier.studio.dispatch import start_dispatcher
from atelier.studio.processes import start_workers
from atelier.studio.warmup import Warmup
from atelier.web import guards, i18n, openapi, problems, ratelimit, routers
from atelier.web.headers import SecurityHeaders
from atelier.web.limits import BodyLimit
from atelier.web.pages import site

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
        warm = None
        if settings.warm_start:  # a submit screens its prompt here: load that first
            steps = [("prompt screen", studio.safety.warm)]
            warm = Warmup(steps, settings.data_dir, warmup.SUBMIT).start()
        workers = start_workers(studio)
        dispatcher = start_dispatcher(studio)  # webhooks, beside the workers
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            workers.stop()
            if warm is not None:
                warm.close()
            studio.close()

    app = FastAPI(
        title="Atelier",
        version=atelier.__version__,
        description="A self-hosted AI creative studio. Every creation is a job: POST /v1/jobs.",
        lifespan=lifespan,
        docs_url=None,  # served by web/pages/apidocs.py, without a CDN or inline script
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.studio = studio
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(i18n.Negotiate)  # the request's language (web/i18n.py)
    # Outermost: every answer has them, a 413 too.
    app.add_middleware(SecurityHeaders, files_origin=studio.artifacts.download_origin() or "")
    ratelimit.install(app, settings)
    guards.install(app)
    site.install(app)  # unknown URLs: a page for browsers, a problem for the API
    routers.mount(app)
    openapi.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
