"""What finishing a job does to its result: screen each creation, seal its files
(watermark, C2PA manifest or signed sidecar), store them with a thumbnail and the public's
previews, and then, in the spine's transaction, record the works with their lineage and
log entries."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from atelier.commerce import lineage
from atelier.engines.base import Creation, Engine
from atelier.engines.image.encode import other_format
from atelier.provenance import Claim, Ingredient, Provenance
from atelier.provenance.service import Sealed
from atelier.safety.findings import Verdict
from atelier.safety.service import Safety
from atelier.store.artifacts import ArtifactStore
from atelier.store.models import Job, Upload, Work, WorkFile, new_id
from atelier.store.thumbnails import thumbnail
from atelier.studio import recognition, uploads
from atelier.studio.previews import previews


@dataclass(frozen=True)
class Stored:
    """One file of a work as stored: (name, role, mime, sha256, size)."""

    name: str
    role: str  # primary | rendition | manifest | thumbnail | preview
    mime: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Made:
    """One creation, sealed and stored, waiting to be recorded as a work."""

    work_id: str
    creation: Creation
    files: list[Stored]
    sealed: list[Sealed]
    models: list[dict[str, Any]]
    verdict: Verdict  # the output screen's
    prints: list[int]  # its melody's shingles (music), to recognise it when it comes back


def lineage_input(param: str, upload: Upload) -> dict[str, Any]:
    """An upload a job used, as its works' lineage records it: with the studio works it
    was recognised as (their lineage goes into the work's `ancestors`)."""
    return {
        "param": param,
        "upload_id": upload.id,
        "sha256": upload.sha256,
        "mime": upload.mime,
        "filename": upload.filename,
        "works": [{"work_id": o["work_id"], "method": o["method"]} for o in upload.origins or []],
    }


@dataclass(frozen=True)
class Drawn:
    """What a job drew on, as its works' lineage records it: the uploads it used, the
    lineage of the studio works they were recognised as, the cards of clients' models."""

    inputs: list[dict[str, Any]]
    ancestors: list[dict[str, Any]]
    models: list[dict[str, Any]]


def drawn_on(
    s: Session, engine: Engine, params: dict[str, Any], models: list[dict[str, Any]]
) -> Drawn:
    used = uploads.used(s, engine, params)
    inputs = [lineage_input(name, upload) for name, upload in used]
    return Drawn(inputs, lineage.ancestors(u.origins or [] for _, u in used), models)


class Sealing:
    def __init__(self, artifacts: ArtifactStore, provenance: Provenance, safety: Safety) -> None:
        self.artifacts = artifacts
        self.provenance = provenance
        self.safety = safety
        # The output screen (a text model, or NudeNet for images) reads each creation while
        # its files are sealed and stored: its verdict is needed only when the works are
        # recorded, and the models it runs let go of the GIL.
        self._screens = ThreadPoolExecutor(max_workers=2, thread_name_prefix="atelier-screen")
        # A work's files are written side by side: each waits for the disk (fsync) in turn
        # otherwise, and the waits, not the bytes, are most of a small file's cost.
        self._writers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atelier-store")

    def screen(self, creations: Sequence[Creation]) -> list[Future[Verdict]]:
        """Start the output screen of each creation; `seal` takes the futures. The spine
        starts them first, so they run beside its lease check, the sealing and storage."""
        return [
            self._screens.submit(
                self.safety.screen_output, [(a.name, a.mime, a.data) for a in creation.files]
            )
            for creation in creations
        ]

    def seal(
        self,
        engine: Engine,
        creations: Sequence[Creation],
        screens: list[Future[Verdict]],
        drawn: Drawn,
        quality: int | None,
    ) -> list[Made]:
        """Seal and store every creation, before any transaction, and take each one's
        screen verdict (`screen`'s futures). Each work's id is chosen first: its watermark
        carries it. Files are content-addressed, so a retry never stores one twice; a work
        the screen flags is held, never destroyed, so its files are stored whatever the
        verdict. The cards of the clients' models the job drew on (each with its data
        and base) go into every work's lineage."""
        if any(not creation.files for creation in creations):
            raise ValueError("an engine returned a creation without files")
        ingredients = [
            Ingredient(i["param"], i["filename"], i["mime"], self.artifacts.staged(i["sha256"]))
            for i in drawn.inputs
        ]
        try:
            made = []
            for creation, screen in zip(creations, screens, strict=True):
                work_id = new_id()
                cards = engine.models if creation.models is None else creation.models
                models = [asdict(card) for card in cards] + drawn.models
                claim = Claim(work_id, creation.title, engine.name, models, ingredients)
                sealed = self.provenance.seal(
                    claim, [(a.name, a.mime, a.data) for a in creation.files], quality
                )
                sealed += self._other_format(claim, sealed)
                files = self._store(work_id, sealed)
                prints = recognition.work_prints(creation.files)
                made.append(Made(work_id, creation, files, sealed, models, screen.result(), prints))
            return made
        finally:
            for screen in screens:
                screen.cancel()  # those not started when sealing failed

    def _other_format(self, claim: Claim, sealed: list[Sealed]) -> list[Sealed]:
        """A picture's JPEG beside its PNG (or PNG beside its JPEG or WebP), made from the
        sealed primary file so that it carries the same mark; none when the engine already
        delivered a file of that name."""
        primary = sealed[0]
        copy = other_format(primary.name, primary.mime, primary.data)
        if copy is None or any(item.name == copy.name for item in sealed):
            return []
        return [self.provenance.seal_copy(claim, primary, copy.name, copy.mime, copy.data)]

    def _store(self, work_id: str, sealed: list[Sealed]) -> list[Stored]:
        """The sealed files (the first is the primary one), their sidecars, a thumbnail
        (a picture's carries the work's mark of its own) and the previews the public gets
        of music and text instead of the originals (studio/previews.py; a recording's clip
        carries the work's audio mark), written side by side; each is on disk when this
        returns."""
        files = [
            (item.name, "primary" if item is sealed[0] else "rendition", item.mime, item.data)
            for item in sealed
        ]
        files += [
            (item.sidecar_name, "manifest", "application/json", item.sidecar)
            for item in sealed
            if item.sidecar is not None
        ]
        primary = sealed[0]
        preview = thumbnail(primary.data, primary.mime)
        if preview is not None:
            if primary.mime.startswith("image/"):
                preview = self.provenance.mark_preview(preview, work_id)
            files.append(("thumbnail.webp", "thumbnail", "image/webp", preview))
        mark = work_id if self.provenance.settings.watermark else None
        for made in previews([(item.name, item.mime, item.data) for item in sealed], mark):
            files.append((made.name, "preview", made.mime, made.data))
        digests = self._writers.map(self.artifacts.put, [data for *_, data in files])
        return [
            Stored(name, role, mime, digest, len(data))
            for (name, role, mime, data), digest in zip(files, digests, strict=True)
        ]

    def record(
        self,
        s: Session,
        job: Job,
        made: list[Made],
        drawn: Drawn,
        now: datetime,
    ) -> None:
        """The works, held for review where the screen says so, their lineage (the works
        they descend from included), melody prints and log entries, in the caller's
        transaction."""
        for position, item in enumerate(made):
            primary = item.files[0]
            work = Work(
                id=item.work_id,
                owner_id=job.owner_id,
                job_id=job.id,
                position=position,
                engine=job.engine,
                title=item.creation.title[:200],
                mime=primary.mime,
                sha256=primary.sha256,
                size=primary.size,
                params=job.params,
                seed=job.seed if item.creation.seed is None else item.creation.seed,
                meta=_meta(item.creation),
                lineage={
                    "models": item.models,
                    "inputs": drawn.inputs,
                    "sources": item.creation.sources,
                    "ancestors": drawn.ancestors,
                },
                created_at=now,
            )
            work.files = [
                WorkFile(
                    position=i, name=f.name, role=f.role, mime=f.mime, sha256=f.sha256, size=f.size
                )
                for i, f in enumerate(item.files)
            ]
            s.add(work)
            self.safety.hold(s, job, work, item.verdict)
        s.flush()
        for item in made:
            recognition.keep_prints(s, item.work_id, item.prints)
        self.provenance.record(s, [(item.work_id, item.sealed) for item in made])


def _meta(creation: Creation) -> dict[str, Any]:
    """The engine's notes, plus the checks it could not meet: such a work is delivered,
    but marked, so nobody takes it for one that passed (DESIGN.md, conventions)."""
    if not creation.unmet:
        return creation.meta
    return {**creation.meta, "checks_unmet": list(creation.unmet)}
