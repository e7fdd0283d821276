"""Uploads: files that parameters name by id (a photo, a style image, a melody, a
recording), checked from their content before they are kept, recognised when they are
(or were made from) the studio's own works, and the uploads a job uses."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.engines.base import Engine, Measure
from atelier.engines.bounds import OverLimit
from atelier.engines.image.inputs import as_read, check_image
from atelier.engines.kinds import KINDS, kind_of
from atelier.engines.music.files import check_audio, check_music_melody, upload_kind
from atelier.engines.music.piece import Piece
from atelier.errors import Forbidden, Invalid, TooLarge, Unsupported
from atelier.provenance import Provenance
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import Upload, Work
from atelier.studio import recognition
from atelier.studio.catalogue import upload_fields
from atelier.studio.works import held, input_files


class Uploads:
    def __init__(
        self, settings: Settings, db: Database, artifacts: ArtifactStore, provenance: Provenance
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.provenance = provenance

    def add(
        self,
        who: Principal,
        filename: str,
        data: bytes,
        origins: list[dict[str, Any]] | None = None,
    ) -> Upload:
        """Check and keep a file. Unless `origins` says already what it is (a work used as
        input), it is recognised: one of the studio's works, or made from one, brings that
        work's lineage to whatever is made from it (recognition.py)."""
        authz.require_creator(who)
        if len(data) > self.settings.max_upload_bytes:
            raise TooLarge(
                "file is larger than the limit of %(max_upload_bytes)s bytes",
                field="file",
                params={"max_upload_bytes": format(self.settings.max_upload_bytes, ",")},
            )
        if not data:
            raise Invalid("file is empty", field="file")
        data = as_read(data, self.settings.max_upload_pixels)
        try:
            mime, measure, melody = self._check(filename, data)
        except OverLimit as exc:
            raise Invalid(str(exc), field="file") from None
        except ValueError as exc:
            raise Unsupported(str(exc), field="file") from None
        digest = hashlib.sha256(data).hexdigest()
        clues = None
        if origins is None:  # read before the transaction: the decoders take CPU time
            roots = [self.provenance.identity().root]
            clues = recognition.read_clues(digest, data, mime, melody, roots)
        self.artifacts.put(data)
        with self.db.transaction() as s:
            upload = Upload(
                origins=recognition.origins(s, clues) if clues is not None else origins,
                owner_id=who.user_id,
                filename=(filename or "upload")[:255],
                mime=mime,
                size=len(data),
                sha256=digest,
                width=measure.width or None,
                height=measure.height or None,
                seconds=measure.seconds or None,
                bars=measure.bars or None,
                quarters=measure.quarters or None,
                notes=measure.notes or None,
            )
            s.add(upload)
        return upload

    def _check(self, filename: str, data: bytes) -> tuple[str, Measure, Piece | None]:
        """The upload's MIME type, its measures (a picture's size, a recording's or a
        score's length) and, for music, its melody line, told from its content: a music
        file, a recording or else an image; ValueError when it is none of them."""
        kind = upload_kind(filename, data)
        if kind == "music":
            return check_music_melody(data, self.settings.music_check_seconds)
        if kind == "audio":
            return (*check_audio(data), None)
        info = check_image(data, self.settings.max_upload_pixels)
        return info.mime, Measure(width=info.width, height=info.height), None

    def get(self, who: Principal, upload_id: str) -> Upload:
        with self.db.transaction() as s:
            return authz.owned(s, Upload, who, upload_id)

    def file(self, who: Principal, upload_id: str) -> tuple[Upload, Path]:
        """One of the owner's uploads with a local copy of its bytes (to serve it)."""
        upload = self.get(who, upload_id)
        return upload, self.artifacts.staged(upload.sha256)

    def from_work(self, who: Principal, work_id: str, accept: Sequence[str] = ()) -> Upload:
        """The owner's work's file as a new upload ("use as input" for another engine):
        its first file of a kind in `accept` (a score's MIDI rather than its recording),
        else its primary file; it goes through the same checks as any upload."""
        with self.db.transaction() as s:
            work = authz.owned(s, Work, who, work_id)
            if held(work):
                raise Forbidden(
                    "work %(work_id)s is held in review",
                    field="work_id",
                    params={"work_id": work_id},
                )
            files = input_files(work)
            chosen = next((f for f in files if kind_of(f.mime) in accept), work.files[0])
            origin = recognition.snapshot(work, "use as input", f"its file {chosen.name}")
        return self.add(who, chosen.name, self.artifacts.read(chosen.sha256), [origin])


def check_params(
    s: Session, who: Principal, engine: Engine[Any], params: dict[str, Any]
) -> dict[str, Measure]:
    """Every upload a job's parameters name is the caller's own and of a kind it takes;
    their measures, by parameter, for the job's budget."""
    measures = {}
    for name, accept in upload_fields(engine).items():
        upload_id = params.get(name)
        if upload_id is None:
            continue
        upload = s.get(Upload, upload_id)
        if upload is None or upload.owner_id != who.user_id:
            raise Invalid(
                "no upload %(upload_id)s (send files to POST /v1/uploads first)",
                field=f"params.{name}",
                params={"upload_id": upload_id},
            )
        if accept and kind_of(upload.mime) not in accept:
            expected = " or ".join(f"{kind}: {KINDS[kind].what}" for kind in accept)
            raise Invalid(
                "upload %(upload_id)s is %(mime)s; expected %(expected)s",
                field=f"params.{name}",
                params={"upload_id": upload_id, "mime": upload.mime, "expected": expected},
            )
        found = measure(upload)
        if found is not None:
            measures[name] = found
    return measures


def measure(upload: Upload) -> Measure | None:
    """What the upload's record says of its size or length; None for one from before
    uploads were measured (a recording or score without its length)."""
    if upload.width and upload.height:
        return Measure(width=upload.width, height=upload.height)
    if upload.seconds:
        return Measure(
            seconds=upload.seconds,
            bars=upload.bars or 0,
            quarters=upload.quarters or 0,
            notes=upload.notes or 0,
        )
    return None


def used(s: Session, engine: Engine[Any], params: dict[str, Any]) -> list[tuple[str, Upload]]:
    """The uploads a job's parameters name, by parameter (those still stored)."""
    found = []
    for name in upload_fields(engine):
        upload_id = params.get(name)
        upload = s.get(Upload, upload_id) if upload_id else None
        if upload is not None:
            found.append((name, upload))
    return found
