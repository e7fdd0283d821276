"""The language switch: POST /language keeps the chosen language in a cookie and, for a
signed-in person, on their account (so it follows them to any browser they sign in
from), then goes back to the page it was sent from."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import csrf_ok, get_studio, page_principal
from atelier.web.inputs import check_form
from atelier.web.pages.common import missing

router = APIRouter(include_in_schema=False)


def back_to(target: str) -> str:
    """Only a path on this site (never another host: "//host" or "/\\host")."""
    return target if target.startswith("/") and target[1:2] not in ("/", "\\") else "/"


@router.post("/language")
async def switch(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    form = await request.form()
    check_form(form)
    code = i18n.known(str(form.get("locale", "")))
    if code is None:
        why = i18n.gettext("The studio speaks: %(names)s.") % {
            "names": ", ".join(i18n.LANGUAGES.values())
        }
        return missing(request, who, "language", status=422, why=why)
    if who is not None and csrf_ok(who, form):
        studio.accounts.set_language(who, code)
    response = RedirectResponse(back_to(str(form.get("back", "/"))), status_code=303)
    i18n.remember(response, code, studio.settings.secure_cookies)
    return response


def signed_in_language(response: Response, studio: Studio, code: str | None) -> None:
    """At sign-in: the account's own language, when it chose one, becomes the browser's."""
    if i18n.known(code):
        i18n.remember(response, str(i18n.known(code)), studio.settings.secure_cookies)
