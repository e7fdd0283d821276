"""The admins' evaluation pages: kept reports (with a running comparison's progress), a
metric over time per engine and setting, a form that starts a comparison as a job, each
report with its plots, its panels' results and the users' feedback on its engine, and the
report's own static pages. Plots are SVG or PNG made on the server: no script."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import Invalid, StudioError
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.api.evaluation import panel_out, report_out
from atelier.web.deps import admin, admin_form, get_studio
from atelier.web.pages.common import missing, render

router = APIRouter(include_in_schema=False)
# A report's own pages carry no script at all; their styles and pictures are its files.
REPORT_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SVG = "image/svg+xml"


def _json(text: str, what: str, default: Any) -> Any:
    if not text.strip():
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(
            "%(what)s is not valid JSON: %(msg)s", field=what, params={"what": what, "msg": exc.msg}
        ) from None


def _page(request: Request, who: Principal, studio: Studio, status: int = 200, **context: Any):
    metrics = studio.evaluation.metrics(who)
    chosen = context.pop("metric", "") or next(iter(metrics), "")
    return render(
        request,
        "admin_evaluation.html",
        who,
        status=status,
        reports=[report_out(k) for k in studio.evaluation.reports(who)],
        metrics=metrics,
        metric=chosen,
        engines=sorted({e.name for e in studio.engines.all() if e.medium == "image"}),
        feedback=studio.feedback.summary(who),
        **{"engine": "", "error": None, "values": {}, **context},
    )


@router.get("/admin/evaluation", response_class=HTMLResponse)
def evaluation_page(
    request: Request,
    metric: str = "",
    engine: str = "",
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _page(request, who, studio, metric=metric[:100], engine=engine[:100])


@router.get("/admin/evaluation/trend.svg")
def trend_svg(
    metric: str = "",
    engine: str = "",
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    svg = studio.evaluation.trend(who, metric[:100], engine[:100] or None)
    return Response(svg, media_type=SVG, headers={"Cache-Control": "no-store"})


@router.get("/admin/evaluation/feedback.svg")
def feedback_svg(
    engine: str = "", who: Principal = Depends(admin), studio: Studio = Depends(get_studio)
) -> Response:
    svg = studio.feedback.trend(who, engine[:100] or None)
    return Response(svg, media_type=SVG, headers={"Cache-Control": "no-store"})


@router.post("/admin/evaluation/comparisons", response_class=HTMLResponse)
async def start_comparison(
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Both sides run the chosen engine; each side's parameters are a JSON object."""
    keys = ("engine", "a_label", "a_params", "b_label", "b_params", "items", "seeds")
    values = {k: str(form.get(k, ""))[:20_000] for k in keys}
    try:
        seeds = [int(s) for s in values["seeds"].replace(",", " ").split()]
    except ValueError:
        seeds = []
    try:
        if not seeds:
            raise Invalid("seeds are whole numbers, e.g. 1 2 3", field="seeds")
        sides = {
            side: {
                "engine": values["engine"],
                "label": values[f"{side}_label"],
                "params": _json(values[f"{side}_params"], f"{side}_params", {}),
            }
            for side in ("a", "b")
        }
        items = _json(values["items"], "items", None)
        row = studio.evaluation.start_comparison(who, sides["a"], sides["b"], items, seeds)
    except StudioError as exc:
        return _page(request, who, studio, exc.status, error=i18n.shown(exc), values=values)
    return RedirectResponse(f"/admin/evaluation/reports/{row.id}", status_code=303)


@router.get("/admin/evaluation/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    report_id: str,
    request: Request,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _report(request, who, studio, report_id)


def _report(
    request: Request,
    who: Principal,
    studio: Studio,
    report_id: str,
    status: int = 200,
    error: str | None = None,
) -> Response:
    try:
        kept = studio.evaluation.report(who, report_id[:32])
    except StudioError:
        return missing(request, who, "report")
    panels = [
        (panel_out(p), studio.panels.results(who, p.id))
        for p in studio.panels.for_report(who, kept.report.id)
    ]
    engine = kept.report.engine
    feedback = [row for row in studio.feedback.summary(who, engine)] if engine else []
    return render(
        request,
        "admin_report.html",
        who,
        status=status,
        report=report_out(kept),
        panels=panels,
        feedback=feedback,
        error=error,
    )


@router.post("/admin/evaluation/reports/{report_id}/panels", response_class=HTMLResponse)
async def panel_from_report(
    report_id: str,
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """An expert panel over this comparison's pictures; its results show on this page."""
    criteria = [c.strip() for c in str(form.get("criteria", "")).splitlines() if c.strip()]
    try:
        panel = studio.panels.from_report(
            who,
            report_id[:32],
            str(form.get("kind", "")),
            str(form.get("title", ""))[:200],
            criteria or None,
            str(form.get("instructions", ""))[:2000],
        )
    except StudioError as exc:
        return _report(request, who, studio, report_id, exc.status, i18n.shown(exc))
    return RedirectResponse(f"/panels/{panel.id}", status_code=303)


@router.get("/admin/evaluation/reports/{report_id}/files/{name:path}")
def report_file(
    report_id: str, name: str, who: Principal = Depends(admin), studio: Studio = Depends(get_studio)
) -> Response:
    """A file of the report folder: its index.html, report.css, plots and pairs."""
    try:
        mime, data = studio.evaluation.report_file(who, report_id[:32], name[:300])
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    headers = {"Cache-Control": "private, no-cache"}
    if mime == "text/html":
        headers["Content-Security-Policy"] = REPORT_POLICY
    return Response(data, media_type=mime, headers=headers)
