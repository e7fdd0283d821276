"""The API's live reference at /docs: Swagger UI served by the studio itself (its files
come with the fastapi-offline package) and started from /static/api-docs.js, so the page
works offline and under the pages' Content-Security-Policy: no CDN, no inline script."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from atelier.web.headers import DOCS_POLICY
from atelier.web.pages.common import render

router = APIRouter(include_in_schema=False)
VENDOR = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
}


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    response = render(request, "api_docs.html", None)
    response.headers["content-security-policy"] = DOCS_POLICY
    return response


@router.get("/docs/assets/{name}")
def api_docs_asset(name: str) -> Response:
    if name not in ASSETS:
        return Response("no such file", status_code=404, media_type="text/plain")
    return FileResponse(VENDOR / name, media_type=ASSETS[name])
