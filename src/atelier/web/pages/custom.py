"""Pages for custom models: datasets (upload with rights, versions with their cards and
plots, a training form), models (card, sharing) and a training job's chart."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.datasets.items import RIGHTS
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.training import card
from atelier.training.engines import TRAINERS
from atelier.web import i18n, ratelimit
from atelier.web.deps import checked_form, get_studio, page_principal, signed_in
from atelier.web.pages import chart
from atelier.web.pages.common import missing, render
from atelier.web.schemas.custom import model_out

router = APIRouter(include_in_schema=False)
ITEMS_SHOWN = 200


def _text(form: FormData, name: str, limit: int = 300) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


# -- datasets ---------------------------------------------------------------------------


@router.get("/datasets", response_class=HTMLResponse)
def datasets_page(
    request: Request, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    return render(request, "datasets.html", who, datasets=studio.datasets.mine(who), values={})


@router.post("/datasets", response_class=HTMLResponse)
def create_dataset(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    values = {k: _text(form, k, 2000) for k in ("name", "medium", "description")}
    try:
        made = studio.datasets.create(who, values["name"], values["medium"], values["description"])
    except StudioError as exc:
        mine = studio.datasets.mine(who)
        return render(
            request,
            "datasets.html",
            who,
            exc.status,
            datasets=mine,
            values=values,
            error=i18n.shown(exc),
        )
    return RedirectResponse(f"/datasets/{made.id}", status_code=303)


def _dataset(
    request: Request,
    who: Principal,
    studio: Studio,
    dataset_id: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    try:
        dataset = studio.datasets.get(who, dataset_id[:32])
    except StudioError:
        return missing(request, who, "dataset")
    rights: dict[str, int] = {}
    for item in dataset.items:
        rights[item.rights] = rights.get(item.rights, 0) + 1
    return render(
        request,
        "dataset.html",
        who,
        status,
        dataset=dataset,
        items=dataset.items[:ITEMS_SHOWN],
        rights=rights,
        labels=RIGHTS,
        **extra,
    )


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_page(
    dataset_id: str,
    request: Request,
    added: int = 0,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _dataset(request, who, studio, dataset_id, added=added)


@router.post(
    "/datasets/{dataset_id}/files",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("uploads", page_principal))],
)
async def add_files(
    dataset_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    sent = form.get("file")
    try:
        if sent is None or isinstance(sent, str):
            raise StudioError(i18n.lazy("choose a file or a zip to add"), field="file")
        data = await sent.read(studio.settings.max_request_bytes + 1)
        added = await run_in_threadpool(
            studio.datasets.add,
            who,
            dataset_id[:32],
            sent.filename or "file",
            data,
            _text(form, "rights", 40) or "unknown",
            _text(form, "caption", 500),
        )
    except StudioError as exc:
        status = exc.status if exc.status != 400 else 422
        return _dataset(request, who, studio, dataset_id, status, error=i18n.shown(exc))
    return RedirectResponse(f"/datasets/{dataset_id[:32]}?added={len(added)}", status_code=303)


@router.post("/datasets/{dataset_id}/versions", response_class=HTMLResponse)
async def make_version(
    dataset_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    size = _text(form, "size", 8) or "512"
    try:
        if not size.isdigit():
            raise StudioError(i18n.lazy("size must be a whole number of pixels"), field="size")
        version, _ = await run_in_threadpool(
            studio.datasets.make_version,
            who,
            dataset_id[:32],
            int(size),
            form.get("transpose") == "on",
        )
    except StudioError as exc:
        status = exc.status if exc.status != 400 else 422
        return _dataset(request, who, studio, dataset_id, status, error=i18n.shown(exc))
    return RedirectResponse(f"/dataset-versions/{version.id}", status_code=303)


@router.post("/datasets/{dataset_id}/delete", dependencies=[Depends(checked_form)])
def delete_dataset(
    dataset_id: str, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    with contextlib.suppress(StudioError):  # gone already: the list says what is left
        studio.datasets.delete(who, dataset_id[:32])
    return RedirectResponse("/datasets", status_code=303)


def _version(
    request: Request,
    who: Principal,
    studio: Studio,
    version_id: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    try:
        version, dataset = studio.datasets.version(who, version_id[:32])
    except StudioError:
        return missing(request, who, "dataset version")
    return render(
        request,
        "dataset_version.html",
        who,
        status,
        version=version,
        dataset=dataset,
        data=version.card,
        labels=RIGHTS,
        engine=studio.engines.get(TRAINERS[dataset.medium]),
        **{"values": {}, **extra},
    )


@router.get("/dataset-versions/{version_id}", response_class=HTMLResponse)
def version_page(
    version_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _version(request, who, studio, version_id)


@router.post(
    "/dataset-versions/{version_id}/train",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("jobs", page_principal))],
)
def train(
    version_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    values = {k: _text(form, k) for k in ("name", "steps", "method", "model")}
    try:
        _, dataset = studio.datasets.version(who, version_id[:32])
        params: dict[str, Any] = {"dataset": version_id[:32], "name": values["name"]}
        if values["steps"]:
            if not values["steps"].isdigit():
                raise StudioError(i18n.lazy("steps must be a whole number"), field="steps")
            params["steps"] = int(values["steps"])
        if dataset.medium == "image":
            params["method"] = values["method"] or "style"
            if values["model"]:
                params["model"] = values["model"]
        if dataset.medium == "text":
            params["evaluate"] = form.get("evaluate") == "on"
        job, _ = studio.jobs.submit(who, TRAINERS[dataset.medium], params)
    except StudioError as exc:
        status = exc.status if exc.status != 400 else 422
        return _version(
            request, who, studio, version_id, status, values=values, error=i18n.shown(exc)
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# -- models -----------------------------------------------------------------------------


@router.get("/models", response_class=HTMLResponse)
def models_page(
    request: Request, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    models = [model_out(studio, who, m) for m in studio.models.mine(who)]
    return render(request, "models.html", who, models=models, datasets=studio.datasets.mine(who))


def _model(
    request: Request, who: Principal, studio: Studio, model_id: str, status: int = 200, **extra: Any
) -> Response:
    try:
        model = model_out(studio, who, studio.models.get(who, model_id[:32]))
    except StudioError:
        return missing(request, who, "model")
    shares = studio.models.shared_with(who, model.id) if model.owner else []
    return render(
        request,
        "model.html",
        who,
        status,
        model=model,
        shares=shares,
        figures=card.headlines(model.kind, model.metrics),
        chart=bool(model.metrics.get("curve")),
        **extra,
    )


@router.get("/models/{model_id}", response_class=HTMLResponse)
def model_page(
    model_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _model(request, who, studio, model_id)


@router.post("/models/{model_id}/share", response_class=HTMLResponse)
def share_model(
    model_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.models.share(who, model_id[:32], _text(form, "email", 320))
    except StudioError as exc:
        return _model(request, who, studio, model_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/models/{model_id[:32]}", status_code=303)


@router.post("/models/{model_id}/unshare", response_class=HTMLResponse)
def unshare_model(
    model_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.models.unshare(who, model_id[:32], _text(form, "user_id", 32))
    except StudioError as exc:
        return _model(request, who, studio, model_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse(f"/models/{model_id[:32]}", status_code=303)


@router.post("/models/{model_id}/delete", response_class=HTMLResponse)
def delete_model(
    model_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.models.delete(who, model_id[:32])
    except StudioError as exc:
        return _model(request, who, studio, model_id, exc.status, error=i18n.shown(exc))
    return RedirectResponse("/models", status_code=303)


@router.get("/jobs/{job_id}/chart.svg")
def training_chart(
    job_id: str, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    """A training job's curve, drawn now (the job page reloads it while the job runs)."""
    try:
        progress = studio.models.progress(who, job_id[:32])
    except StudioError:
        return Response("no such job", status_code=404, media_type="text/plain")
    return Response(
        chart.svg(progress["curve"], i18n.gettext("Training curve")),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/models/{model_id}/chart.svg")
def model_chart(
    model_id: str, who: Principal = Depends(signed_in), studio: Studio = Depends(get_studio)
) -> Response:
    try:
        model = studio.models.get(who, model_id[:32])
    except StudioError:
        return Response("no such model", status_code=404, media_type="text/plain")
    curve = model.metrics.get("curve") or {"steps": 0, "series": {}}
    return Response(
        chart.svg(curve, i18n.gettext("%(name)s: training curve") % {"name": model.name}),
        media_type="image/svg+xml",
    )
