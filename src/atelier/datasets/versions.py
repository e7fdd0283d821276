"""Dataset versions: immutable, content-addressed manifests.

A version is a JSON manifest listing each cleaned item (name, sha256 of its normalised
bytes, the original's sha256, size, MIME type, rights, caption, figures, split), the
cleaning settings and report. Its id is the sha256 of the manifest's canonical JSON, so
the same items cleaned the same way are the same version, and a version whose bytes
changed no longer matches its id. Items are stored by their hash beside it; training
names a version and reads its items through `load`.

The train/validation split is fixed by each item's hash: an item is in validation when
its hash falls in the first `valid_percent` of the hash space, whichever other items
are in the set. (A set too small to get one that way gives validation its one item with
the lowest hash bucket, so a validation loss always exists.)
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from atelier.datasets.cleaning import Cleaned

FORMAT = "atelier.dataset/1"
VALID_PERCENT = 10


def bucket(sha256: str) -> int:
    """An item's place in the hash space, 0…9999."""
    return int(sha256[:8], 16) % 10_000


def splits(hashes: list[str], valid_percent: int = VALID_PERCENT) -> dict[str, str]:
    """{hash: "train" | "valid"} by hash alone (see the module's docstring)."""
    out = {h: "valid" if bucket(h) < valid_percent * 100 else "train" for h in hashes}
    if len(hashes) >= 2 and "valid" not in out.values():
        out[min(hashes, key=bucket)] = "valid"
    return out


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Version:
    id: str
    manifest: dict[str, Any]

    @property
    def items(self) -> list[dict[str, Any]]:
        return list(self.manifest["items"])

    def split(self, name: str) -> list[dict[str, Any]]:
        return [item for item in self.manifest["items"] if item["split"] == name]

    def rights_mix(self) -> dict[str, int]:
        return dict(Counter(item["rights"] for item in self.manifest["items"]))


def build(name: str, cleaned: Cleaned, valid_percent: int = VALID_PERCENT) -> Version:
    """The version of a cleaned collection (nothing written yet: see `save`)."""
    by_hash = {item.sha256: item for item in cleaned.items}  # clean() left no two alike
    placed = splits(list(by_hash), valid_percent)
    items = [
        {
            "name": item.name,
            "sha256": digest,
            "source_sha256": item.source_sha256,
            "bytes": len(item.data),
            "mime": item.mime,
            "rights": item.rights,
            "caption": item.caption,
            "meta": item.meta,
            "split": placed[digest],
        }
        for digest, item in sorted(by_hash.items())
    ]
    manifest = {
        "format": FORMAT,
        "name": name,
        "medium": cleaned.medium,
        "settings": cleaned.settings,
        "valid_percent": valid_percent,
        "cleaning": [
            {**asdict(step), "removed": [asdict(r) for r in step.removed]} for step in cleaned.steps
        ],
        "items": items,
    }
    return Version(hashlib.sha256(canonical(manifest)).hexdigest(), manifest)


def save(version: Version, cleaned: Cleaned, root: Path) -> Path:
    """Write the items (by hash, under root/items/) and the manifest (root/versions/ID.json);
    files are written whole or not at all, and an existing one is never changed."""
    for item in cleaned.items:
        _write_once(root / "items" / item.sha256, item.data)
    path = root / "versions" / f"{version.id}.json"
    _write_once(path, canonical(version.manifest))
    return path


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def load(root: Path, version_id: str) -> Version:
    """A saved version, checked against its id. ValueError when it was altered."""
    path = root / "versions" / f"{version_id}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no dataset version {version_id} in {root}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != version_id:
        raise ValueError(f"dataset version {version_id} was altered: its hash no longer matches")
    return Version(version_id, json.loads(data))


def read_item(root: Path, item: dict[str, Any]) -> bytes:
    """An item's normalised bytes, checked against their hash."""
    data = (root / "items" / item["sha256"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != item["sha256"]:
        raise ValueError(f"dataset item {item['name']} was altered: its hash no longer matches")
    return data
