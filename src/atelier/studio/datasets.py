"""Datasets: a client's collections of one medium, private to their owner.

Files come one by one or in a zip, each with the rights its owner affirms (a zip may say
them item by item); their bytes go into the artifact store. Making a version cleans the
items (datasets/cleaning.py) with safety's screen and a look-up of what others have
published in the gallery (by hash, and for pictures by perceptual hash), and freezes the
result: an immutable, content-addressed manifest (its sha256 is the artifact's name), its
card and plots. A training job's worker gets a version staged as a folder (`stage`)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.datasets import card, items, versions
from atelier.datasets.cleaning import Decoded, Medium, Published, Screen, clean
from atelier.datasets.images import ImageMedium, perceptual_hash
from atelier.datasets.melodies import MelodyMedium
from atelier.datasets.records import MEDIA, Dataset, DatasetItem, DatasetVersion, WorkFingerprint
from atelier.datasets.texts import TextMedium
from atelier.engines.bounds import OverLimit
from atelier.errors import Conflict, Invalid, NotFound, TooLarge
from atelier.safety.findings import Verdict
from atelier.safety.service import Safety
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import User, Work, WorkFile
from atelier.store.paging import After

MAX_ITEMS = 20_000  # items in one dataset
MAX_NAME = 300
SIZES = (64, 2048)  # the square side pictures are normalised to, at least and at most


def is_zip(filename: str, data: bytes) -> bool:
    return filename.lower().endswith(".zip") or data[:4] == b"PK\x03\x04"


def medium_of(name: str, size: int, transpose: bool) -> Medium:
    if name == "image":
        return ImageMedium(size=size)
    if name == "music":
        return MelodyMedium(transpose=transpose)
    return TextMedium()


class Datasets:
    def __init__(
        self, settings: Settings, db: Database, artifacts: ArtifactStore, safety: Safety
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.safety = safety

    # -- collections ----------------------------------------------------------------

    def create(self, who: Principal, name: str, medium: str, description: str = "") -> Dataset:
        authz.require_creator(who)
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise Invalid("name must be 1 to 100 characters", field="name")
        if medium not in MEDIA:
            raise Invalid(
                "medium must be one of %(choices)s",
                field="medium",
                params={"choices": ", ".join(MEDIA)},
            )
        if len(description) > 2000:
            raise Invalid("description must be at most 2000 characters", field="description")
        with self.db.transaction() as s:
            dataset = Dataset(  # empty collections: readable once the session has closed
                owner_id=who.user_id,
                name=name,
                medium=medium,
                description=description,
                items=[],
                versions=[],
            )
            s.add(dataset)
            s.flush()
            return dataset

    def mine(self, who: Principal, limit: int = 200, after: After | None = None) -> list[Dataset]:
        """The caller's datasets, newest first, from past `after`."""
        query = select(Dataset).where(Dataset.owner_id == who.user_id)
        query = paging.page(query, Dataset.created_at, Dataset.id, limit, after=after)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def item_page(
        self, who: Principal, dataset_id: str, limit: int, after: After | None = None
    ) -> list[DatasetItem]:
        """A dataset's items in the order they came, from past `after`."""
        query = select(DatasetItem).where(DatasetItem.dataset_id == dataset_id)
        query = paging.page(
            query, DatasetItem.created_at, DatasetItem.id, limit, after=after, oldest_first=True
        )
        with self.db.transaction() as s:
            authz.owned(s, Dataset, who, dataset_id)
            return list(s.scalars(query))

    def version_page(
        self, who: Principal, dataset_id: str, limit: int, after: After | None = None
    ) -> list[DatasetVersion]:
        """A dataset's versions, newest first, from past `after`."""
        query = select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id)
        query = paging.page(query, DatasetVersion.created_at, DatasetVersion.id, limit, after=after)
        with self.db.transaction() as s:
            authz.owned(s, Dataset, who, dataset_id)
            return list(s.scalars(query))

    def get(self, who: Principal, dataset_id: str) -> Dataset:
        with self.db.transaction() as s:
            return authz.owned(s, Dataset, who, dataset_id)

    def delete(self, who: Principal, dataset_id: str) -> None:
        """The dataset, its items and versions go; their bytes stay in the content-addressed
        store, and models trained on it keep their lineage (names and hashes)."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            s.delete(authz.owned(s, Dataset, who, dataset_id))

    # -- items ------------------------------------------------------------------------

    def add(
        self,
        who: Principal,
        dataset_id: str,
        filename: str,
        data: bytes,
        rights: str = "unknown",
        caption: str = "",
    ) -> list[DatasetItem]:
        """A file, or every file of a zip (with its rights list), added as items."""
        authz.require_creator(who)
        self.get(who, dataset_id)
        if not data:
            raise Invalid("file is empty", field="file")
        if len(data) > self.settings.max_request_bytes:
            raise TooLarge(
                "file is larger than the limit of %(max_request_bytes)s bytes",
                field="file",
                params={"max_request_bytes": format(self.settings.max_request_bytes, ",")},
            )
        if len(caption) > 500:
            raise Invalid("caption must be at most 500 characters", field="caption")
        try:
            if is_zip(filename, data):
                supplied = items.from_zip(data, rights, max_total_bytes=5 * len(data) + 10**8)
            else:
                name = PurePosixPath(filename.replace("\\", "/")).name or "file"
                supplied = [items.Item(name, data, items.check_rights(rights, "rights"), caption)]
        except OverLimit as exc:
            raise TooLarge(str(exc), field="file") from None
        except ValueError as exc:
            field = "rights" if str(exc).startswith("rights") else "file"
            raise Invalid(str(exc), field=field) from None
        long = [i.name for i in supplied if len(i.name) > MAX_NAME]
        if long:
            raise Invalid(
                "file names must be at most %(MAX_NAME)s characters: %(long)s",
                "file",
                params={"MAX_NAME": MAX_NAME, "long": long[0]},
            )
        if not supplied:
            raise Invalid("the zip holds no files", field="file")
        digests = [self.artifacts.put(item.data) for item in supplied]
        with self.db.transaction() as s:
            dataset = authz.owned(s, Dataset, who, dataset_id)
            have = {i.name for i in dataset.items}
            again = sorted(have & {i.name for i in supplied})
            if again:
                shown = ", ".join(again[:5]) + (" …" if len(again) > 5 else "")
                raise Conflict(
                    "the dataset already has items named %(shown)s; delete them first",
                    "file",
                    params={"shown": shown},
                )
            if len(have) + len(supplied) > MAX_ITEMS:
                raise Invalid(
                    "a dataset holds at most %(MAX_ITEMS)s items",
                    field="file",
                    params={"MAX_ITEMS": format(MAX_ITEMS, ",")},
                )
            rows = [
                DatasetItem(
                    dataset_id=dataset.id,
                    name=item.name,
                    sha256=digest,
                    size=len(item.data),
                    rights=item.rights,
                    caption=item.caption[:500],
                    supplied_by=who.user_id,
                )
                for item, digest in zip(supplied, digests, strict=True)
            ]
            s.add_all(rows)
            s.flush()
            return rows

    def remove(self, who: Principal, dataset_id: str, item_id: str) -> None:
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            dataset = authz.owned(s, Dataset, who, dataset_id)
            item = s.get(DatasetItem, item_id)
            if item is None or item.dataset_id != dataset.id:
                raise NotFound(
                    "no item %(item_id)s in dataset %(dataset_id)s",
                    field="item_id",
                    params={"item_id": item_id, "dataset_id": dataset_id},
                )
            s.delete(item)

    # -- versions ---------------------------------------------------------------------

    def make_version(
        self,
        who: Principal,
        dataset_id: str,
        size: int = 512,
        transpose: bool = True,
        valid_percent: int = versions.VALID_PERCENT,
    ) -> tuple[DatasetVersion, bool]:
        """Clean the items and freeze them as a version (and whether it is new: the same
        items cleaned the same way are the version made before)."""
        authz.require_creator(who)
        if not SIZES[0] <= size <= SIZES[1]:
            raise Invalid(
                "size must be %(low)s to %(high)s pixels",
                field="size",
                params={"low": SIZES[0], "high": SIZES[1]},
            )
        if not 1 <= valid_percent <= 50:
            raise Invalid("valid_percent must be 1 to 50", field="valid_percent")
        with self.db.transaction() as s:
            dataset = authz.owned(s, Dataset, who, dataset_id)
            rows = [(i.name, i.sha256, i.rights, i.caption) for i in dataset.items]
        supplied = [
            items.Item(name, self.artifacts.read(digest), rights, caption)
            for name, digest, rights, caption in rows
        ]
        if not supplied:
            raise Invalid("the dataset has no items yet: add files first", field="dataset_id")
        medium = medium_of(dataset.medium, size, transpose)
        cleaned = clean(
            medium,
            supplied,
            self._screen(dataset.medium),
            self._published(who.user_id, dataset.medium == "image"),
        )
        version = versions.build(dataset.name, cleaned, valid_percent)
        for item in cleaned.items:
            self.artifacts.put(item.data)
        digest = self.artifacts.put(versions.canonical(version.manifest))
        data = card.card(version)
        plots = {name: self.artifacts.put(svg) for name, svg in card.plots(data).items()}
        with self.db.transaction() as s:
            authz.owned(s, Dataset, who, dataset_id)  # still there
            made = s.scalar(
                select(DatasetVersion).where(
                    DatasetVersion.dataset_id == dataset_id,
                    DatasetVersion.manifest_sha256 == digest,
                )
            )
            if made is not None:
                return made, False
            made = DatasetVersion(
                dataset_id=dataset_id,
                manifest_sha256=digest,
                items=len(cleaned.items),
                card=data,
                plots=plots,
            )
            s.add(made)
            s.flush()
            return made, True

    def version(self, who: Principal, version_id: str) -> tuple[DatasetVersion, Dataset]:
        with self.db.transaction() as s:
            found = s.get(DatasetVersion, version_id)
            if found is None or found.dataset.owner_id != who.user_id:
                raise NotFound(
                    "no dataset version %(version_id)s",
                    field="version_id",
                    params={"version_id": version_id},
                )
            return found, found.dataset

    def markdown(self, who: Principal, version_id: str) -> str:
        found, _ = self.version(who, version_id)
        return card.markdown(found.card)

    def plot(self, who: Principal, version_id: str, name: str) -> Path:
        found, _ = self.version(who, version_id)
        if name not in found.plots:
            raise NotFound(
                "version %(version_id)s has no plot %(name)s",
                field="name",
                params={"version_id": version_id, "name": name},
            )
        return self.artifacts.staged(found.plots[name])

    def manifest(self, who: Principal, version_id: str) -> Path:
        found, _ = self.version(who, version_id)
        return self.artifacts.staged(found.manifest_sha256)

    def stage(self, version_id: str) -> Path:
        """The version as a folder training reads (versions.save's layout) in the data
        folder, made once from the artifact store; returns the manifest's path. The
        manifest is written last, so its presence means the folder is whole."""
        with self.db.transaction() as s:
            found = s.get(DatasetVersion, version_id)
            if found is None:
                raise NotFound(
                    "no dataset version %(version_id)s",
                    field="dataset",
                    params={"version_id": version_id},
                )
            digest = found.manifest_sha256
        root = self.settings.data_dir / "datasets" / digest
        manifest = root / "versions" / f"{digest}.json"
        if manifest.is_file():
            return manifest
        for item in json.loads(self.artifacts.read(digest))["items"]:
            _copy(self.artifacts.staged(item["sha256"]), root / "items" / item["sha256"])
        _copy(self.artifacts.staged(digest), manifest)
        return manifest

    # -- what cleaning is given -----------------------------------------------------------

    def _screen(self, medium: str) -> Screen:
        """Safety's screen under the admins' policy: a document (as prose, like a text
        engine's output), a tune's title or a picture's caption (as a request), and a
        picture itself, where the image screen is installed.
        What the policy would hold for review or refuse stays out of a training set."""
        pictures = medium == "image" and self.safety.image.unavailable() is None

        def screen(decoded: Decoded) -> str | None:
            texts = {
                name: value
                for name, value in (("text", decoded.text), ("caption", decoded.item.caption))
                if value.strip()
            }
            verdict = Verdict("allow")
            if medium == "text" and "text" in texts:
                # A document is prose, read as a text engine's output is: the prompt
                # classifier learned from prompts held a chandler's copy ("keep it beside
                # your rope") as self-harm.
                document = texts.pop("text").encode()
                verdict = self.safety.screen_output([(decoded.name, "text/plain", document)])
            if verdict.action == "allow":
                verdict = self.safety.screen_request(texts)
            if verdict.action == "allow" and pictures:
                verdict = self.safety.screen_output([(decoded.name, "image/*", decoded.item.data)])
            if verdict.action == "allow":
                return None
            return f"{verdict.action}: {', '.join(verdict.categories)}"

        return screen

    def _published(self, owner_id: str, perceptual: bool) -> Published:
        """Who published an item's bytes (any file of a public work) or, for pictures, a
        picture within a few bits of its perceptual hash, if not the dataset's owner."""
        with self.db.transaction() as s:
            public = (
                select(Work.id, User.handle)
                .join(User, User.id == Work.owner_id)
                .where(
                    Work.visibility == "public",
                    Work.owner_id != owner_id,
                    func.coalesce(Work.review_status, "approved") == "approved",
                )
            )
            handles = dict(s.execute(public).tuples().all())
            by_hash = {
                digest: f"@{handles[work_id]}"
                for work_id, digest in s.execute(
                    select(WorkFile.work_id, WorkFile.sha256).where(
                        WorkFile.work_id.in_(handles), WorkFile.role.in_(("primary", "rendition"))
                    )
                ).tuples()
            }
            hashes = self._fingerprints(s, list(handles)) if perceptual else {}
        pictures = [(int(h, 16), f"@{handles[w]}") for w, h in hashes.items() if h]
        near = ImageMedium().near_bits

        def published(sha256: str, phash: str | None) -> str | None:
            if sha256 in by_hash:
                return by_hash[sha256]
            if phash:
                value = int(phash, 16)
                for other, whose in pictures:
                    if (value ^ other).bit_count() <= near:
                        return whose
            return None

        return published

    def _fingerprints(self, s: Session, work_ids: list[str]) -> dict[str, str | None]:
        """Perceptual hashes of public pictures, computed once each and kept."""
        known = dict(
            s.execute(
                select(WorkFingerprint.work_id, WorkFingerprint.phash).where(
                    WorkFingerprint.work_id.in_(work_ids)
                )
            )
            .tuples()
            .all()
        )
        missing = s.execute(
            select(Work.id, Work.sha256).where(
                Work.id.in_(set(work_ids) - set(known)), Work.mime.startswith("image/")
            )
        ).tuples()
        for work_id, digest in missing:
            phash = perceptual_hash(self.artifacts.read(digest))
            s.add(WorkFingerprint(work_id=work_id, phash=phash))
            known[work_id] = phash
        return known


def _copy(source: Path, target: Path) -> None:
    """A file copied (hard-linked where it can be) whole or not at all."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    temporary.replace(target)
