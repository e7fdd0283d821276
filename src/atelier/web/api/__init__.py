"""The JSON API under /v1: the stable contract for programs."""

from fastapi import APIRouter

from atelier.web.api import admin, auth, engines, jobs, password, provenance, uploads, works

router = APIRouter(prefix="/v1")
for module in (auth, password, engines, uploads, jobs, works, provenance, admin):
    router.include_router(module.router)
