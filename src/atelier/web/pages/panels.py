"""A panel maker's pages: make a panel over works, seat reviewers (accounts or invitation
links, each link shown once), revoke them, close the panel, read the results and take
them as CSV. The rules are the studio's (studio/panels.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.studio.panels import DEFAULT_CRITERIA, ItemSpec
from atelier.web import i18n
from atelier.web.api.evaluation import panel_out, reviewer_out
from atelier.web.deps import checked_form, get_studio, signed_in
from atelier.web.pages.common import missing, render

router = APIRouter(include_in_schema=False)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def items_from_text(text: str) -> list[ItemSpec]:
    """One item per line: a work id (rate), or two work ids (A/B), each optionally
    followed by =LABEL ("abc…=fast def…=photo")."""
    items = []
    for line in _lines(text):
        sides = []
        for word in line.replace(",", " ").split():
            work_id, _, label = word.partition("=")
            sides.append((work_id.strip()[:32], label.strip()[:100] or None))
        a = sides[0]
        b = sides[1] if len(sides) > 1 else (None, None)
        items.append(ItemSpec(a[0], b[0], a[1], b[1]))
    return items


def _list(request: Request, who: Principal, studio: Studio, status: int = 200, **context: Any):
    return render(
        request,
        "panels.html",
        who,
        status=status,
        panels=studio.panels.listed(who),
        defaults=DEFAULT_CRITERIA,
        **{"error": None, "values": {}, **context},
    )


@router.get("/panels", response_class=HTMLResponse)
def panels_page(
    request: Request, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    return _list(request, who, studio)


@router.post("/panels", response_class=HTMLResponse)
async def make_panel(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    values = {k: str(form.get(k, ""))[:20_000] for k in ("title", "kind", "criteria", "items")}
    values["instructions"] = str(form.get("instructions", ""))[:2000]
    try:
        panel = studio.panels.create(
            who,
            values["title"],
            values["kind"],
            items_from_text(values["items"]),
            _lines(values["criteria"]) or None,
            values["instructions"],
        )
    except StudioError as exc:
        return _list(request, who, studio, exc.status, error=i18n.shown(exc), values=values)
    return RedirectResponse(f"/panels/{panel.id}", status_code=303)


def _panel(
    request: Request,
    who: Principal,
    studio: Studio,
    panel_id: str,
    status: int = 200,
    **context: Any,
) -> Response:
    try:
        panel = studio.panels.get(who, panel_id[:32])
    except StudioError:
        return missing(request, who, "panel")
    return render(
        request,
        "panel.html",
        who,
        status=status,
        panel=panel_out(panel),
        reviewers=[reviewer_out(r, n) for r, n in studio.panels.reviewers(who, panel.id)],
        results=studio.panels.results(who, panel.id),
        **{"error": None, "link": None, "done": None, **context},
    )


@router.get("/panels/{panel_id}", response_class=HTMLResponse)
def panel_page(
    panel_id: str,
    request: Request,
    done: str = "",
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _panel(request, who, studio, panel_id, done=done[:40] or None)


@router.post("/panels/{panel_id}/invitations", response_class=HTMLResponse)
async def invite(
    panel_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The new link is shown on this answer only (it is kept as a hash)."""
    days = str(form.get("days", "14"))
    try:
        _, token = studio.panels.invite(
            who,
            panel_id[:32],
            str(form.get("name", "")),
            int(days) if days.isdigit() else 0,
        )
    except StudioError as exc:
        return _panel(request, who, studio, panel_id, exc.status, error=i18n.shown(exc))
    return _panel(request, who, studio, panel_id, 201, link=studio.panels.link(token))


@router.post("/panels/{panel_id}/reviewers", response_class=HTMLResponse)
async def add_reviewer(
    panel_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.panels.add_reviewer(who, panel_id[:32], str(form.get("email", ""))[:320])
    except StudioError as exc:
        return _panel(request, who, studio, panel_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/panels/{panel_id}?done=reviewer", status_code=303)


@router.post("/panels/{panel_id}/reviewers/{reviewer_id}/revoke", response_class=HTMLResponse)
async def revoke(
    panel_id: str,
    reviewer_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.panels.revoke(who, panel_id[:32], reviewer_id[:32])
    except StudioError as exc:
        return _panel(request, who, studio, panel_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/panels/{panel_id}?done=revoked", status_code=303)


@router.post("/panels/{panel_id}/close", response_class=HTMLResponse)
async def close(
    panel_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    _form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.panels.close(who, panel_id[:32])
    except StudioError as exc:
        return _panel(request, who, studio, panel_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/panels/{panel_id}?done=closed", status_code=303)


@router.get("/panels/{panel_id}/results.csv")
def results_csv(
    panel_id: str, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    try:
        text = studio.panels.csv(who, panel_id[:32])
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="panel-{panel_id[:32]}.csv"'},
    )
