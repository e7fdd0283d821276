"""The provenance service the studio holds: it seals what engines make (watermark, then
C2PA manifest, then a log entry) and answers for the log and for verification."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from PIL import Image
from sqlalchemy.exc import IntegrityError

from atelier.provenance import watermark
from atelier.provenance.bundle import export_bundle, import_bundle
from atelier.provenance.keys import (
    ALGS,
    Alg,
    Identity,
    KeyProblem,
    KeyStore,
    fingerprint,
    issued_by,
    pem,
)
from atelier.provenance.log import Checkpoint, Log, LogError, sign_note, vkey
from atelier.provenance.manifest import Claim, embeddable, sign_embedded, sign_sidecar
from atelier.provenance.merkle import EMPTY_ROOT, leaf_hash
from atelier.provenance.verify import Report, examine, verify
from atelier.settings import Settings
from atelier.store.db import Database
from atelier.store.models import StudioRoot, utcnow
from atelier.store.thumbnails import webp

logger = logging.getLogger("atelier.provenance")
Audit = Callable[[str, dict[str, Any]], None]
SIDECAR_SUFFIX = ".manifest.json"
# A marked preview is re-encoded as WebP at the first of these qualities its mark survives,
# read back to check: at the thumbnails' 82 the mark survived on 7 of 11 photographs (grey
# ones lost it), at 90 on 11 of 11, for 21 % more bytes; on compose's flat drawings at 90 on
# only about half (a fox in the snow: 17 of 40), at 100 on all, for 2.4 times the bytes.
MARKED_PREVIEW_QUALITIES = (90, 100)


@dataclass(frozen=True)
class Sealed:
    """A file as stored: marked and signed, with its sidecar when it has one, and the
    log entry that will record it."""

    name: str
    mime: str
    data: bytes
    manifest: str  # c2pa | sidecar
    sidecar: bytes | None
    watermark: str | None
    engine_sha256: str  # what the engine made, before sealing: the same seed gives the same
    # The marked picture's pixels as stored (None when unmarked): its renditions and
    # thumbnail are made from them without decoding the file again.
    picture: Image.Image | None = field(default=None, compare=False, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sidecar_name(self) -> str:
        return self.name + SIDECAR_SUFFIX


def marked_preview(small: Image.Image, work_id: str) -> bytes | None:
    """A shrunk picture marked and encoded as WebP at the first of
    `MARKED_PREVIEW_QUALITIES` whose file still carries the mark (else losslessly, which
    keeps it whole); None when it is too small to carry a mark."""
    if watermark.can_mark("image/webp", small.width, small.height):
        return None
    marked = watermark.marked(small, work_id)
    wanted = watermark.short_id(work_id)
    for quality in MARKED_PREVIEW_QUALITIES:
        encoded = webp(marked, quality)
        if watermark.detect(encoded) == wanted:
            return encoded
    buffer = io.BytesIO()
    marked.save(buffer, format="WEBP", lossless=True)
    return buffer.getvalue()


def _no_audit(event: str, details: dict[str, Any]) -> None:
    logger.info("%s %s", event, details)


class Provenance:
    def __init__(self, settings: Settings, db: Database, audit: Audit = _no_audit) -> None:
        self.settings = settings
        self.db = db
        self.audit = audit
        self.keys_dir = settings.resolved_keys_dir
        self._identity: Identity | None = None
        self._loaded_mtime = 0
        self._lock = threading.Lock()

    # -- keys ----------------------------------------------------------------------------

    @property
    def _passphrase_file(self) -> Path:
        return self.settings.data_dir / "key-passphrase"

    def has_passphrase(self) -> bool:
        """Whether a passphrase is set (ATELIER_KEY_PASSPHRASE) or kept in the data folder."""
        return self.settings.key_passphrase is not None or self._passphrase_file.exists()

    def _passphrase(self, new: str | None = None) -> str:
        """The key passphrase: the setting, else the one kept in the data folder, else
        `new` (or a random one) kept there from now on."""
        if self.settings.key_passphrase is not None:
            return self.settings.key_passphrase.get_secret_value()
        path = self._passphrase_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".key-passphrase-{secrets.token_hex(8)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(new or secrets.token_urlsafe(32))
            try:
                os.link(tmp, path)  # whole or not at all, and never over another's
                if new is None:
                    logger.warning(
                        "generated a key passphrase in %s; set ATELIER_KEY_PASSPHRASE to keep "
                        "it apart from the keys",
                        path,
                    )
            except FileExistsError:
                pass  # another process made it first
            finally:
                tmp.unlink()
        return path.read_text().strip()

    def _store(self) -> KeyStore:
        return KeyStore(self.keys_dir, self._passphrase())

    def has_keys(self) -> bool:
        return (self.keys_dir / "keys.json").exists()

    def prepare(self) -> bool:
        """Make the signing identity if this is the studio's first node; True when it was
        made now. A node whose keys are not the root the database records, or that has
        none when the database records one, refuses (KeyProblem): a second root would
        sign works that do not chain to the studio's."""
        if not self.has_keys() and self.settings.keys_bundle is not None:
            self._install_bundle(self.settings.keys_bundle.get_secret_value().encode())
        if self.has_keys():
            self._check_root()
            return False
        try:
            identity = self.init_keys(self.settings.signing_alg)
        except KeyProblem:
            if self.has_keys():  # another process made them first
                self._check_root()
                return False
            raise
        logger.warning(
            "created the studio's signing identity in %s (root %s); back up this folder",
            self.keys_dir,
            fingerprint(identity.root)[:16],
        )
        return True

    def init_keys(self, alg: str) -> Identity:
        chosen: Alg | None = next((a for a in ALGS if a == alg), None)
        if chosen is None:
            raise ValueError(f"alg must be one of {', '.join(ALGS)}")
        recorded = self.recorded_root()
        if recorded is not None and not self.has_keys():  # with keys: "already exist" below
            raise KeyProblem(self._not_first_node(recorded))
        with self._lock:
            identity = self._store().create(chosen)
            # Kept, as identity() would load it: opening the keys again costs a scrypt.
            self._identity = identity
            self._loaded_mtime = (self.keys_dir / "signing.crt").stat().st_mtime_ns
        self._record_root(identity.root)
        self.audit("keys.created", self._describe(identity))
        return identity

    # -- one identity for every node ------------------------------------------------------

    def recorded_root(self) -> StudioRoot | None:
        """The studio's root as the database records it (None: no node has made one)."""
        with self.db.transaction() as s:
            return s.get(StudioRoot, 1)

    def _record_root(self, root: x509.Certificate) -> None:
        """Record `root` as the studio's; when another node recorded one first, this one's
        keys are not the studio's: KeyProblem."""
        try:
            with self.db.transaction() as s:
                s.add(
                    StudioRoot(
                        id=1,
                        fingerprint=fingerprint(root),
                        certificate=pem(root).decode(),
                        host=socket.gethostname()[:255],
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:
            self._check_root()

    def _check_root(self) -> None:
        """This node's keys must be the root the database records (recorded now when it
        records none: a studio from before roots were recorded)."""
        root = x509.load_pem_x509_certificate((self.keys_dir / "root.crt").read_bytes())
        recorded = self.recorded_root()
        if recorded is None:
            self._record_root(root)
        elif recorded.fingerprint != fingerprint(root):
            raise KeyProblem(
                f"the keys in {self.keys_dir} (root {fingerprint(root)[:16]}) are not this "
                f"studio's (root {recorded.fingerprint[:16]}, made on {recorded.host}): set "
                "ATELIER_KEYS_DIR to the studio's keys, or move this folder away and "
                "`atelier keys import` them"
            )

    def _not_first_node(self, recorded: StudioRoot) -> str:
        return (
            f"this studio already has a signing root ({recorded.fingerprint[:16]}, made on "
            f"{recorded.host}) and this node has no keys in {self.keys_dir}: refusing to make "
            "a second root. Set ATELIER_KEYS_DIR to a folder holding the studio's keys (and "
            "ATELIER_KEY_PASSPHRASE to their passphrase), or run `atelier keys export FILE` "
            "on a node that has them and `atelier keys import FILE` here"
        )

    def _install_bundle(self, data: bytes) -> None:
        """ATELIER_KEYS_BUNDLE: installed once; another process of this node may have
        installed it first."""
        try:
            self.import_keys(data)
        except KeyProblem:
            if not self.has_keys():
                raise

    def export_keys(self) -> bytes:
        """The identity as an encrypted bundle (provenance/bundle.py)."""
        return export_bundle(self.keys_dir, self._passphrase())

    def import_keys(self, data: bytes, passphrase: str | None = None) -> Identity:
        """Install a bundle from another node as this node's keys. `passphrase`, when this
        node has none yet (no setting, none kept), is kept as its own: the bundle and the
        keys inside open only with the exporting node's."""
        if self.has_passphrase():
            passphrase = self._passphrase()
        elif passphrase is None:
            raise KeyProblem("no key passphrase: set ATELIER_KEY_PASSPHRASE")
        with self._lock:
            import_bundle(data, self.keys_dir, passphrase)
            self._identity = None
        self._passphrase(passphrase)  # keeps it, as the bundle opened with it
        self._check_root()
        identity = self.identity()
        self.audit("keys.imported", self._describe(identity))
        return identity

    def rotate_keys(self) -> Identity:
        with self._lock:
            identity = self._store().rotate()
            self._identity = None
        self.audit("keys.rotated", self._describe(identity))
        return identity

    @staticmethod
    def _describe(identity: Identity) -> dict[str, Any]:
        return {
            "alg": identity.alg,
            "root": fingerprint(identity.root),
            "signing": fingerprint(identity.signing_cert),
            "log": fingerprint(identity.log_cert),
        }

    def identity(self) -> Identity:
        """The current identity, reloaded when `atelier keys rotate` has changed it."""
        with self._lock:
            mtime = (self.keys_dir / "signing.crt").stat().st_mtime_ns
            if self._identity is None or mtime != self._loaded_mtime:
                self._identity, self._loaded_mtime = self._store().load(), mtime
            return self._identity

    def origin(self, identity: Identity | None = None) -> str:
        root = (identity or self.identity()).root
        return self.settings.log_origin or f"atelier/{fingerprint(root)[:16]}"

    def log(self) -> Log:
        return Log(self.origin())

    # -- signing records (e.g. licence grants) ---------------------------------------------

    def sign_bytes(self, data: bytes) -> dict[str, str]:
        """A detached signature of `data` by the studio's signing key, with the
        certificate that checks it (issued by the studio's root)."""
        identity = self.identity()
        key = identity.signing_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
        else:
            raw = key.sign(data)
        return {
            "alg": identity.alg,
            "signature": base64.b64encode(raw).decode(),
            "certificate": pem(identity.signing_cert).decode(),
            "signed_at": utcnow().isoformat(timespec="seconds") + "Z",
        }

    def verify_bytes(self, data: bytes, signature: dict[str, str]) -> bool:
        """Whether `signature` (from sign_bytes) is the studio's over exactly `data`: its
        certificate must chain to the studio's root, and the signature check."""
        try:
            cert = x509.load_pem_x509_certificate(signature["certificate"].encode())
            raw = base64.b64decode(signature["signature"], validate=True)
        except (KeyError, ValueError, TypeError):
            return False
        if issued_by(cert, [self.identity().root]) is None:
            return False
        public = cert.public_key()
        try:
            if isinstance(public, ec.EllipticCurvePublicKey):
                public.verify(raw, data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(public, ed25519.Ed25519PublicKey):
                public.verify(raw, data)
            else:
                return False
        except InvalidSignature:
            return False
        return True

    # -- sealing -------------------------------------------------------------------------

    def seal(
        self,
        claim: Claim,
        files: list[tuple[str, str, bytes]],
        quality: int | None = None,
        on_marked: Callable[[Image.Image], object] | None = None,
    ) -> list[Sealed]:
        """Watermark (images), then sign: C2PA embedded where the format takes it, a
        signed sidecar otherwise. The marks go in first so that the signature and the
        log cover the final bytes. `on_marked` gets the primary file's marked pixels as
        soon as they are made, before they are encoded (sealing starts the thumbnail)."""
        identity = self.identity()
        sealed: list[Sealed] = []
        for name, mime, data in files:
            made = hashlib.sha256(data).hexdigest()
            mark, picture = None, None
            source = watermark.still(data, mime) if self._marks(mime) else None
            if source is not None:  # decoded once: marked, encoded, and kept for renditions
                picture = watermark.marked(source, claim.work_id)
                if on_marked is not None and not sealed:
                    on_marked(picture)
                data = watermark.encode(picture, source, mime, quality)
                mark = watermark.short_id(claim.work_id)
            if mime in embeddable():
                signed, _ = sign_embedded(identity, claim, data, mime)
                sealed.append(Sealed(name, mime, signed, "c2pa", None, mark, made, picture))
            else:
                sidecar = sign_sidecar(identity, claim, data, mime, name)
                sealed.append(Sealed(name, mime, data, "sidecar", sidecar, mark, made, picture))
        return sealed

    def _marks(self, mime: str) -> bool:
        return self.settings.watermark and mime.startswith("image/")

    def seal_copy(self, claim: Claim, source: Sealed, name: str, mime: str, data: bytes) -> Sealed:
        """A rendition made from a sealed picture's pixels (its JPEG, say), signed like any
        file but not marked again: the source's mark survives the re-encoding, and the log
        records it only when it is found in the copy."""
        made = hashlib.sha256(data).hexdigest()
        found = watermark.detect(data) if source.watermark else None
        carried = source.watermark if found == source.watermark else None
        identity = self.identity()
        if mime in embeddable():
            signed, _ = sign_embedded(identity, claim, data, mime)
            return Sealed(name, mime, signed, "c2pa", None, carried, made)
        sidecar = sign_sidecar(identity, claim, data, mime, name)
        return Sealed(name, mime, data, "sidecar", sidecar, carried, made)

    def preview(self, small: Image.Image, work_id: str) -> bytes:
        """A picture's preview (already shrunk), as WebP, marked with its work's id: the
        original's mark does not survive the shrink (0 of 12 photographs,
        docs/provenance.md), and the preview is the copy visitors take away. Too small a
        preview is left unmarked."""
        if self.settings.watermark:
            marked = marked_preview(small, work_id)
            if marked is not None:
                return marked
        return webp(small)

    def record(self, s: Any, works: list[tuple[str, list[Sealed]]]) -> Checkpoint:
        """Append the sealed files' entries to the log in the caller's transaction."""
        identity = self.identity()
        now = utcnow().isoformat(timespec="seconds") + "Z"
        entries = []
        for work_id, files in works:
            for file in files:
                leaf = {
                    "v": 1,
                    "work": work_id,
                    "file": file.name,
                    "mime": file.mime,
                    "sha256": file.sha256,
                    "engine_sha256": file.engine_sha256,
                    "manifest": file.manifest,
                    "sidecar_sha256": (
                        hashlib.sha256(file.sidecar).hexdigest() if file.sidecar else None
                    ),
                    "watermark": file.watermark,
                    "time": now,
                }
                entries.append(
                    (work_id, file.sha256, json.dumps(leaf, sort_keys=True, separators=(",", ":")))
                )
        _, checkpoint = Log(self.origin(identity)).append(s, entries, identity.log_key)
        return checkpoint

    # -- the log and verification ----------------------------------------------------------

    def checkpoint(self) -> dict[str, Any]:
        """The latest signed checkpoint (an empty log's is signed on the spot)."""
        identity = self.identity()
        log = Log(self.origin(identity))
        with self.db.transaction() as s:
            point = log.checkpoint(s)
        if point is None:
            note = sign_note(log.origin, 0, EMPTY_ROOT, identity.log_key)
            point = Checkpoint(log.origin, 0, EMPTY_ROOT, note)
        return {
            "origin": point.origin,
            "size": point.size,
            "root_hash": point.root.hex(),
            "checkpoint": point.note,
            "log_key": vkey(log.origin, identity.log_key.public_key()),
        }

    def inclusion(
        self, index: int | None = None, sha256: str | None = None, size: int | None = None
    ) -> dict[str, Any]:
        """An entry (by index, or by its file's SHA-256) with its RFC 9162 inclusion proof
        in the tree of `size` (default: the latest checkpoint's)."""
        log = self.log()
        with self.db.transaction() as s:
            if index is None:
                found = log.entries_for(s, sha256 or "")
                if not found:
                    raise LogError(f"no log entry for SHA-256 {sha256}")
                index = found[0].idx
            entry = log.entry(s, index)
            size = log.size(s) if size is None else size
            path = log.inclusion_proof(s, index, size)
            point = log.checkpoint(s, size)
        return {
            "index": index,
            "size": size,
            "leaf": entry.leaf,
            "leaf_hash": leaf_hash(entry.leaf.encode()).hex(),
            "path": [p.hex() for p in path],
            "checkpoint": point.note if point else None,
        }

    def consistency(self, first: int, second: int | None = None) -> dict[str, Any]:
        """RFC 9162 consistency proof from the tree of `first` to that of `second`."""
        log = self.log()
        with self.db.transaction() as s:
            second = log.size(s) if second is None else second
            path = log.consistency_proof(s, first, second)
        return {"first": first, "second": second, "path": [p.hex() for p in path]}

    def verify(self, data: bytes, sidecar: bytes | None = None, since: str | None = None) -> Report:
        """Public and anonymous: the file is examined (watermark decode included) before
        any transaction opens, so a big upload never holds the database (on SQLite every
        transaction takes the write lock); then the log is read."""
        identity = self.identity()
        examined = examine(identity, data, sidecar)
        with self.db.transaction() as s:
            return verify(s, Log(self.origin(identity)), identity, examined, since)

    def audit_log(self) -> list[str]:
        identity = self.identity()
        with self.db.transaction() as s:
            return Log(self.origin(identity)).audit(s, identity.log_certificates())
