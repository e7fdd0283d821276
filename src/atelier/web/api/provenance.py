"""The public transparency log and verification: anyone may read the log and its proofs
and check a file; nothing here needs an account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import PlainTextResponse

from atelier.errors import Invalid, NotFound, TooLarge
from atelier.provenance import LogError
from atelier.provenance.keys import pem
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio

router = APIRouter(tags=["provenance"])


def _read(upload: UploadFile | None, limit: int, field: str) -> bytes | None:
    if upload is None:
        return None
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"file is larger than the limit of {limit:,} bytes", field=field)
    return data


@router.get("/log/checkpoint")
def log_checkpoint(studio: Studio = Depends(get_studio)) -> dict[str, Any]:
    """The latest signed checkpoint (a C2SP signed note: origin, size, base64 root) and
    the log's note verifier key."""
    return studio.provenance.checkpoint()


@router.get("/log/proof/inclusion")
def inclusion_proof(
    index: int | None = Query(None, ge=0, description="The entry's index."),
    sha256: str | None = Query(
        None, pattern="^[0-9a-f]{64}$", description="Or: the SHA-256 of the logged file."
    ),
    size: int | None = Query(None, ge=1, description="Tree size; default: the latest."),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """An entry's leaf and its RFC 9162 inclusion proof (hex hashes, leaf side first)."""
    if (index is None) == (sha256 is None):
        raise Invalid("give either index or sha256", field="index")
    try:
        return studio.provenance.inclusion(index, sha256, size)
    except LogError as exc:
        raise NotFound(str(exc), field="index" if sha256 is None else "sha256") from None


@router.get("/log/proof/consistency")
def consistency_proof(
    first: int = Query(..., ge=1, description="The older tree size."),
    second: int | None = Query(None, ge=1, description="The newer size; default: the latest."),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """The RFC 9162 consistency proof that the tree of `second` extends that of `first`."""
    try:
        return studio.provenance.consistency(first, second)
    except LogError as exc:
        raise NotFound(str(exc), field="first") from None


@router.get("/provenance/root.pem", response_class=PlainTextResponse)
def root_certificate(studio: Studio = Depends(get_studio)) -> PlainTextResponse:
    """The studio's root certificate: the trust anchor for its C2PA manifests."""
    return PlainTextResponse(
        pem(studio.provenance.identity().root).decode(), media_type="application/x-pem-file"
    )


@router.post("/verify", dependencies=[Depends(ratelimit.limit("verify"))])
def verify_file(
    file: UploadFile = File(..., description="The file to check."),
    manifest: UploadFile | None = File(None, description="A text work's sidecar manifest."),
    checkpoint: str | None = Form(None, description="An older checkpoint you kept."),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Check a file: its manifest, its signer, its log entry and the log's consistency
    (since `checkpoint`, or since the entry was logged), and an image's watermark."""
    limit = studio.settings.max_upload_bytes
    data = _read(file, limit, "file") or b""
    if not data:
        raise Invalid("file is empty", field="file")
    sidecar = _read(manifest, 1024 * 1024, "manifest")
    return studio.provenance.verify(data, sidecar or None, checkpoint or None).as_dict()
