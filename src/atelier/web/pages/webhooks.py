"""/account/webhooks: an account's webhook endpoints, made, tested and deleted from a
signed-in session through the same service as /v1/webhooks, each with its delivery log
(every try, its answer, the next retry). A new endpoint's secret is on the answer to the
form that made it and nowhere else, so that answer is not cached. Plain forms, no script
(the pages' CSP allows none inline)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.store.outbox import EVENT_TYPES
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import checked_form, get_studio, signed_in
from atelier.web.pages.common import render

router = APIRouter(include_in_schema=False)
LOGGED = 10  # deliveries shown per endpoint, newest first


@router.get("/account/webhooks", response_class=HTMLResponse)
def webhooks_page(
    request: Request,
    done: str | None = None,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _page(request, who, studio, done=done)


def _page(
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
    endpoints = studio.webhooks.mine(who)
    response = render(
        request,
        "account_webhooks.html",
        who,
        status=code,
        endpoints=[(e, studio.webhooks.deliveries(who, e.id, LOGGED)) for e in endpoints],
        event_types=EVENT_TYPES,
        secret=secret,
        done=done,
        error=error,
        field=field,
        url=str(form.get("url", "")) if form else "",
        description=str(form.get("description", "")) if form else "",
        chosen=form.getlist("types") if form else [],
    )
    if secret:
        response.headers["cache-control"] = "no-store"
    return response


@router.post("/account/webhooks", response_class=HTMLResponse)
async def make_endpoint(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    url = str(form.get("url", "")).strip()
    description = str(form.get("description", "")).strip()
    types = [str(t) for t in form.getlist("types")]
    try:
        endpoint = studio.webhooks.create(who, url, description, types)
    except StudioError as exc:
        field = exc.errors[0][0] if exc.errors else None
        return _page(
            request, who, studio, error=i18n.shown(exc), field=field, form=form, code=exc.status
        )
    return _page(request, who, studio, secret=endpoint.secret, done=f"endpoint {url} added")


@router.post("/account/webhooks/{endpoint_id}/test", response_class=HTMLResponse)
async def test_endpoint(
    endpoint_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        event = studio.webhooks.test(who, endpoint_id)
    except StudioError as exc:
        return _page(request, who, studio, error=i18n.shown(exc), code=exc.status)
    return RedirectResponse(f"/account/webhooks?done=test event {event.id} queued", status_code=303)


@router.post("/account/webhooks/{endpoint_id}/delete", response_class=HTMLResponse)
async def delete_endpoint(
    endpoint_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        endpoint = studio.webhooks.delete(who, endpoint_id)
    except StudioError as exc:
        return _page(request, who, studio, error=i18n.shown(exc), code=exc.status)
    return RedirectResponse(
        f"/account/webhooks?done=endpoint {endpoint.url} deleted", status_code=303
    )
