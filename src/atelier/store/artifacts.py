"""Content-addressed file storage: a file's name is its SHA-256, so it is stored once.

`ArtifactStore` is what the studio asks of storage, kept to what an object store can do
too (put, read, exists, delete, list); `staged` hands engines and file responses a local
path. `LocalArtifactStore` keeps the files in a folder (the default); store/s3.py's
`S3ArtifactStore` keeps them in an S3-compatible bucket."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int
    free_bytes: int | None  # None where the store has no such limit to tell


def check_digest(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


def file_digest(path: Path) -> str:
    """A file's SHA-256, read in chunks."""
    hasher = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


class ArtifactStore(ABC):
    """Bytes by their SHA-256. Writes are atomic and idempotent: a digest either names
    the whole file or nothing."""

    @abstractmethod
    def prepare(self) -> None:
        """Make the store ready to use (a folder, a bucket); quick when it is."""

    @abstractmethod
    def put(self, data: bytes) -> str:
        """Store bytes (once) and return their SHA-256."""

    @abstractmethod
    def put_file(self, path: Path) -> str:
        """Store a file's bytes (once) without reading it whole; returns its SHA-256."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes to read; FileNotFoundError when there are none."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def delete(self, sha256: str) -> None:
        """Forget the bytes (nothing happens when they are not stored)."""

    @abstractmethod
    def digests(self) -> Iterator[str]:
        """Every stored digest (an object store lists its keys)."""

    @abstractmethod
    def staged(self, sha256: str) -> Path:
        """A local file with the bytes, for engines and file responses (FileNotFoundError
        when there are none): the local store's own file; the S3 store's copy in its cache."""

    @abstractmethod
    def usage(self) -> Usage: ...

    def download_url(self, sha256: str, filename: str, mime: str) -> str | None:
        """Where a client may fetch the bytes itself (a short-lived signed URL), or None:
        the server sends them."""
        return None

    def download_origin(self) -> str | None:
        """The scheme and host of `download_url`s (pages allow their pictures from it)."""
        return None

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()

    def count(self) -> int:
        return sum(1 for _ in self.digests())


class LocalArtifactStore(ArtifactStore):
    """Files in a folder: `ab/cd/<sha256>`. Several machines may share it (NFS)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if not self.path(digest).exists():
            self._write(digest, lambda handle: handle.write(data))
        return digest

    def put_file(self, path: Path) -> str:
        digest = file_digest(path)
        if not self.path(digest).exists():

            def copy(handle: BinaryIO) -> None:
                with path.open("rb") as source:
                    shutil.copyfileobj(source, handle, CHUNK)

            self._write(digest, copy)
        return digest

    def _write(self, digest: str, fill: Callable[[BinaryIO], object]) -> None:
        """Write into a temporary file beside the target, flush it to disk, then rename:
        a reader never sees half a file, and the rename itself survives a power cut."""
        target = self.path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                fill(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            folder = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def digests(self) -> Iterator[str]:
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                yield path.name

    def staged(self, sha256: str) -> Path:
        path = self.path(sha256)
        if not path.is_file():
            raise FileNotFoundError(f"no artifact {sha256}")
        return path

    def usage(self) -> Usage:
        sizes = [self.path(d).stat().st_size for d in self.digests()]
        free = shutil.disk_usage(self.root).free if self.root.exists() else None
        return Usage(len(sizes), sum(sizes), free)
