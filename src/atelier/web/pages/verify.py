"""The public verify page: drop a file, see each verdict. No account needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import i18n, ratelimit
from atelier.web.deps import get_studio, page_principal
from atelier.web.pages.common import missing, render

router = APIRouter(include_in_schema=False)
SIDECAR_LIMIT = 1024 * 1024


async def _file(form: FormData, name: str, limit: int) -> tuple[str, bytes] | None:
    field = form.get(name)
    if not isinstance(field, UploadFile) or not field.filename:
        return None
    return field.filename, await field.read(limit + 1)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    log = studio.provenance.checkpoint()
    return render(request, "verify.html", who, report=None, error=None, log=log)


@router.post(
    "/verify",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("verify", page_principal))],
)
async def verify_submit(
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    form = await request.form()
    limit = studio.settings.max_upload_bytes
    upload = await _file(form, "file", limit)
    sidecar = await _file(form, "manifest", SIDECAR_LIMIT)
    # A note is newline-separated and ends with one; a textarea sends CRLF and trims.
    since = str(form.get("checkpoint") or "").replace("\r\n", "\n").strip()
    error = None
    if upload is None or not upload[1]:
        error = "Choose a file to check."
    elif len(upload[1]) > limit or (sidecar and len(sidecar[1]) > SIDECAR_LIMIT):
        error = f"That file is larger than the limit of {limit:,} bytes."
    if error or upload is None:
        return render(request, "verify.html", who, status=422, report=None, error=error, log=None)
    report = studio.provenance.verify(
        upload[1], sidecar[1] if sidecar else None, (since + "\n") if since else None
    )
    return render(
        request, "verify.html", who, report=report, filename=upload[0], error=None, log=None
    )


@router.get(
    "/works/{work_id}/verify",
    response_class=HTMLResponse,
    dependencies=[Depends(ratelimit.limit("verify", page_principal))],
)
def verify_work(
    work_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The verify page's verdicts for a work's own file (and its sidecar manifest, for a
    text work), for anyone who may see the work: it is checked here, so a picture's
    original is verified without being handed to a visitor."""
    try:
        file, path, sidecar = studio.works.sealed(who, work_id[:32])
    except StudioError as exc:
        return missing(request, who, "work", status=exc.status, why=i18n.shown(exc))
    report = studio.provenance.verify(
        path.read_bytes(), sidecar.read_bytes() if sidecar else None, None
    )
    return render(
        request, "verify.html", who, report=report, filename=file.name, error=None, log=None
    )
