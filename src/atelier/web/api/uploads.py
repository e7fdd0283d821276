"""Files that parameters refer to by id (a photo, a style image)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile

from atelier.accounts.service import Principal
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio, principal
from atelier.web.schemas import upload_out

router = APIRouter(tags=["uploads"])


@router.post("/uploads", status_code=201, dependencies=[Depends(ratelimit.limit("uploads"))])
def create_upload(
    file: UploadFile = File(...),
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Multipart field `file`. Checked (real image, size and pixel limits) before it is kept."""
    data = file.file.read(studio.settings.max_upload_bytes + 1)
    return upload_out(studio.add_upload(who, file.filename or "upload", data))


@router.get("/uploads/{upload_id}")
def get_upload(
    upload_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return upload_out(studio.upload(who, upload_id))
