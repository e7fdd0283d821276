"""/account/keys: make, list and revoke API keys from a signed-in session, through the
same account service as POST/GET/DELETE /v1/keys. A new key's secret is on the answer to
the form that made it and nowhere else (it is stored hashed), so that answer is not
cached."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import SCOPES, Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import checked_form, get_studio, signed_in
from atelier.web.pages.common import render

router = APIRouter(include_in_schema=False)
SHOWN = 100  # keys listed, oldest first (revoked ones too)
SCOPE_HELP = {
    "read": i18n.lazy("see your jobs, works, uploads, account and the catalogue"),
    "write": i18n.lazy("make and change things: jobs, uploads, listings (costs credits)"),
}


@router.get("/account/keys", response_class=HTMLResponse)
def keys_page(
    request: Request,
    done: str | None = None,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _keys(request, who, studio, done=done)


def _keys(
    request: Request,
    who: Principal,
    studio: Studio,
    *,
    secret: str | None = None,
    done: str | None = None,
    error: str | None = None,
    field: str | None = None,
    form: FormData | None = None,
    code: int = 200,
) -> Response:
    response = render(
        request,
        "account_keys.html",
        who,
        status=code,
        keys=studio.accounts.keys(who, SHOWN),
        account=studio.commerce.account(who),
        scopes=[(scope, SCOPE_HELP[scope]) for scope in SCOPES],
        secret=secret,
        done=done,
        error=error,
        field=field,
        key_name=str(form.get("name", "")) if form else "",
        chosen=form.getlist("scopes") if form else ["read"],
    )
    if secret:
        response.headers["cache-control"] = "no-store"
    return response


@router.post("/account/keys", response_class=HTMLResponse)
async def make_key(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    name = str(form.get("name", "")).strip()
    scopes = [str(scope) for scope in form.getlist("scopes")]
    try:
        secret, record = studio.accounts.create_key(who, name, scopes)
    except StudioError as exc:
        field = exc.errors[0][0] if exc.errors else None
        return _keys(
            request, who, studio, error=i18n.shown(exc), field=field, form=form, code=exc.status
        )
    return _keys(request, who, studio, secret=secret, done=f"key {record.name} made")


@router.post("/account/keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_key(
    key_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        record = studio.accounts.revoke_key(who, key_id)
    except StudioError as exc:
        return _keys(request, who, studio, error=i18n.shown(exc), code=exc.status)
    return RedirectResponse(f"/account/keys?done=key {record.name} revoked", status_code=303)
