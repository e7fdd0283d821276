"""The transparency log: an append-only Merkle tree (RFC 6962/9162) in the database,
with a signed checkpoint (C2SP tlog-checkpoint as a signed note) for every size.

Appends happen inside the caller's transaction (the studio's `finish`), after locking
the single `log_head` row: appends are serialised across workers and processes (on
PostgreSQL by the row lock, on SQLite by its one writer), so indexes have no gaps, and
a rolled-back finish takes its leaves with it — the log never lists a work that was not
stored, and no stored work lacks its entry.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from atelier.provenance import merkle
from atelier.store.models import LogCheckpoint, LogEntry, LogHead, LogNode, utcnow

ED25519_ALG = b"\x01"
DASH = "\u2014"  # signed-note signature lines start with an em dash


class LogError(Exception):
    """A request the log cannot answer (an index or size it does not have)."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    note: str  # the signed note, as served and as a client keeps it


def vkey(name: str, public: ed25519.Ed25519PublicKey) -> str:
    """The note verifier key (`name+hash+base64`), as golang.org/x/mod/sumdb/note uses."""
    raw = ED25519_ALG + public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return f"{name}+{_key_hash(name, raw).hex()}+{base64.b64encode(raw).decode()}"


def _key_hash(name: str, raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]


def sign_note(origin: str, size: int, root: bytes, key: ed25519.Ed25519PrivateKey) -> str:
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    raw = ED25519_ALG + key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signature = base64.b64encode(_key_hash(origin, raw) + key.sign(body.encode())).decode()
    return f"{body}\n{DASH} {origin} {signature}\n"


def open_note(
    note: str, certificates: list[x509.Certificate]
) -> tuple[Checkpoint, x509.Certificate]:
    """Parse a checkpoint note and check its signature by one of the log certificates;
    returns it with the certificate that signed it. Raises ValueError when it fails."""
    body, sep, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3:
        raise ValueError("not a checkpoint note")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit():
        raise ValueError("checkpoint size is not a number")
    root = base64.b64decode(root_text, validate=True)
    signed = (body + "\n").encode()
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or parts[1] != origin:
            continue
        blob = base64.b64decode(parts[2])
        for cert in certificates:
            public = cert.public_key()
            if not isinstance(public, ed25519.Ed25519PublicKey):
                continue
            raw = ED25519_ALG + public.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            if blob[:4] != _key_hash(origin, raw):
                continue
            try:
                public.verify(blob[4:], signed)
            except InvalidSignature:
                raise ValueError("checkpoint signature does not verify") from None
            return Checkpoint(origin, int(size_text), root, note), cert
    raise ValueError(f"checkpoint is not signed by a log key of {origin}")


class Log:
    """The database-backed log; every method works inside a caller's session."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    @staticmethod
    def nodes(s: Session) -> merkle.Nodes:
        def get(level: int, index: int) -> bytes:
            row = s.get(LogNode, (level, index))
            if row is None:
                raise LogError(f"the log has no node ({level}, {index})")
            return bytes.fromhex(row.hash)

        return get

    def append(
        self, s: Session, entries: list[tuple[str, str, str]], key: ed25519.Ed25519PrivateKey
    ) -> tuple[list[int], Checkpoint]:
        """Append (work_id, sha256, leaf JSON) entries and sign the new checkpoint. The
        tree's frontier is read in one query: every node the new leaves complete, and the
        new root, are made from it and from the new leaves."""
        head = s.scalar(select(LogHead).where(LogHead.id == 1).with_for_update())
        if head is None:
            raise LogError("the log head row is missing; run the migrations")
        known = self._frontier(s, head.size)
        indexes = []
        for work_id, sha256, leaf in entries:
            index = head.size
            s.add(LogEntry(idx=index, work_id=work_id, sha256=sha256, leaf=leaf))
            self._add_leaf(s, known, index, merkle.leaf_hash(leaf.encode()))
            head.size += 1
            indexes.append(index)
        root = merkle.root(lambda level, index: known[level, index], head.size)
        note = sign_note(self.origin, head.size, root, key)
        s.add(LogCheckpoint(size=head.size, root_hash=root.hex(), note=note, created_at=utcnow()))
        return indexes, Checkpoint(self.origin, head.size, root, note)

    @staticmethod
    def _frontier(s: Session, size: int) -> dict[tuple[int, int], bytes]:
        names = merkle.frontier(size)
        if not names:
            return {}
        rows = s.scalars(select(LogNode).where(tuple_(LogNode.level, LogNode.idx).in_(names)))
        known = {(row.level, row.idx): bytes.fromhex(row.hash) for row in rows}
        missing = [name for name in names if name not in known]
        if missing:
            raise LogError(f"the log has no node {missing[0]}")
        return known

    @staticmethod
    def _add_leaf(s: Session, known: dict[tuple[int, int], bytes], index: int, leaf: bytes) -> None:
        """Store the leaf hash and every subtree it completes."""
        s.add(LogNode(level=0, idx=index, hash=leaf.hex()))
        known[0, index] = leaf
        level, node = 0, leaf
        while index & 1:
            node = merkle.node_hash(known[level, index - 1], node)
            level, index = level + 1, index >> 1
            s.add(LogNode(level=level, idx=index, hash=node.hex()))
            known[level, index] = node

    def checkpoint(self, s: Session, size: int | None = None) -> Checkpoint | None:
        """The signed checkpoint of `size` (default: the latest), or None when none."""
        query = select(LogCheckpoint)
        query = (
            query.where(LogCheckpoint.size == size)
            if size is not None
            else (query.order_by(LogCheckpoint.size.desc()).limit(1))
        )
        row = s.scalar(query)
        if row is None:
            return None
        return Checkpoint(self.origin, row.size, bytes.fromhex(row.root_hash), row.note)

    def checkpoint_after(self, s: Session, index: int) -> Checkpoint | None:
        """The first checkpoint that includes leaf `index`: the one signed when it went in."""
        size = s.scalar(select(func.min(LogCheckpoint.size)).where(LogCheckpoint.size > index))
        return None if size is None else self.checkpoint(s, size)

    def size(self, s: Session) -> int:
        head = s.get(LogHead, 1)
        return 0 if head is None else head.size

    def entry(self, s: Session, index: int) -> LogEntry:
        row = s.get(LogEntry, index)
        if row is None:
            raise LogError(f"the log has no entry {index}")
        return row

    def entries_for(self, s: Session, sha256: str) -> list[LogEntry]:
        return list(s.scalars(select(LogEntry).where(LogEntry.sha256 == sha256)))

    def entries_for_work(self, s: Session, prefix: str) -> list[LogEntry]:
        """Entries of the work(s) whose id starts with `prefix` (a watermark's short id)."""
        query = select(LogEntry).where(LogEntry.work_id.startswith(prefix, autoescape=True))
        return list(s.scalars(query.order_by(LogEntry.idx)))

    def inclusion_proof(self, s: Session, index: int, size: int) -> list[bytes]:
        self._check_size(s, size)
        if not 0 <= index < size:
            raise LogError(f"entry {index} is not in the tree of size {size}")
        return merkle.inclusion_proof(self.nodes(s), index, size)

    def consistency_proof(self, s: Session, old: int, new: int) -> list[bytes]:
        self._check_size(s, new)
        if not 1 <= old <= new:
            raise LogError(f"no consistency proof from size {old} to {new}")
        return merkle.consistency_proof(self.nodes(s), old, new)

    def _check_size(self, s: Session, size: int) -> None:
        if not 1 <= size <= self.size(s):
            raise LogError(f"the log has no tree of size {size} (it has {self.size(s)} entries)")

    def audit(self, s: Session, certificates: list[x509.Certificate]) -> list[str]:
        """Recompute the whole tree from the stored leaves and check every stored node and
        signed checkpoint against it; returns the problems found (none: intact)."""
        tree = merkle.MemoryTree()
        problems = []
        for row in s.scalars(select(LogEntry).order_by(LogEntry.idx)):
            if row.idx != tree.size:
                problems.append(f"entry {tree.size} is missing")
                break
            for level, index, digest in tree.append(merkle.leaf_hash(row.leaf.encode())):
                stored = s.get(LogNode, (level, index))
                if stored is None or stored.hash != digest.hex():
                    problems.append(f"entry {row.idx}: stored node ({level}, {index}) differs")
        for point in s.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size)):
            if point.size > tree.size:
                problems.append(f"checkpoint {point.size} is beyond the {tree.size} entries")
                continue
            if merkle.root(tree.node, point.size).hex() != point.root_hash:
                problems.append(f"checkpoint {point.size}: the entries give another root")
            try:
                opened, _ = open_note(point.note, certificates)
            except ValueError as exc:
                problems.append(f"checkpoint {point.size}: {exc}")
                continue
            if (opened.size, opened.root.hex()) != (point.size, point.root_hash):
                problems.append(f"checkpoint {point.size}: the note says otherwise")
        if tree.size != self.size(s):
            problems.append(f"the head says {self.size(s)} entries; {tree.size} are stored")
        return problems
