"""The public transparency log, its proofs, and a file's verification."""

from __future__ import annotations

from pydantic import Field

from atelier.web.schemas.common import Out


class CheckpointOut(Out):
    origin: str
    size: int
    root_hash: str = Field(description="Hex.")
    checkpoint: str = Field(description="A C2SP signed note.")
    log_key: str = Field(description="The log's note verifier key.")


class InclusionOut(Out):
    index: int
    size: int
    leaf: str
    leaf_hash: str
    path: list[str] = Field(description="Hex hashes, the leaf's side first.")
    checkpoint: str | None


class ConsistencyOut(Out):
    first: int
    second: int
    path: list[str]


class CheckOut(Out):
    name: str
    ok: bool | None = Field(description="null: not applicable, or only informative.")
    detail: str


class VerificationOut(Out):
    sha256: str
    checks: list[CheckOut]
    work_id: str | None
    log_index: int | None
    ok: bool
