"""Merkle-tree hashing and proofs exactly as RFC 6962 / RFC 9162 §2.1 define them.

Pure functions over a `Nodes` source, so the same code serves the database-backed log
and an in-memory tree. A node is named by (level, index): level 0 holds leaf hashes,
and node (L, i) covers leaves [i·2^L, (i+1)·2^L). Only complete (perfect) subtrees are
ever stored; every other hash a proof needs is computed from at most log2(n) of them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

Nodes = Callable[[int, int], bytes]  # (level, index) -> hash of a complete subtree

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """HASH(0x00 || data): the 0x00/0x01 prefixes stop a leaf passing for a node."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(nodes: Nodes, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range that RFC 9162's recursion produces (start is aligned
    to the largest power of two not above end - start)."""
    width = end - start
    if width == 0:
        return EMPTY_ROOT
    if width & (width - 1) == 0:
        level = width.bit_length() - 1
        return nodes(level, start >> level)
    k = _split(width)
    return node_hash(subtree_hash(nodes, start, start + k), subtree_hash(nodes, start + k, end))


def root(nodes: Nodes, size: int) -> bytes:
    return subtree_hash(nodes, 0, size)


def frontier(size: int) -> list[tuple[int, int]]:
    """The complete subtrees a tree of `size` leaves is made of, largest first, as
    (level, index): all its root, and the nodes the next leaf completes, are made from."""
    found, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, start >> level))
            start += 1 << level
    return found


def inclusion_proof(nodes: Nodes, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf-side sibling first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(nodes, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(nodes, start, start + k))
            start += k
    return path[::-1]


def consistency_proof(nodes: Nodes, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (empty when m == n or m == 0)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, complete = 0, new_size, True
    while old_size != end:
        k = _split(end - start)
        if old_size - start <= k:
            path.append(subtree_hash(nodes, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(nodes, start, start + k))
            start += k
            complete = False
    if not complete:
        path.append(subtree_hash(nodes, start, end))
    return path[::-1]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `path` lead from leaf hash `leaf` at `index` to the root?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, expected_root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `new_size` an append-only extension of the old?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and hmac.compare_digest(old_root, new_root)
    if old_size == 0:
        return not path
    if not path:
        return False
    proof = list(path)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        proof.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


class MemoryTree:
    """An in-memory tree over the same node scheme: the reference for tests and audits."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; returns every node completed by it, (level, index, hash)."""
        made = [(0, self.size, leaf)]
        self.levels[0].append(leaf)
        level, index = 0, self.size - 1
        while index & 1:
            left = self.levels[level][index - 1]
            parent = node_hash(left, self.levels[level][index])
            level, index = level + 1, index >> 1
            if len(self.levels) == level:
                self.levels.append([])
            self.levels[level].append(parent)
            made.append((level, index, parent))
        return made

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]
