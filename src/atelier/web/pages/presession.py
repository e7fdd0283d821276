"""CSRF tokens for the forms filled in before signing in: sign in, sign up, a forgotten
password, a password reset.

There is no session yet to hold a token, so the token is double-submitted: the page puts
one random value in a cookie (HttpOnly, SameSite=Strict) and in the form, and a post must
bring both, equal. Another site can neither read the cookie nor make the browser send it
with a cross-site post, so it cannot sign a visitor into an account of its choosing
(login CSRF) or submit these forms in their name."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import Request, Response

COOKIE = "atelier_form"
FIELD = "csrf_token"
MAX_AGE = 12 * 3600  # a form left open longer than this is reloaded
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def token(request: Request) -> str:
    """The visitor's form token: the one their cookie holds, or a new one."""
    kept = request.cookies.get(COOKIE, "")
    return kept if _TOKEN.match(kept) else secrets.token_urlsafe(32)


def keep(request: Request, response: Response, value: str) -> Response:
    """Set (or refresh) the token's cookie on the page that carries the form."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.app.state.studio.settings.secure_cookies,
        path="/",
    )
    return response


def valid(request: Request, form: Any) -> bool:
    """Whether a posted form carries the token its sender's cookie holds."""
    kept, sent = request.cookies.get(COOKIE, ""), str(form.get(FIELD, ""))
    return bool(_TOKEN.match(kept)) and secrets.compare_digest(kept, sent)
