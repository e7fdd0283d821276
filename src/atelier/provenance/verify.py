"""Verdicts on a file: its manifest, its signer's chain to the studio's root, its entry
in the log (inclusion in the latest signed checkpoint) and the log's consistency since an
older checkpoint, and for images and audio the watermark. Each check is reported on its own.

Two stages, so that anyone's file costs the database nothing but short reads: `examine`
reads the file itself (hash, manifest, watermark decode: seconds for a big image) with no
database at all; `verify` then looks its findings up in the log."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography import x509
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from atelier.provenance import audiomark, merkle, watermark
from atelier.provenance.keys import Identity, issued_by
from atelier.provenance.log import Checkpoint, Log, open_note
from atelier.provenance.manifest import ManifestReport, read_embedded, read_sidecar
from atelier.store.models import LogEntry


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not applicable or only informative
    detail: str


@dataclass
class Report:
    sha256: str
    checks: list[Check] = field(default_factory=list)
    work_id: str | None = None
    log_index: int | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _is_image(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)):
            return True
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def _manifest_checks(report: Report, found: ManifestReport, identity: Identity) -> None:
    if found.kind == "none":
        report.checks.append(
            Check(
                "manifest",
                False,
                "no C2PA manifest in the file (a text or MIDI work's manifest is the "
                "NAME.manifest.json sidecar that comes with it: give it too)",
            )
        )
        return
    label = "C2PA manifest" if found.kind == "c2pa" else "signed sidecar manifest"
    if found.valid:
        made = (found.source_type or "").rsplit("/", 1)[-1] or "unknown"
        detail = f"{label} intact; created: {made}; {found.ingredients} ingredient(s)"
    else:
        detail = f"{label} does not match the file: " + "; ".join(found.problems[:3])
    report.checks.append(Check("manifest", found.valid, detail))
    root = _cn(identity.root)
    report.checks.append(
        Check(
            "signer",
            found.trusted,
            f"signed by {found.signer}, which chains to the studio root '{root}'"
            if found.trusted
            else f"signed by {found.signer}, which does not chain to the studio root '{root}'",
        )
    )
    report.work_id = report.work_id or found.work_id


def _open(note: str, identity: Identity) -> tuple[Checkpoint, str]:
    """A checkpoint whose signature verifies and whose log key the root issued."""
    point, cert = open_note(note, identity.log_certificates())
    if issued_by(cert, [identity.root]) is None:
        raise ValueError("the checkpoint's log key is not certified by the studio root")
    return point, _cn(cert)


@dataclass(frozen=True)
class Examined:
    """What the file says of itself, read without the database."""

    sha256: str
    manifest: ManifestReport
    image: bool
    audio: bool
    mark: str | None  # the watermark's short work id, when an image or a recording carries one


def examine(identity: Identity, data: bytes, sidecar: bytes | None = None) -> Examined:
    found = read_embedded(data, [identity.root])
    if found.kind == "none" and sidecar is not None:
        found = read_sidecar(sidecar, data, [identity.root])
    image = _is_image(data)
    sound = None if image else audiomark.decode(data)
    if image:
        mark = watermark.detect(data)
    else:
        mark = None if sound is None else audiomark.detect_samples(sound)
    return Examined(hashlib.sha256(data).hexdigest(), found, image, sound is not None, mark)


def verify(
    s: Session, log: Log, identity: Identity, examined: Examined, since: str | None = None
) -> Report:
    """The verdicts on an examined file, from short reads of the log."""
    report = Report(sha256=examined.sha256)
    _manifest_checks(report, examined.manifest, identity)

    entries = log.entries_for(s, report.sha256)
    latest = log.checkpoint(s)
    entry = entries[0] if entries else None
    if entry is None or latest is None:
        report.checks.append(Check("log inclusion", False, "this file's SHA-256 is not in the log"))
    else:
        _log_checks(s, report, log, identity, entry, latest, since)
    if examined.image or examined.audio:
        _watermark_check(s, report, log, examined.mark, entry)
    return report


def _log_checks(
    s: Session,
    report: Report,
    log: Log,
    identity: Identity,
    entry: LogEntry,
    latest: Checkpoint,
    since: str | None,
) -> None:
    report.work_id, report.log_index = entry.work_id, entry.idx
    try:
        current, signer = _open(latest.note, identity)
    except ValueError as exc:
        report.checks.append(Check("log inclusion", False, f"latest checkpoint: {exc}"))
        return
    leaf = json.loads(entry.leaf)
    path = log.inclusion_proof(s, entry.idx, current.size)
    included = leaf.get("sha256") == report.sha256 and merkle.verify_inclusion(
        merkle.leaf_hash(entry.leaf.encode()), entry.idx, current.size, path, current.root
    )
    report.checks.append(
        Check(
            "log inclusion",
            included,
            f"entry {entry.idx} (work {entry.work_id}) is in the checkpoint of size "
            f"{current.size}, signed by '{signer}'"
            if included
            else f"entry {entry.idx}'s inclusion proof fails against the checkpoint of size "
            f"{current.size}: the log was altered",
        )
    )
    try:
        older = _open(since, identity)[0] if since else log.checkpoint_after(s, entry.idx)
    except ValueError as exc:
        report.checks.append(Check("log consistency", False, f"older checkpoint: {exc}"))
        return
    if older is None:
        report.checks.append(Check("log consistency", False, "no checkpoint covers the entry"))
        return
    if older.size > current.size:
        consistent = False
    else:
        proof = log.consistency_proof(s, older.size, current.size)
        consistent = merkle.verify_consistency(
            older.size, current.size, older.root, current.root, proof
        )
    report.checks.append(
        Check(
            "log consistency",
            consistent,
            f"the log of size {current.size} extends the checkpoint of size {older.size}"
            if consistent
            else f"the log of size {current.size} does not extend the checkpoint of size "
            f"{older.size}: its history was rewritten",
        )
    )


def _watermark_check(
    s: Session, report: Report, log: Log, mark: str | None, entry: LogEntry | None
) -> None:
    marked = json.loads(entry.leaf).get("watermark") if entry is not None else None
    if mark is None:
        if marked:
            report.checks.append(Check("watermark", False, "the logged watermark is not found"))
        else:
            report.checks.append(Check("watermark", None, "no watermark found"))
        return
    if entry is not None:
        same = entry.work_id.startswith(mark)
        report.checks.append(
            Check(
                "watermark",
                same,
                f"carries work id {mark}…, the logged work's"
                if same
                else f"carries work id {mark}…, not the logged work {entry.work_id}",
            )
        )
        return
    traced = log.entries_for_work(s, mark)
    if traced:
        report.work_id, report.log_index = traced[0].work_id, traced[0].idx
        report.checks.append(
            Check(
                "watermark",
                None,
                f"carries work id {mark}…: a changed copy of work {traced[0].work_id} "
                f"(log entry {traced[0].idx}; original SHA-256 {traced[0].sha256})",
            )
        )
    else:
        report.checks.append(
            Check("watermark", None, f"carries work id {mark}…, which this log does not list")
        )
