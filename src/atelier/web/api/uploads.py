"""Files that parameters refer to by id (a photo, a style image)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from atelier.accounts.service import Principal
from atelier.studio import Studio
from atelier.web.deps import get_studio, principal
from atelier.web.limits import uploaded_file
from atelier.web.schemas import upload_out

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


@router.post("/uploads", status_code=201, openapi_extra=FILE_FORM)
async def create_upload(
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Multipart field `file`. Checked (real image, size and pixel limits) before it is kept;
    the body is read only once the caller is known."""
    name, data = await uploaded_file(request, "file", studio.settings.max_upload_bytes)
    return upload_out(await run_in_threadpool(studio.add_upload, who, name, data))


@router.get("/uploads/{upload_id}")
def get_upload(
    upload_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return upload_out(studio.upload(who, upload_id))
