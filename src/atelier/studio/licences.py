"""Licences as their holders and the public see them: the market grants them, signed with
provenance's key when granted (so reading one never writes), and anyone may check one by
id."""

from __future__ import annotations

from pathlib import Path

from atelier.accounts.authz import Principal
from atelier.commerce import certificates
from atelier.commerce.market import Market
from atelier.commerce.market_models import LicenceGrant
from atelier.errors import NotFound, Word
from atelier.provenance import Provenance
from atelier.store import paging
from atelier.store.artifacts import ArtifactStore


class Licences:
    def __init__(self, market: Market, provenance: Provenance, artifacts: ArtifactStore) -> None:
        self.market = market
        self.provenance = provenance
        self.artifacts = artifacts

    def mine(
        self, who: Principal, limit: int = 50, offset: int = 0, after: paging.After | None = None
    ) -> list[LicenceGrant]:
        return self.market.licences(who, limit, offset, after)

    def get(self, who: Principal, licence_id: str) -> LicenceGrant:
        return self.market.licence(who, licence_id)

    def file(self, who: Principal, licence_id: str) -> tuple[str, str, str, Path]:
        """The licensed file for whoever may read the licence (its holder first of all):
        its name, MIME type, SHA-256 and a local copy. A revoked licence gives no file."""
        grant = self.get(who, licence_id)
        if grant.status != "valid":
            raise NotFound(
                "licence %(licence_id)s is %(status)s: no file",
                field="licence_id",
                params={"licence_id": licence_id, "status": Word(grant.status)},
            )
        found = self.market.licensed_file(grant)
        if found is None:
            raise NotFound(
                "the work of licence %(licence_id)s is no longer stored here",
                field="licence_id",
                params={"licence_id": licence_id},
            )
        name, mime = found
        return name, mime, grant.work_sha256, self.artifacts.staged(grant.work_sha256)

    def verify(self, licence_id: str) -> tuple[str, LicenceGrant | None, list[str]]:
        """Anyone's check of a licence by id: `valid`, `revoked`, `invalid` (the record
        does not match the studio's signature, or the work's file changed) or `not found`;
        with the grant and what was checked."""
        grant = self.market.find_licence(licence_id)
        if grant is None:
            return "not found", None, [f"no licence {licence_id}"]
        notes = []
        signed = grant.signature is not None and self.provenance.verify_bytes(
            certificates.canonical(grant), grant.signature
        )
        notes.append(
            "the studio's signature matches the licence record"
            if signed
            else "the studio's signature does not match the licence record"
        )
        stored = self.market.work_sha256(grant.work_id)
        if stored is None:
            notes.append("the work is no longer stored here; its SHA-256 is in the licence")
        elif stored == grant.work_sha256:
            notes.append("the work's file has the SHA-256 the licence names")
        else:
            notes.append("the work's stored file does not have the SHA-256 the licence names")
        intact = signed and stored in (None, grant.work_sha256)
        if not intact:
            return "invalid", grant, notes
        if grant.status == "revoked":
            notes.append(f"revoked: {grant.revoked_reason}")
            return "revoked", grant, notes
        return "valid", grant, notes
