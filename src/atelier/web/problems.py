"""Errors as RFC 9457 problem documents (`application/problem+json`) naming the bad field;
`Problem` is their schema in the OpenAPI document (web/openapi.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from atelier.errors import StudioError

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in, or a bad API key",
    402: "Not enough credits",
    403: "Not allowed (scope, role or CSRF token)",
    404: "Not found (or not yours)",
    409: "Conflict",
    413: "Request body or file too large",
    415: "Unsupported file type",
    422: "Invalid input: the fields are named",
    429: "Too many requests (Retry-After says when to try again)",
    500: "Unexpected error",
    503: "Not available on this studio",
}


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(None, description="The fields that are wrong.")
    needed: float | None = Field(None, description="402: the credits the job may cost.")
    balance: float | None = Field(None, description="402: the credits you have.")
    missing: float | None = Field(None, description="402: the credits you are short.")
    buy: str | None = Field(
        None, description="402: the page where credit packs and plans are bought."
    )
    packs: str | None = Field(None, description="402: the credit packs on sale (API).")
    plans: str | None = Field(None, description="402: the plans on offer (API).")
    engine: str | None = Field(
        None, description="503: the engine no worker serving it has been seen for."
    )
    last_seen_seconds: int | None = Field(
        None, description="503: seconds since a worker serving it was seen (null: never)."
    )


# Where a caller short of credits can get more: the page, and the API's lists.
BUY_LINKS = {"buy": "/account/plans", "packs": "/v1/credit-packs", "plans": "/v1/plans"}


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    members: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": field, "message": message} for field, message in errors]
    body.update(members or {})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's own problems, for its decorator's `responses`."""
    return {code: {"description": TITLES[code]} for code in codes}


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(StudioError)
    async def studio_error(_request: Request, exc: StudioError) -> JSONResponse:
        members = exc.members()
        if exc.status == 402:
            members.update(BUY_LINKS)
        return problem(exc.status, exc.title, exc.detail, exc.errors, members=members)

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

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        """A defect: a problem document, without the details (the server log has them)."""
        return problem(500, "Unexpected error", "the studio failed; the error is logged")
