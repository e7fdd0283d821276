"""The OpenAPI document: stable operation ids, and every /v1 route's problems declared
with the Problem schema (`application/problem+json`): those any route of its kind may
answer (found from the document: its security, method and path), and those it declares
itself (`problems.errors`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from atelier.web import deps
from atelier.web.problems import MEDIA_TYPE, Problem, errors

PROBLEM = {"$ref": "#/components/schemas/Problem"}
BINARY = {"type": "string", "format": "binary"}


def operation_id(route: APIRoute) -> str:
    """`tag_name` for a route that sets no operation id of its own."""
    return f"{route.tags[0] if route.tags else 'atelier'}_{route.name}"


def content(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answer that is a file (not JSON), for a route's `responses`."""
    return {200: {"content": {media: {"schema": BINARY} for media in media_types}}}


def guarded(method: str, operation: dict[str, Any]) -> list[int]:
    """The problems any /v1 operation may answer, read from the document: any request
    (413: the body limit; 422: unstorable input anywhere; 500), one that names a caller
    or changes something (401: a bad key; 403: scope, role or CSRF token), an id in the
    path (404)."""
    codes = [413, 422, 500]
    if operation.get("security") or method.upper() not in deps.SAFE_METHODS:
        codes += [401, 403]
    if any(p["in"] == "path" for p in operation.get("parameters", [])):
        codes.append(404)
    return codes


def document(app: FastAPI, prefix: str = "/v1/") -> dict[str, Any]:
    """The OpenAPI document, made once: every error answer is a Problem."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if path.startswith(prefix):
                responses.pop("422", None)  # FastAPI's own, replaced by ours
                for code, declared in errors(*guarded(method, operation)).items():
                    responses.setdefault(str(code), declared)
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = {MEDIA_TYPE: {"schema": PROBLEM}}
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
