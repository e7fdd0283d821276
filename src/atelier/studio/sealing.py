"""What finishing a job does to its result: screen each creation, seal its files
(watermark, C2PA manifest or signed sidecar), store them with a thumbnail and the public's
previews, and then, in the spine's transaction, record the works with their lineage and
log entries."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from PIL import Image
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
from atelier.store.thumbnails import shrunk, thumbnail
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
    screen: Future[Verdict]  # the output screen's verdict, taken by `hold`
    prints: list[int]  # its melody's shingles (music), to recognise it when it comes back
    writes: list[Future[str]]  # its files being written, waited for by `hold`


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


# Texts this short (an engine's note, a title, a slogan; in UTF-8 bytes) are screened in
# about the time the spine's transaction takes to record their works and settle the job,
# so the transaction waits for their verdict at its end; longer texts and pictures are
# waited for before it, so no lock is held while a model reads.
QUICK_SCREEN_BYTES = 300


@dataclass(frozen=True)
class Screens:
    """The output screens started for a job's creations, one per creation."""

    futures: list[Future[Verdict]]
    quick: bool  # only short texts: their verdicts may be waited for inside the transaction


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
        # Files are written (and flushed to disk) while the transaction records the works
        # that name them, and it waits for them before it commits: waiting on the disk
        # holds no lock and lets go of the GIL.
        self._writer = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atelier-write")
        # A picture's other format and its thumbnail are made from its marked pixels, and
        # stored, while the primary file is stored: encoders, the mark and fsync let go of
        # the GIL.
        self._renditions = ThreadPoolExecutor(max_workers=2, thread_name_prefix="atelier-seal")

    def screen(self, creations: Sequence[Creation]) -> Screens:
        """Start the output screen of each creation; `seal` takes the futures. The spine
        starts them first, so they run beside its lease check, the sealing and storage
        (and, for short texts, its transaction)."""
        files = [[(a.name, a.mime, a.data) for a in creation.files] for creation in creations]
        quick = all(
            mime.startswith("text/") and len(data) <= QUICK_SCREEN_BYTES
            for one in files
            for _, mime, data in one
        )
        futures = [self._screens.submit(self.safety.screen_output, one) for one in files]
        return Screens(futures, quick)

    def seal(
        self,
        engine: Engine,
        creations: Sequence[Creation],
        screens: Screens,
        drawn: Drawn,
        quality: object,
    ) -> list[Made]:
        """Seal and store every creation, before any transaction, with each one's screen
        (`screen`'s futures: waited for here unless quick). Each work's id is chosen first:
        its watermark carries it. Files are content-addressed, so a retry never stores one
        twice; a work the screen flags is held, never destroyed, so its files are stored
        whatever the verdict. The cards of the clients' models the job drew on (each with
        its data and base) go into every work's lineage."""
        if any(not creation.files for creation in creations):
            raise ValueError("an engine returned a creation without files")
        quality = quality if isinstance(quality, int) else None  # the job's `quality`, if any
        ingredients = [
            Ingredient(i["param"], i["filename"], i["mime"], self.artifacts.staged(i["sha256"]))
            for i in drawn.inputs
        ]
        try:
            made = []
            for creation, screen in zip(creations, screens.futures, strict=True):
                work_id = new_id()
                cards = engine.models if creation.models is None else creation.models
                models = [asdict(card) for card in cards] + drawn.models
                claim = Claim(work_id, creation.title, engine.name, models, ingredients)
                writes: list[Future[str]] = []
                sealed, files = self._seal_one(claim, creation, quality, writes)
                prints = recognition.work_prints(creation.files)
                made.append(Made(work_id, creation, files, sealed, models, screen, prints, writes))
        except BaseException:
            for screen in screens.futures:
                screen.cancel()  # those not started when sealing failed
            raise
        if not screens.quick:
            for screen in screens.futures:
                screen.result()
        return made

    def _seal_one(
        self, claim: Claim, creation: Creation, quality: int | None, writes: list[Future[str]]
    ) -> tuple[list[Sealed], list[Stored]]:
        """One creation's files sealed and stored; a picture's thumbnail is started as soon
        as its marked pixels exist, while the primary file is encoded and signed."""
        early: list[Future[list[Stored]]] = []

        def start_thumbnail(picture: Image.Image) -> None:
            early.append(
                self._renditions.submit(self._marked_thumbnail, claim.work_id, picture, writes)
            )

        files = [(a.name, a.mime, a.data) for a in creation.files]
        sealed = self.provenance.seal(claim, files, quality, start_thumbnail)
        return sealed, self._store(claim, sealed, early[0] if early else None, writes)

    def _other_format(
        self, claim: Claim, sealed: list[Sealed], writes: list[Future[str]]
    ) -> list[tuple[Sealed, Stored]]:
        """A picture's JPEG beside its PNG (or PNG beside its JPEG or WebP), made from the
        sealed primary file's pixels so that it carries the same mark, and stored; none
        when the engine already delivered a file of that name."""
        primary = sealed[0]
        copy = other_format(primary.name, primary.mime, primary.data, primary.picture)
        if copy is None or any(item.name == copy.name for item in sealed):
            return []
        made = self.provenance.seal_copy(claim, primary, copy.name, copy.mime, copy.data)
        return [(made, self._put(made, "rendition", writes))]

    def _marked_thumbnail(
        self, work_id: str, picture: Image.Image, writes: list[Future[str]]
    ) -> list[Stored]:
        """The thumbnail of a marked picture, made from its marked pixels, with the work's
        mark of its own, stored."""
        return self._put_thumbnail(self.provenance.preview(shrunk(picture), work_id), writes)

    def _thumbnail(self, work_id: str, primary: Sealed, writes: list[Future[str]]) -> list[Stored]:
        """The thumbnail of an unmarked primary file, stored: a picture's (too small to
        carry a mark, or an animation) goes through the preview's mark all the same."""
        if primary.mime.startswith("image/"):
            with Image.open(io.BytesIO(primary.data)) as picture:
                marked = self.provenance.preview(shrunk(picture), work_id)
                return self._put_thumbnail(marked, writes)
        # a waveform, or none
        return self._put_thumbnail(thumbnail(primary.data, primary.mime), writes)

    def _put_thumbnail(self, preview: bytes | None, writes: list[Future[str]]) -> list[Stored]:
        if preview is None:
            return []
        digest = self._write(preview, writes)
        return [Stored("thumbnail.webp", "thumbnail", "image/webp", digest, len(preview))]

    def _put(self, item: Sealed, role: str, writes: list[Future[str]]) -> Stored:
        return Stored(item.name, role, item.mime, self._write(item.data, writes), len(item.data))

    def _write(self, data: bytes, writes: list[Future[str]]) -> str:
        """The bytes' digest now; the bytes are stored beside the rest of the work, and
        the transaction that records them waits for `writes` before it commits (`hold`)."""
        writes.append(self._writer.submit(self.artifacts.put, data))
        return hashlib.sha256(data).hexdigest()

    def _store(
        self,
        claim: Claim,
        sealed: list[Sealed],
        preview: Future[list[Stored]] | None,
        writes: list[Future[str]],
    ) -> list[Stored]:
        """The sealed files (the first is the primary one; its other format is added to
        `sealed`), their sidecars, a thumbnail and the previews the public gets of music
        and text instead of the originals (studio/previews.py; a recording's clip carries
        the work's audio mark)."""
        other = self._renditions.submit(self._other_format, claim, sealed, writes)
        if preview is None:  # an unmarked primary file
            preview = self._renditions.submit(self._thumbnail, claim.work_id, sealed[0], writes)
        files = [
            self._put(item, "primary" if item is sealed[0] else "rendition", writes)
            for item in sealed
        ]
        for copy, stored in other.result():
            sealed.append(copy)
            files.append(stored)
        for item in sealed:
            if item.sidecar is not None:
                digest = self._write(item.sidecar, writes)
                files.append(
                    Stored(
                        item.sidecar_name, "manifest", "application/json", digest, len(item.sidecar)
                    )
                )
        files += preview.result()
        mark = claim.work_id if self.provenance.settings.watermark else None
        for made in previews([(item.name, item.mime, item.data) for item in sealed], mark):
            digest = self._write(made.data, writes)
            files.append(Stored(made.name, "preview", made.mime, digest, len(made.data)))
        return files

    def record(
        self,
        s: Session,
        job: Job,
        made: list[Made],
        drawn: Drawn,
        now: datetime,
    ) -> None:
        """The works, their lineage (the works they descend from included), melody prints
        and log entries, in the caller's transaction; `hold` follows."""
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
        s.flush()
        for item in made:
            recognition.keep_prints(s, item.work_id, item.prints)
        self.provenance.record(s, [(item.work_id, item.sealed) for item in made])

    def hold(self, s: Session, job: Job, made: list[Made]) -> None:
        """Wait for the works' files to be on disk, and hold for review the works whose
        request or output the screen flagged, in the transaction that records them: the
        last step before it commits, so the writes and a quick screen run beside the rest
        of it. A write that failed fails the transaction: no work names a missing file."""
        for item in made:
            for write in item.writes:
                write.result()
        for item in made:
            work = s.get(Work, item.work_id)
            assert work is not None  # recorded by `record`, in this transaction
            self.safety.hold(s, job, work, item.screen.result())


def _meta(creation: Creation) -> dict[str, Any]:
    """The engine's notes, plus the checks it could not meet: such a work is delivered,
    but marked, so nobody takes it for one that passed (DESIGN.md, conventions)."""
    if not creation.unmet:
        return creation.meta
    return {**creation.meta, "checks_unmet": list(creation.unmet)}
