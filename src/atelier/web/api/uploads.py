"""Files that parameters refer to by id (a photo, a style image)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio, principal
from atelier.web.limits import uploaded_file
from atelier.web.problems import errors
from atelier.web.schemas.studio import UploadOut, upload_out

router = APIRouter(tags=["uploads"])


FILE_FORM = {  # the body as OpenAPI shows it (it is read by hand, after authentication)
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/uploads",
    status_code=201,
    operation_id="uploads_create",
    openapi_extra=FILE_FORM,
    dependencies=[Depends(ratelimit.limit("uploads"))],
    responses=errors(415, 429),
)
async def create_upload(
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> UploadOut:
    """Multipart field `file`. Checked (real image, size and pixel limits) before it is kept;
    the body is read only once the caller is known."""
    name, data = await uploaded_file(request, "file", studio.settings.max_upload_bytes)
    return upload_out(await run_in_threadpool(studio.uploads.add, who, name, data))


@router.get("/uploads/{upload_id}", operation_id="uploads_get")
def get_upload(
    upload_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> UploadOut:
    return upload_out(studio.uploads.get(who, upload_id))
