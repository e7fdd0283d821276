"""Errors as RFC 9457 problem documents (`application/problem+json`) naming the bad field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from atelier.errors import StudioError

MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": field, "message": message} for field, message in errors]
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(StudioError)
    async def studio_error(_request: Request, exc: StudioError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # A body that is not JSON at all is located at a character offset, not a field.
        errors = [
            ("body" if e["type"] == "json_invalid" else _field(tuple(e["loc"])), e["msg"])
            for e in exc.errors()
        ]
        detail = "; ".join(f"{field}: {message}" for field, message in errors)
        return problem(422, "Invalid input", detail, errors)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return problem(
            exc.status_code, str(exc.detail), str(exc.detail), headers=getattr(exc, "headers", None)
        )
