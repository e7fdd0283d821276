"""Works: what jobs made. Who may see one and its recipe, its files, publishing (which
embeds its meaning for the gallery), and the owner's bulk actions: change, delete, export."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atelier import embeddings
from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import market
from atelier.commerce.market_models import LicenceGrant
from atelier.commerce.service import Commerce
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.provenance.service import SIDECAR_SUFFIX
from atelier.settings import Settings
from atelier.store import outbox, paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import (
    VISIBILITIES,
    Upload,
    User,
    Work,
    WorkEmbedding,
    WorkFile,
    new_id,
)
from atelier.studio import gallery
from atelier.studio.catalogue import Catalogue, upload_fields
from atelier.studio.previews import previews as make_previews

MAX_BULK = 200  # works one bulk action (publish, delete, download) may touch


@dataclass(frozen=True)
class Shown:
    """A work as its page shows it to someone: whether they own it, may see its recipe
    (parameters, seed, uploads' kinds), whether it is in the gallery, and who made it."""

    work: Work
    owner: bool
    recipe: bool
    public: bool
    creator: User
    params: dict[str, Any] | None  # the recipe as this viewer may see it, or None
    seed: int | None
    original: bool = True  # may this viewer download its original files (`may_have_original`)
    downloads: tuple[Download, ...] = ()  # its files as its page offers them to this viewer
    before: Upload | None = None  # the picture it was made from, to compare (`Works.before`)


@dataclass(frozen=True)
class Served:
    """A file to download: a local copy to send, or a URL the client is sent to."""

    file: WorkFile
    path: Path | None
    url: str | None


def held(work: Work) -> bool:
    """Withheld by moderation: waiting for review, or rejected."""
    return work.review_status in ("in_review", "rejected")


def input_files(work: Work) -> list[WorkFile]:
    """A work's files that may become another engine's input: its primary file and its
    renditions, but no drawn score (uploads take photos, recordings and notation)."""
    return [
        f for f in work.files if f.role in ("primary", "rendition") and f.mime != "image/svg+xml"
    ]


def originals(work: Work) -> list[WorkFile]:
    """The files that only a work's owner, admins and licence holders download, whatever
    its medium: its primary file, its renditions (a melody's MIDI, MusicXML and score) and
    their signed manifests. Everyone else gets its `previews`."""
    return [f for f in work.files if f.role in ("primary", "rendition", "manifest")]


def previews(work: Work) -> list[WorkFile]:
    """What everyone else gets of a work instead (docs/previews.md): a picture's thumbnail
    (reduced, and marked with the work's id), a recording's clip and its score's first bars,
    a text's opening words (studio/previews.py, made when the work was sealed)."""
    role = "thumbnail" if work.mime.startswith("image/") else "preview"
    return [f for f in work.files if f.role == role]


def may_have_original(s: Session, who: Principal | None, work: Work) -> bool:
    """The owner, an admin, or a holder of a valid licence to the work."""
    if authz.is_owner(who, work.owner_id) or authz.is_admin(who):
        return True
    if who is None:
        return False
    return (
        s.scalar(
            select(LicenceGrant.id).where(
                LicenceGrant.work_id == work.id,
                LicenceGrant.licensee_id == who.user_id,
                LicenceGrant.status == "valid",
            )
        )
        is not None
    )


def preview(work: Work) -> WorkFile | None:
    """The preview that stands in for the primary file: a picture's thumbnail, a
    recording's clip, a text's excerpt."""
    return next(iter(previews(work)), None)


FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/svg+xml": "SVG",
    "audio/wav": "WAV audio",
    "audio/mpeg": "MP3 audio",
    "audio/midi": "MIDI",
    "application/vnd.recordare.musicxml+xml": "MusicXML",
    "application/pdf": "PDF",
    "text/plain": "Text",
    "application/json": "JSON",
}


@dataclass(frozen=True)
class Download:
    """One file of a work in its page's download list: what it is, and whether this viewer
    may have it (`reason` says why not)."""

    file: WorkFile
    label: str
    offered: bool
    reason: str | None = None


def _published(work: Work) -> dict[str, Any]:
    """A work just made public, as its owner's `work.published` event shows it."""
    return {
        "work_id": work.id,
        "job_id": work.job_id,
        "title": work.title,
        "engine": work.engine,
        "mime": work.mime,
        "held": held(work),
    }


def label(work: Work, file: WorkFile) -> str:
    """A file's format in words: "MIDI", "Score (SVG)", "Signed manifest of melody.mid"."""
    kind = FORMATS.get(file.mime, file.mime)
    if file.role == "manifest":
        return f"Signed manifest of {file.name.removesuffix(SIDECAR_SUFFIX)} (JSON)"
    if file.role == "preview" and file.mime == "image/svg+xml":
        return "Score preview (SVG, its first bars)"
    if file.role == "preview" and file.mime.startswith("text/"):
        return f"Excerpt ({kind}, its opening words)"
    if file.role in ("thumbnail", "preview"):
        return f"Preview ({kind}, reduced)"
    if file.mime == "image/svg+xml" and not work.mime.startswith("image/"):
        return "Score (SVG)"
    return kind


SOURCES = ("primary", "rendition")  # the files previews are made from, by position
ROLE_ORDER = {"primary": 0, "rendition": 1, "manifest": 2, "thumbnail": 3, "preview": 3}
NOT_ORIGINAL = "for its owner and the holders of a licence to it"


def downloads(work: Work, original: bool) -> list[Download]:
    """A work's files as its page lists them (the primary file, its renditions, their
    signed manifests), by the rule `file` applies: a work's originals are offered only to
    whoever may have them (`original`), and everyone else is offered its previews
    instead. A work held in review lists nothing: its files are not served."""
    if held(work):
        return []
    withheld = [] if original else originals(work)
    shown = previews(work) if withheld else []
    listed = []
    for file in sorted(work.files, key=lambda f: (ROLE_ORDER.get(f.role, 4), f.position)):
        if file.role in ("thumbnail", "preview") and file not in shown:
            continue  # a preview is only for those who may not have the original
        refused = file in withheld
        listed.append(
            Download(file, label(work, file), not refused, NOT_ORIGINAL if refused else None)
        )
    return listed


def _work_ids(work_ids: list[str]) -> list[str]:
    ids = list(dict.fromkeys(work_ids))
    if not 1 <= len(ids) <= MAX_BULK:
        raise Invalid(
            "choose 1 to %(MAX_BULK)s works", field="work_ids", params={"MAX_BULK": MAX_BULK}
        )
    return ids


class Works:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        artifacts: ArtifactStore,
        engines: Catalogue,
        commerce: Commerce,
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.engines = engines
        self.commerce = commerce

    def mine(
        self,
        who: Principal,
        engine: str | None = None,
        limit: int = 50,
        offset: int = 0,
        medium: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: paging.After | None = None,
    ) -> list[Work]:
        """The owner's works, newest first; `medium` (image, music, text) and the dates
        (UTC, `until` exclusive) narrow it."""
        query = select(Work).where(Work.owner_id == who.user_id)
        if engine:
            query = query.where(Work.engine == engine)
        if medium:
            query = query.where(Work.engine.in_(self.engines.names(medium)))
        if since:
            query = query.where(Work.created_at >= since)
        if until:
            query = query.where(Work.created_at < until)
        query = paging.page(query, Work.created_at, Work.id, limit, offset, after)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def get(self, who: Principal | None, work_id: str) -> tuple[Work, bool]:
        """A work its owner may see, or anyone when it is public or unlisted.

        Returns it and whether `who` owns it (only owners see its parameters)."""
        with self.db.transaction() as s:
            work = s.get(Work, work_id)
            owner = work is not None and authz.is_owner(who, work.owner_id)
            # A work held for review is its owner's and the reviewing admins' to see only.
            shared = work is not None and work.visibility != "private" and not held(work)
            reviewer = work is not None and authz.is_admin(who) and work.review_status is not None
            if work is None or not (owner or shared or reviewer):
                raise NotFound("no work %(work_id)s", field="work_id", params={"work_id": work_id})
            return work, owner

    def shown_file(self, who: Principal | None, work_id: str) -> tuple[WorkFile, Path]:
        """The file of a work a viewer is shown: its primary file when they may have the
        original, else the preview that stands in for it (NotFound when it has none)."""
        work, _ = self.get(who, work_id)
        with self.db.transaction() as s:
            original = may_have_original(s, who, work)
        stand_in = None if original else preview(work)
        if not original and stand_in is None:
            raise NotFound(
                "work %(work_id)s has no preview", field="work_id", params={"work_id": work_id}
            )
        return self.file(who, work_id, None if stand_in is None else stand_in.name)

    def showcase(self, who: Principal | None, work_id: str) -> Shown:
        """A work for its page: who may see it is `get`'s rule; its recipe (parameters
        and seed) is shown to its owner, and to everyone once it is published."""
        work, owner = self.get(who, work_id)
        with self.db.transaction() as s:
            creator = s.get(User, work.owner_id)
            assert creator is not None  # a work goes with its owner
            original = may_have_original(s, who, work)
        public = work.visibility == "public" and not held(work)
        recipe = owner or public
        params: dict[str, Any] | None = None
        if owner:
            params = work.params
        elif public:  # a published recipe, but never the ids of its owner's uploads
            try:
                uploads = upload_fields(self.engines.get(work.engine))
            except NotFound:  # the engine is gone: keep only what cannot be an upload
                uploads = {k: [] for k, v in work.params.items() if isinstance(v, str)}
            params = {k: v for k, v in work.params.items() if k not in uploads}
        seed = work.seed if recipe else None
        listed = tuple(downloads(work, original))
        source = self.before(who, work)
        return Shown(work, owner, recipe, public, creator, params, seed, original, listed, source)

    def before(self, who: Principal | None, work: Work) -> Upload | None:
        """The picture a picture was made from (its `image` upload: stylize, restore,
        upscale), for a before/after comparison; only for whoever may see that upload
        (its owner), and never for a work held in review."""
        if who is None or held(work) or not work.mime.startswith("image/"):
            return None
        source = next(
            (
                i
                for i in (work.lineage or {}).get("inputs", [])
                if i.get("param") == "image" and str(i.get("mime", "")).startswith("image/")
            ),
            None,
        )
        if source is None:
            return None
        with self.db.transaction() as s:
            upload = s.get(Upload, source["upload_id"])
            return upload if upload is not None and authz.is_owner(who, upload.owner_id) else None

    def file(self, who: Principal | None, work_id: str, name: str | None) -> tuple[WorkFile, Path]:
        """A work's file (its primary one when `name` is None) and a local copy of it."""
        file = self.allowed(who, work_id, name)
        return file, self.artifacts.staged(file.sha256)

    def serve(self, who: Principal | None, work_id: str, name: str | None) -> Served:
        """A work's file to download: a short-lived signed URL of the object store when it
        hands them out (s3_downloads=redirect), else a local copy to send."""
        file = self.allowed(who, work_id, name)
        url = self.artifacts.download_url(file.sha256, file.name, file.mime)
        if url is not None:
            return Served(file, None, url)
        return Served(file, self.artifacts.staged(file.sha256), None)

    def allowed(self, who: Principal | None, work_id: str, name: str | None) -> WorkFile:
        """A work's file if `who` may download it: not held in review (admins excepted), and
        an original (`originals`) only for its owner, admins and licence holders."""
        work, _ = self.get(who, work_id)
        if held(work) and not authz.is_admin(who):
            raise Forbidden(
                "work %(work_id)s is in review; its files are served once an admin approves it"
                if work.review_status == "in_review"
                else "work %(work_id)s was rejected in review; its files are not served",
                field="work_id",
                params={"work_id": work_id},
            )
        file = next(
            (f for f in work.files if (name is None and f.role == "primary") or f.name == name),
            None,
        )
        if file is None:
            raise NotFound(
                "work %(work_id)s has no file %(name)s",
                field="name",
                params={"work_id": work_id, "name": name},
            )
        if file in originals(work):
            with self.db.transaction() as s:
                allowed = may_have_original(s, who, work)
            if not allowed:
                shown = ", ".join(f.name for f in previews(work))
                raise Forbidden(
                    "the original of work %(work_id)s is for its owner and the holders of a "
                    "licence to it; its previews: %(shown)s"
                    if shown
                    else "the original of work %(work_id)s is for its owner and the holders of a "
                    "licence to it",
                    field="work_id",
                    params={"work_id": work_id, "shown": shown},
                )
        return file

    def sealed(self, who: Principal | None, work_id: str) -> tuple[WorkFile, Path, Path | None]:
        """A work's primary file and its sidecar manifest, to be verified on the server for
        anyone who may see the work: only the verdicts leave, never the original's bytes."""
        work, _ = self.get(who, work_id)
        if held(work) and not authz.is_admin(who):
            raise Forbidden(
                "work %(work_id)s is in review; it is verified once an admin approves it",
                field="work_id",
                params={"work_id": work_id},
            )
        primary = next((f for f in work.files if f.role == "primary"), None)
        if primary is None:
            raise NotFound(
                "work %(work_id)s has no file to verify",
                field="work_id",
                params={"work_id": work_id},
            )
        sidecar = next((f for f in work.files if f.name == primary.name + SIDECAR_SUFFIX), None)
        return (
            primary,
            self.artifacts.staged(primary.sha256),
            self.artifacts.staged(sidecar.sha256) if sidecar is not None else None,
        )

    def add_previews(self) -> int:
        """Make the previews of the stored music and text works that have none (made before
        the studio made previews), from their stored files; returns how many got them."""
        with self.db.transaction() as s:
            works = s.scalars(select(Work).where(Work.mime.not_like("image/%")))
            missing = [
                (w.id, [(f.name, f.mime, f.sha256) for f in w.files if f.role in SOURCES])
                for w in works
                if not previews(w)
            ]
        added = 0
        for work_id, files in missing:
            sources = [(n, m, self.artifacts.staged(d).read_bytes()) for n, m, d in files]
            mark = work_id if self.settings.watermark else None
            made = [(p, self.artifacts.put(p.data)) for p in make_previews(sources, mark)]
            with self.db.transaction() as s:
                work = s.get(Work, work_id)
                if not made or work is None or previews(work):
                    continue  # nothing to make from, deleted, or made meanwhile
                after = max((f.position for f in work.files), default=-1) + 1
                for i, (p, digest) in enumerate(made):
                    work.files.append(
                        WorkFile(
                            position=after + i,
                            name=p.name,
                            role="preview",
                            mime=p.mime,
                            sha256=digest,
                            size=len(p.data),
                        )
                    )
                added += 1
        return added

    def update(
        self,
        who: Principal,
        work_id: str,
        visibility: str | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> Work:
        return self.update_many(who, [work_id], visibility, title, description)[0]

    def update_many(
        self,
        who: Principal,
        work_ids: list[str],
        visibility: str | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> list[Work]:
        """Change the owner's works, all or none. A work that is public afterwards gets
        its meaning embedded for the gallery's search (computed before the transaction,
        stored in it with the change)."""
        authz.require_scope(who, "write")
        if visibility is not None and visibility not in VISIBILITIES:
            raise Invalid(
                "visibility must be one of %(choices)s",
                field="visibility",
                params={"choices": ", ".join(VISIBILITIES)},
            )
        if title is not None and len(title) > 200:
            raise Invalid("title must be at most 200 characters", field="title")
        if description is not None and len(description) > 2000:
            raise Invalid("description must be at most 2000 characters", field="description")
        ids = _work_ids(work_ids)
        with self.db.transaction() as s:
            texts = {}
            for work in (authz.owned(s, Work, who, i) for i in ids):
                if (visibility or work.visibility) == "public":
                    text = gallery.about(
                        work.title if title is None else title,
                        work.description if description is None else description,
                        work.params,
                    )
                    stored = s.get(WorkEmbedding, work.id)
                    if stored is None or stored.text != text:
                        texts[work.id] = text
        vectors = dict(zip(texts, embeddings.embed(list(texts.values())), strict=True))
        with self.db.transaction() as s:
            works = [authz.owned(s, Work, who, i) for i in ids]
            if visibility == "private":
                self.commerce.check_private(s, who)
            for work in works:
                if visibility == "public" and work.visibility != "public":
                    outbox.record(s, work.owner_id, "work.published", _published(work))
                if visibility is not None:
                    work.visibility = visibility
                if title is not None:
                    work.title = title
                if description is not None:
                    work.description = description
                if work.id in vectors:
                    gallery.keep_vector(s, work, texts[work.id], vectors[work.id].tobytes())
            return works

    def delete(self, who: Principal, work_ids: list[str]) -> int:
        """Delete the owner's works, all or none, and then their files, except those that
        another record still needs (another work or an upload with the same bytes, or a
        licence naming them). Their log entries stay (the log is append-only: hashes only)."""
        authz.require_scope(who, "write")
        ids = _work_ids(work_ids)
        try:
            with self.db.transaction() as s:
                works = [authz.owned(s, Work, who, i) for i in ids]
                obstacle = market.deletion_obstacle(s, ids)
                if obstacle is not None:
                    raise obstacle
                digests = {f.sha256 for work in works for f in work.files}
                for work in works:
                    s.delete(work)
        except IntegrityError:
            raise Conflict(
                "a chosen work has records that must stay (e.g. licences sold); unlist it instead",
                field="work_ids",
            ) from None
        self.erase_unneeded(digests)
        return len(ids)

    def erase_unneeded(self, digests: set[str]) -> list[str]:
        """Remove the stored files of `digests` that no work file, upload or licence names
        any more; returns the ones removed."""
        with self.db.transaction() as s:
            needed = set(s.scalars(select(WorkFile.sha256).where(WorkFile.sha256.in_(digests))))
            needed |= set(s.scalars(select(Upload.sha256).where(Upload.sha256.in_(digests))))
            needed |= set(
                s.scalars(
                    select(LicenceGrant.work_sha256).where(LicenceGrant.work_sha256.in_(digests))
                )
            )
        unneeded = sorted(digests - needed)
        for digest in unneeded:
            self.artifacts.delete(digest)
        return unneeded

    def export(self, who: Principal, work_ids: list[str]) -> Path:
        """A zip of the owner's works in the scratch folder: per work a folder with its
        files and a manifest.json (params, seed, lineage, hashes, log entries). A work held
        in review gets its manifest only. The caller deletes the file."""
        ids = _work_ids(work_ids)
        with self.db.transaction() as s:
            works = [authz.owned(s, Work, who, i) for i in ids]
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        target = self.settings.scratch_dir / f"export-{new_id()}.zip"
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                self.write_works(archive, works)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def write_works(self, archive: zipfile.ZipFile, works: list[Work], prefix: str = "") -> None:
        """Per work a folder under `prefix` with its files and a manifest.json."""
        for work in works:
            folder = prefix + export_folder(work)
            withheld = held(work)
            if not withheld:
                for file in work.files:
                    staged = self.artifacts.staged(file.sha256)
                    archive.write(staged, f"{folder}/{file.name}")
            manifest = export_manifest(work, withheld=withheld)
            archive.writestr(f"{folder}/manifest.json", json.dumps(manifest, indent=2))


def export_folder(work: Work) -> str:
    """A work's folder in an export: a readable name that stays unique (its id)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", work.title).strip("-")[:40] or work.engine
    return f"{slug}-{work.id[:8]}"


def export_manifest(work: Work, withheld: bool) -> dict[str, Any]:
    return {
        "id": work.id,
        "title": work.title,
        "description": work.description,
        "engine": work.engine,
        "params": work.params,
        "seed": work.seed,
        "created_at": work.created_at.isoformat() + "Z",
        "visibility": work.visibility,
        "review_status": work.review_status,
        "lineage": work.lineage,
        "files": [
            {"name": f.name, "role": f.role, "mime": f.mime, "size": f.size, "sha256": f.sha256}
            for f in work.files
        ],
        "files_withheld": withheld,
        "log_entries": [
            {"index": e.idx, **json.loads(e.leaf)} for e in getattr(work, "log_entries", [])
        ],
    }
