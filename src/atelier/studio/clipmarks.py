"""Marking the recording clips made before clips carried their work's audio mark
(`atelier admin previews`, docs/previews.md)."""

from __future__ import annotations

from sqlalchemy import select

from atelier.provenance import audiomark, watermark
from atelier.store.models import WorkFile
from atelier.studio.previews import audio_clip
from atelier.studio.works import SOURCES, Works


def mark_clips(works: Works) -> int:
    """Mark the recording clips made before clips carried their work's id
    (provenance/audiomark.py): a clip that does not read as its own work's is made again
    from the recording and replaces it, the old clip's bytes removed. A recording too
    short to carry the mark (a clip under 6 s) keeps its clip. Returns how many changed."""
    if not works.settings.watermark:
        return 0
    with works.db.transaction() as s:
        clips = s.execute(
            select(WorkFile.id, WorkFile.work_id, WorkFile.sha256).where(
                WorkFile.role == "preview", WorkFile.mime == "audio/mpeg"
            )
        ).all()
    marked = 0
    for file_id, work_id, old in clips:
        wanted = watermark.short_id(work_id)
        if audiomark.detect(works.artifacts.read(old)) == wanted:
            continue
        with works.db.transaction() as s:
            recording = s.scalars(
                select(WorkFile.sha256)
                .where(WorkFile.work_id == work_id, WorkFile.role.in_(SOURCES))
                .where(WorkFile.mime == "audio/wav")
                .order_by(WorkFile.position)
            ).first()
        if recording is None:
            continue
        clip = audio_clip(works.artifacts.read(recording), work_id)
        if audiomark.detect(clip) != wanted:
            continue
        digest = works.artifacts.put(clip)
        with works.db.transaction() as s:
            file = s.get(WorkFile, file_id)
            if file is None or file.sha256 != old:
                continue  # deleted or changed meanwhile
            file.sha256, file.size = digest, len(clip)
        works.erase_unneeded({old})
        marked += 1
    return marked
