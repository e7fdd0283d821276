"""Only input the database can store gets in: a NUL character (PostgreSQL's text refuses
it) or an unpaired surrogate (it has no UTF-8, so neither database takes it) is refused
at the door with a 422 naming the field, before any handler runs: in path and query
parameters, headers and JSON bodies (`clean_request`, on every router), and in forms and
uploaded files' names where they are read (`check_form`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from atelier.errors import Invalid

Found = tuple[str, str]


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "must not contain unpaired surrogates (text that is not UTF-8)"
    return None


def walk(value: Any, at: str) -> Iterator[Found]:
    """(field, reason) for every unstorable string in a JSON value, keys included;
    fields are named as validation names them (`params.prompt`, `scopes.0`)."""
    if isinstance(value, str):
        reason = unstorable(value)
        if reason:
            yield at, reason
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = unstorable(key)
            if reason:
                yield at or "body", f"a key {reason}"
            else:
                yield from walk(item, f"{at}.{key}" if at else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{at}.{index}" if at else str(index))


def refuse(found: list[Found]) -> None:
    if found:
        detail = "; ".join(f"{field}: {reason}" for field, reason in found)
        raise Invalid(detail, errors=found)


def header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


async def clean_request(request: Request) -> None:
    """A router dependency: refuse unstorable path and query parameters, headers and
    JSON bodies (FastAPI has read the body already; it is not read twice)."""
    found: list[Found] = []
    for name, value in request.path_params.items():
        found += walk(value, name)
    for name, value in request.query_params.multi_items():
        found += walk(value, name)
    for name, value in request.headers.items():
        found += walk(value, header_name(name))
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:  # FastAPI answers a body that is not JSON
            body = None
        found += walk(body, "")
    refuse(found)


def check_form(form: FormData) -> None:
    """Refuse a form with an unstorable field, or a file with an unstorable name."""
    found: list[Found] = []
    for name, value in form.multi_items():
        text = (value.filename or "") if isinstance(value, UploadFile) else value
        found += walk(text, name)
    refuse(found)
