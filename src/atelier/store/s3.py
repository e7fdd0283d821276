"""Artifacts in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph…), with boto3.

Only the plain S3 API is used (HeadBucket, HeadObject, PutObject and multipart uploads,
GetObject, DeleteObject, ListObjectsV2, presigned GetObject), so any S3-compatible server
serves it. Keys are `<prefix>ab/cd/<sha256>`, the local store's layout: a bucket and a
data folder's artifacts map one to one (a backup can go either way).

Engines and file responses read local files, so `staged` copies an object into a bounded
local cache (least recently used files go first) and checks its SHA-256 on the way."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from atelier.settings import Settings
from atelier.store.artifacts import CHUNK, ArtifactStore, Usage, check_digest, file_digest

MISSING = {"404", "NoSuchKey", "NotFound"}


class StoreUnavailable(RuntimeError):
    """The object store cannot be used as the settings describe it (said at start-up)."""


def _is_digest(name: str) -> bool:
    try:
        check_digest(name)
    except ValueError:
        return False
    return True


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3ArtifactStore(ArtifactStore):
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix
        self.endpoint = settings.s3_endpoint_url
        self.cache = settings.s3_cache_dir
        self.cache_bytes = settings.s3_cache_bytes
        self.redirect = settings.s3_downloads == "redirect"
        self.url_seconds = settings.s3_url_seconds
        secret = settings.s3_secret_access_key.get_secret_value()
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=secret or None,
            # Fail fast when the store is down instead of retrying for minutes.
            config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3}),
        )

    def key(self, sha256: str) -> str:
        check_digest(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def prepare(self) -> None:
        """Check that the bucket is there and ours to use; the error names the setting."""
        where = self.endpoint or "AWS S3"
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = _code(exc)
            if code in MISSING or code == "NoSuchBucket":
                raise StoreUnavailable(
                    f"ATELIER_S3_BUCKET: there is no bucket {self.bucket!r} at {where}; "
                    "create it first"
                ) from None
            raise StoreUnavailable(
                f"ATELIER_S3_BUCKET: bucket {self.bucket!r} at {where} refused access ({code}): "
                "check ATELIER_S3_ACCESS_KEY_ID and ATELIER_S3_SECRET_ACCESS_KEY"
            ) from None
        except NoCredentialsError:
            raise StoreUnavailable(
                "ATELIER_S3_ACCESS_KEY_ID: no credentials for the object store; set it and "
                "ATELIER_S3_SECRET_ACCESS_KEY (or give boto3 its own: AWS_* variables, a role)"
            ) from None
        except BotoCoreError as exc:
            raise StoreUnavailable(
                f"ATELIER_S3_ENDPOINT_URL: cannot reach the object store at {where}: {exc}"
            ) from None
        self.cache.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(digest):
            self.client.put_object(Bucket=self.bucket, Key=self.key(digest), Body=data)
        return digest

    def put_file(self, path: Path) -> str:
        digest = file_digest(path)
        if not self.exists(digest):
            # upload_file splits a large file into a multipart upload; the object appears
            # whole when it completes, never half-written.
            self.client.upload_file(str(path), self.bucket, self.key(digest))
        return digest

    def open(self, sha256: str) -> BinaryIO:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _code(exc) in MISSING:
                raise FileNotFoundError(f"no artifact {sha256}") from None
            raise
        body: BinaryIO = answer["Body"]
        return body

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _code(exc) in MISSING:
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        self._cached(sha256).unlink(missing_ok=True)

    def digests(self) -> Iterator[str]:
        for digest, _ in self._objects():
            yield digest

    def _objects(self) -> Iterator[tuple[str, int]]:
        """(digest, size) of every artifact under the prefix."""
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _is_digest(name) and item["Key"] == self.key(name):  # not another program's
                    yield name, int(item["Size"])

    def usage(self) -> Usage:
        sizes = [size for _, size in self._objects()]
        return Usage(len(sizes), sum(sizes), None)

    def _cached(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.cache / sha256[:2] / sha256[2:4] / sha256

    def staged(self, sha256: str) -> Path:
        """The object in the local cache, fetched (and its SHA-256 checked) when it is not
        there; using it marks it recently used."""
        target = self._cached(sha256)
        if target.is_file():
            os.utime(target)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            hasher = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle, self.open(sha256) as body:
                for chunk in iter(lambda: body.read(CHUNK), b""):
                    hasher.update(chunk)
                    handle.write(chunk)
            if hasher.hexdigest() != sha256:
                raise OSError(f"object {self.key(sha256)} does not hold the bytes it names")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._evict(keep=target)
        return target

    def _evict(self, keep: Path) -> None:
        """Drop the least recently used cached files until the cache fits its bound. Size
        the bound well above the inputs of the jobs that run at once: a file is only
        dropped after that many bytes of newer ones were staged."""
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self._cache_files()]
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.cache_bytes:
                break
            if path != keep:
                path.unlink(missing_ok=True)
                total -= size

    def _cache_files(self) -> Iterator[Path]:
        for path in self.cache.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                yield path

    def download_url(self, sha256: str, filename: str, mime: str) -> str | None:
        """With s3_downloads=redirect, a presigned GetObject URL that lasts s3_url_seconds
        and makes the browser save the file under its name and type."""
        if not self.redirect:
            return None
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.key(sha256),
                    "ResponseContentType": mime,
                    "ResponseContentDisposition": "attachment; filename*=UTF-8''" + quote(filename),
                },
                ExpiresIn=self.url_seconds,
            )
        )

    def download_origin(self) -> str | None:
        if not self.redirect:
            return None
        parts = urlsplit(self.download_url("0" * 64, "x", "application/octet-stream") or "")
        return f"{parts.scheme}://{parts.netloc}"
