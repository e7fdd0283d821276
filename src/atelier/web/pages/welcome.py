"""The first screen after sign-up: what the account's plan (the Trial) gives and does
not, read from the plan itself, and three example creations that open the create form
filled in."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web.deps import get_studio, signed_in
from atelier.web.pages.common import render
from atelier.web.pages.examples import EXAMPLES

router = APIRouter(include_in_schema=False)


@router.get("/welcome", response_class=HTMLResponse)
def welcome_page(
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    examples: list[dict[str, Any]] = []
    for example in EXAMPLES:
        try:
            engine = studio.engines.get(example.engine)
        except StudioError:
            continue  # a studio without this tool offers the others
        if engine.available() is not None:
            continue
        credits = None
        with contextlib.suppress(StudioError):
            credits = studio.quotes.quote(who, engine.name, example.params).credits
        examples.append(
            {"example": example, "engine": engine, "credits": credits, "settings": example.params}
        )
    return render(
        request,
        "welcome.html",
        who,
        account=studio.commerce.account(who),
        examples=examples,
    )
