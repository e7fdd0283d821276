"""The reviewers' pages: a panel's items one at a time, blind, from an invitation link
(/review/TOKEN, no account) or for a signed-in reviewer (/review/panels/ID). Both show
the same page; the vote is a plain form (static/review.js adds the keys). The link's
secret is its own guard: a form posted to it needs nothing else."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import Conflict, StudioError
from atelier.studio import Studio
from atelier.studio.panels import Seat
from atelier.web import i18n, ratelimit
from atelier.web.deps import checked_form, get_studio, page_principal, signed_in
from atelier.web.pages.common import render

router = APIRouter(include_in_schema=False)
PLACES = ("left", "right", "only")


def _show(
    request: Request,
    who: Principal | None,
    studio: Studio,
    seat: Seat,
    base: str,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    showing = studio.panels.showing(seat)
    return render(
        request,
        "review.html",
        who,
        status=status,
        base=base,
        kind=seat.panel.kind,
        criteria=seat.panel.criteria,
        instructions=seat.panel.instructions,
        closed=seat.panel.closed_at is not None,
        showing=showing,
        notice=notice,
    )


def _refused(request: Request, who: Principal | None, exc: StudioError) -> Response:
    return render(request, "review_refused.html", who, status=exc.status, detail=i18n.shown(exc))


def _answers(form: FormData, seat: Seat) -> dict[str, str]:
    return {c["key"]: str(form.get(c["key"], ""))[:10] for c in seat.panel.criteria}


def _number(form: FormData) -> int:
    text = str(form.get("number", ""))
    return int(text) if text.isdigit() else -1


async def _vote(
    request: Request, who: Principal | None, studio: Studio, seat: Seat, base: str
) -> Response:
    form = await request.form()
    try:
        studio.panels.vote(seat, _number(form), _answers(form, seat))
    except Conflict as exc:  # judged already (another tab), or the panel closed
        return _show(request, who, studio, seat, base, 409, i18n.shown(exc) + i18n.gettext("."))
    except StudioError as exc:
        return _show(request, who, studio, seat, base, exc.status, i18n.shown(exc))
    return RedirectResponse(base, status_code=303)


def _picture(studio: Studio, seat: Seat, number: int, place: str) -> Response:
    if place not in PLACES:
        return Response("no such picture", status_code=404)
    mime, path = studio.panels.picture(seat, number, place)
    # Named by position only, and not kept by shared caches: nothing says whose it is.
    return FileResponse(path, media_type=mime, headers={"Cache-Control": "private, no-store"})


# -- a signed-in reviewer -----------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def my_reviews(
    request: Request, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    return render(request, "review_list.html", who, panels=studio.panels.assigned(who))


@router.get("/review/panels/{panel_id}", response_class=HTMLResponse)
def review_as_account(
    panel_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        seat = studio.panels.seat_for(who, panel_id[:32])
    except StudioError as exc:
        return _refused(request, who, exc)
    return _show(request, who, studio, seat, f"/review/panels/{seat.panel.id}")


@router.post(
    "/review/panels/{panel_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("votes", page_principal))],
)
async def vote_as_account(
    panel_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        seat = studio.panels.seat_for(who, panel_id[:32])
    except StudioError as exc:
        return _refused(request, who, exc)
    return await _vote(request, who, studio, seat, f"/review/panels/{seat.panel.id}")


@router.get("/review/panels/{panel_id}/pictures/{number}/{place}")
def picture_as_account(
    panel_id: str,
    number: int,
    place: str,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        return _picture(studio, studio.panels.seat_for(who, panel_id[:32]), number, place)
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)


# -- an invitation link -------------------------------------------------------------------


@router.get("/review/{token}", response_class=HTMLResponse)
def review_by_link(
    token: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        seat = studio.panels.seat_by_token(token)
    except StudioError as exc:
        return _refused(request, who, exc)
    response = _show(request, who, studio, seat, f"/review/{token}")
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the reviewer's key
    return response


@router.post(
    "/review/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("votes", page_principal))],
)
async def vote_by_link(
    token: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        seat = studio.panels.seat_by_token(token)
    except StudioError as exc:
        return _refused(request, who, exc)
    return await _vote(request, who, studio, seat, f"/review/{token}")


@router.get("/review/{token}/pictures/{number}/{place}")
def picture_by_link(
    token: str, number: int, place: str, studio: Studio = Depends(get_studio)
) -> Response:
    try:
        return _picture(studio, studio.panels.seat_by_token(token), number, place)
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
