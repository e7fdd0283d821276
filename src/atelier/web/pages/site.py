"""What the site answers besides its pages: /favicon.ico, and an unknown URL — a page in
the site's layout for a browser, a problem document (RFC 9457) for the API and for
programs that do not ask for HTML."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException

from atelier.web import i18n
from atelier.web.deps import get_studio, page_principal
from atelier.web.pages.common import missing
from atelier.web.problems import TITLES, problem

router = APIRouter(include_in_schema=False)
FAVICON = Path(__file__).parent.parent / "static" / "favicon.svg"
GENERIC = "Not Found"  # Starlette's detail when no route matched


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico before (or without) reading the page's icon link."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"}
    )


def wants_page(request: Request) -> bool:
    path = request.url.path
    api = path == "/v1" or path.startswith("/v1/")
    return not api and "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: Exception) -> Response:
    detail = str(exc.detail) if isinstance(exc, HTTPException) else GENERIC
    if not wants_page(request):
        if detail == GENERIC:
            detail = f"nothing at {request.url.path}"
        return problem(404, TITLES[404], detail)
    who = page_principal(request, get_studio(request))
    nothing = i18n.gettext("Nothing lives at %(path)s.") % {"path": request.url.path}
    why = nothing if detail == GENERIC else detail
    return missing(request, who, "page", why=why)


def install(app: FastAPI) -> None:
    app.add_exception_handler(404, not_found)
