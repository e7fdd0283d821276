"""Refusals the doors' guards raise (web/deps.py), and the one handler that answers
them: a redirect or page for the pages, a problem document for the API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from atelier.accounts.authz import Principal
from atelier.web import i18n
from atelier.web.pages.common import render
from atelier.web.problems import problem

EXPIRED_FORM = i18n.lazy("The form expired; reload the page and try again.")  # shown translated


class Refused(Exception):
    status = 403

    def __init__(self, detail: str, who: Principal | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.who = who


class SignInRequired(Refused):
    """Nobody is signed in: a page sends them to sign in, the API answers 401."""

    status = 401


class NotAdmin(Refused):
    """Signed in, but an admin's page."""


class FormExpired(Refused):
    """A form without the session's CSRF token (or with another session's)."""


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        if request.url.path.startswith("/v1/"):
            headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, SignInRequired) else None
            return problem(exc.status, exc.detail, exc.detail, headers=headers)
        if isinstance(exc, SignInRequired):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if isinstance(exc, NotAdmin):
            return render(request, "admin_forbidden.html", exc.who, status=403)
        return Response(exc.detail, status_code=exc.status)
