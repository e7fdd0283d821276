"""The public transparency log and verification: anyone may read the log and its proofs
and check a file; nothing here needs an account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import PlainTextResponse

from atelier.errors import Invalid, NotFound, TooLarge
from atelier.provenance import LogError
from atelier.provenance.keys import pem
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio
from atelier.web.inputs import refuse, walk
from atelier.web.openapi import content
from atelier.web.problems import errors
from atelier.web.schemas.provenance import (
    CheckpointOut,
    ConsistencyOut,
    InclusionOut,
    VerificationOut,
)

router = APIRouter(tags=["provenance"])


def _read(upload: UploadFile | None, limit: int, field: str) -> bytes | None:
    if upload is None:
        return None
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            "file is larger than the limit of %(limit)s bytes",
            field=field,
            params={"limit": format(limit, ",")},
        )
    return data


@router.get("/log/checkpoint", operation_id="log_checkpoint")
def log_checkpoint(studio: Studio = Depends(get_studio)) -> CheckpointOut:
    """The latest signed checkpoint (a C2SP signed note: origin, size, base64 root) and
    the log's note verifier key."""
    return CheckpointOut(**studio.provenance.checkpoint())


@router.get("/log/proof/inclusion", operation_id="log_inclusion_proof", responses=errors(404))
def inclusion_proof(
    index: int | None = Query(None, ge=0, description="The entry's index."),
    sha256: str | None = Query(
        None, pattern="^[0-9a-f]{64}$", description="Or: the SHA-256 of the logged file."
    ),
    size: int | None = Query(None, ge=1, description="Tree size; default: the latest."),
    studio: Studio = Depends(get_studio),
) -> InclusionOut:
    """An entry's leaf and its RFC 9162 inclusion proof (hex hashes, leaf side first)."""
    if (index is None) == (sha256 is None):
        raise Invalid("give either index or sha256", field="index")
    try:
        return InclusionOut(**studio.provenance.inclusion(index, sha256, size))
    except LogError as exc:
        raise NotFound(str(exc), field="index" if sha256 is None else "sha256") from None


@router.get("/log/proof/consistency", operation_id="log_consistency_proof", responses=errors(404))
def consistency_proof(
    first: int = Query(..., ge=1, description="The older tree size."),
    second: int | None = Query(None, ge=1, description="The newer size; default: the latest."),
    studio: Studio = Depends(get_studio),
) -> ConsistencyOut:
    """The RFC 9162 consistency proof that the tree of `second` extends that of `first`."""
    try:
        return ConsistencyOut(**studio.provenance.consistency(first, second))
    except LogError as exc:
        raise NotFound(str(exc), field="first") from None


@router.get(
    "/provenance/root.pem",
    response_class=Response,
    operation_id="provenance_root_certificate",
    responses=content("application/x-pem-file"),
)
def root_certificate(studio: Studio = Depends(get_studio)) -> PlainTextResponse:
    """The studio's root certificate: the trust anchor for its C2PA manifests."""
    return PlainTextResponse(
        pem(studio.provenance.identity().root).decode(), media_type="application/x-pem-file"
    )


@router.post(
    "/verify",
    operation_id="provenance_verify",
    dependencies=[Depends(ratelimit.limit("verify"))],
    responses=errors(429),
)
def verify_file(
    file: UploadFile = File(..., description="The file to check."),
    manifest: UploadFile | None = File(None, description="A text work's sidecar manifest."),
    checkpoint: str | None = Form(None, description="An older checkpoint you kept."),
    studio: Studio = Depends(get_studio),
) -> VerificationOut:
    """Check a file: its manifest, its signer, its log entry and the log's consistency
    (since `checkpoint`, or since the entry was logged), and an image's or a recording's
    watermark."""
    refuse(
        [
            *walk(file.filename or "", "file"),
            *walk(manifest.filename if manifest else "", "manifest"),
            *walk(checkpoint or "", "checkpoint"),
        ]
    )
    limit = studio.settings.max_upload_bytes
    data = _read(file, limit, "file") or b""
    if not data:
        raise Invalid("file is empty", field="file")
    sidecar = _read(manifest, 1024 * 1024, "manifest")
    report = studio.provenance.verify(data, sidecar or None, checkpoint or None)
    return VerificationOut.model_validate(report.as_dict())
