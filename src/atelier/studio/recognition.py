"""Recognising the studio's own works in what users upload, so a work that leaves the
studio and comes back brings its rights lineage along (DESIGN.md, "Rights lineage").

An upload is one of our works, or made from one, when
- its SHA-256 is a stored work file's, or a sealed file's in the transparency log;
- it carries a C2PA manifest signed by this studio (the manifest names its work);
- the invisible watermark carries a work's short id (survives re-encoding and resizing), or
  a recording carries it in the audio mark (a music preview: survives MP3, cuts, volume);
- its melody shares most of a music work's melody shingles (transposed or slower too).

The clues are read from the bytes before any transaction (the watermark decoder and the
C2PA reader take CPU time); `origins` resolves them to works inside one. Each origin is a
snapshot of the work's lineage: what the upload brings to every work made from it, even
after the source work is deleted. A work the log knows but no longer stores brings an
unknown lineage, which keeps its descendants off commercial offers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.datasets.melodies import fingerprint
from atelier.engines.base import Artifact
from atelier.engines.kinds import AUDIO_MIMES
from atelier.engines.music.files import MUSIC_MIMES, melody_line
from atelier.engines.music.piece import Piece
from atelier.provenance import audiomark, watermark
from atelier.provenance.manifest import read_embedded
from atelier.store.models import LogEntry, MelodyPrint, Upload, Work, WorkFile

# A melody is ours again when it shares at least MIN_SHARED shingles with a work, making
# up at least SHARE of the work's melody or of the upload's (a harmonization of it, a
# longer piece that quotes it whole, or an excerpt of it). Shingles are four steps of
# interval and rhythm: ten shared ones are a phrase of a dozen notes or more, not a scale
# run. A melody shorter than that (a 4-bar chorale line has 8 notes) is found by hash,
# manifest or "use as input" only.
MIN_SHARED = 10
SHARE = 0.6
METHODS = ("use as input", "hash", "c2pa", "watermark", "melody")


@dataclass(frozen=True)
class Clues:
    """What an upload's bytes say of where they came from."""

    sha256: str
    manifest_work: str | None = None  # the work a C2PA manifest signed by us names
    watermark: str | None = None  # the short work id the watermark carries
    melody: list[int] = field(default_factory=list)  # melody shingle hashes


def read_clues(
    sha256: str, data: bytes, mime: str, melody: Piece | None, roots: list[x509.Certificate]
) -> Clues:
    """The clues in an upload's bytes (`melody`: its melody line, read by the upload check)."""
    found = read_embedded(data, roots)
    manifest_work = found.work_id if found.kind == "c2pa" and found.trusted else None
    mark = None
    if mime in watermark.FORMATS:
        mark = watermark.detect(data)
    elif mime in AUDIO_MIMES.values():
        mark = audiomark.detect(data)
    return Clues(sha256, manifest_work, mark, melody_prints(melody) if melody else [])


def melody_prints(piece: Piece) -> list[int]:
    """The melody's shingles (datasets/melodies.py `fingerprint`) as signed 64-bit hashes."""
    return sorted({_hash(shingle) for shingle in fingerprint(piece)})


def _hash(shingle: tuple[tuple[int, int], ...]) -> int:
    digest = hashlib.blake2b(repr(shingle).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def work_prints(files: Sequence[Artifact]) -> list[int]:
    """A music work's melody prints, from its MIDI file (our own bytes, read here)."""
    midi = next((f for f in files if f.mime == MUSIC_MIMES["midi"]), None)
    melody = melody_line(midi.data) if midi is not None else None
    return melody_prints(melody) if melody is not None else []


def keep_prints(s: Session, work_id: str, prints: list[int]) -> None:
    s.add_all(MelodyPrint(work_id=work_id, shingle=shingle) for shingle in prints)


def snapshot(work: Work, method: str, detail: str) -> dict[str, Any]:
    """An origin: the work, how it was recognised, and the lineage it passes on."""
    lineage = work.lineage or {}
    return {
        "work_id": work.id,
        "owner_id": work.owner_id,
        "engine": work.engine,
        "method": method,
        "detail": detail,
        "lineage": {
            "models": lineage.get("models"),
            "sources": lineage.get("sources", []),
            "inputs": lineage.get("inputs", []),
            "ancestors": lineage.get("ancestors", []),
        }
        if "models" in lineage
        else None,
    }


def _gone(work_id: str, method: str, detail: str) -> dict[str, Any]:
    """An origin the log proves ours but the studio no longer stores: lineage unknown."""
    return {
        "work_id": work_id,
        "owner_id": None,
        "engine": None,
        "method": method,
        "detail": f"{detail} (the work is no longer stored: its lineage is unknown)",
        "lineage": None,
    }


def origins(s: Session, clues: Clues) -> list[dict[str, Any]]:
    """The works the clues point to (each once, by the first method that found it)."""
    found: dict[str, tuple[str, str]] = {}
    for work_id, name in s.execute(
        select(WorkFile.work_id, WorkFile.name).where(WorkFile.sha256 == clues.sha256)
    ):
        found.setdefault(work_id, ("hash", f"the same bytes as the work's file {name}"))
    for work_id in s.scalars(select(LogEntry.work_id).where(LogEntry.sha256 == clues.sha256)):
        found.setdefault(work_id, ("hash", "the same bytes as a file in the studio's log"))
    if clues.manifest_work:
        found.setdefault(
            clues.manifest_work, ("c2pa", "a C2PA manifest signed by this studio names it")
        )
    if clues.watermark:
        detail = f"the invisible watermark carries its id {clues.watermark}…"
        for work_id in _by_prefix(s, clues.watermark):
            found.setdefault(work_id, ("watermark", detail))
    for work_id, detail in _by_melody(s, clues.melody):
        found.setdefault(work_id, ("melody", detail))
    result = []
    for work_id, (method, detail) in found.items():
        work = s.get(Work, work_id)
        result.append(
            _gone(work_id, method, detail) if work is None else snapshot(work, method, detail)
        )
    for upload in s.scalars(select(Upload).where(Upload.sha256 == clues.sha256)):
        for origin in upload.origins or []:  # the same file uploaded before, recognised then
            if origin["work_id"] not in {r["work_id"] for r in result}:
                result.append(origin)
    return result


def _by_prefix(s: Session, prefix: str) -> list[str]:
    ids = set(s.scalars(select(Work.id).where(Work.id.startswith(prefix, autoescape=True))))
    ids |= set(
        s.scalars(
            select(LogEntry.work_id).where(LogEntry.work_id.startswith(prefix, autoescape=True))
        )
    )
    return sorted(ids)


def _by_melody(s: Session, prints: list[int]) -> list[tuple[str, str]]:
    if len(prints) < MIN_SHARED:
        return []
    shared = dict(
        s.execute(
            select(MelodyPrint.work_id, func.count())
            .where(MelodyPrint.shingle.in_(prints))
            .group_by(MelodyPrint.work_id)
            .having(func.count() >= MIN_SHARED)
        ).all()
    )
    if not shared:
        return []
    sizes = dict(
        s.execute(
            select(MelodyPrint.work_id, func.count())
            .where(MelodyPrint.work_id.in_(shared))
            .group_by(MelodyPrint.work_id)
        ).all()
    )
    matches = []
    for work_id, count in shared.items():
        share = max(count / sizes[work_id], count / len(prints))
        if share >= SHARE:
            detail = (
                f"its melody shares {count} of the work's {sizes[work_id]} melody shingles "
                f"({share:.0%})"
            )
            matches.append((work_id, detail))
    return sorted(matches)


def recognised(upload: Upload) -> list[dict[str, Any]]:
    """What an upload was recognised as, for its owner to read (without the lineage)."""
    return [
        {"work_id": o["work_id"], "method": o["method"], "detail": o["detail"]}
        for o in upload.origins or []
    ]
