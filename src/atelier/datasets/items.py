"""A client's files as dataset items: uploaded one by one or in a zip, each with the rights
its owner affirms.

A zip may say the rights item by item, in a `rights.csv` (columns `file,rights`, and
optionally `caption`) or a `manifest.json` (`{"rights": default, "items": [{"file": …,
"rights": …, "caption": …}]}`) at its root; items it does not name take the rights given
for the whole upload. The archive is inflated under caps (engines/bounds.py), sizes
counted while inflating."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import PurePosixPath

from atelier.engines.bounds import BoundedZip

# What an owner may affirm about an item, and whether works of a model trained on it may
# be sold. Anything not affirmed is "unknown", which keeps a model's works off the market.
RIGHTS = {
    "own_work": "the supplier's own work",
    "licensed": "licensed for training, commercial use included",
    "licensed_noncommercial": "licensed for training, non-commercial use only",
    "public_domain": "in the public domain",
    "unknown": "rights not affirmed",
}
COMMERCIAL_RIGHTS = frozenset({"own_work", "licensed", "public_domain"})
MANIFEST_NAMES = ("rights.csv", "manifest.json")
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 50_000_000
MAX_ZIP_BYTES = 2_000_000_000


@dataclass(frozen=True)
class Item:
    """One file as supplied: its name (path inside a zip, or the file name), bytes, the
    rights affirmed for it, and an optional caption (image LoRA training uses it)."""

    name: str
    data: bytes
    rights: str = "unknown"
    caption: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_rights(rights: str, where: str) -> str:
    """The rights value, or ValueError naming where it was given."""
    value = rights.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in RIGHTS:
        raise ValueError(f"{where}: rights {rights!r} is not one of {', '.join(RIGHTS)}")
    return value


def from_files(files: list[tuple[str, bytes]], rights: str = "unknown") -> list[Item]:
    """Uploaded files, all with the same affirmed rights."""
    value = check_rights(rights, "rights")
    return [Item(name, data, value) for name, data in files]


def from_zip(
    data: bytes,
    rights: str = "unknown",
    max_members: int = MAX_MEMBERS,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_ZIP_BYTES,
) -> list[Item]:
    """The files of a zip (folders, hidden files and the rights list itself left out),
    with rights from its rights list where it names them. ValueError for a damaged archive
    or a bad rights list; bounds.OverLimit past a cap."""
    default = check_rights(rights, "rights")
    with BoundedZip(data, max_members, max_member_bytes, max_total_bytes) as archive:
        listed: dict[str, tuple[str, str]] = {}
        lists = [n for n in archive.names if _is_rights_list(n)]
        if lists:
            found = min(
                lists, key=lambda n: (n.count("/"), MANIFEST_NAMES.index(PurePosixPath(n).name))
            )
            folder = found[: found.rfind("/") + 1]  # names in it are relative to its folder
            default, relative = _rights_list(found, archive.read(found), default)
            listed = {folder + name: value for name, value in relative.items()}
        items = []
        for name in archive.names:
            if name.endswith("/") or _is_rights_list(name) or _hidden(name):
                continue
            item_rights, caption = listed.get(name, (default, ""))
            items.append(Item(name, archive.read(name), item_rights, caption))
    unknown = sorted(set(listed) - {item.name for item in items})
    if unknown:
        raise ValueError(f"the rights list names files the archive lacks: {', '.join(unknown)}")
    return items


def _is_rights_list(name: str) -> bool:
    """rights.csv or manifest.json at the root, or in the one folder a zipped folder has."""
    path = PurePosixPath(name)
    return path.name in MANIFEST_NAMES and len(path.parts) <= 2


def _hidden(name: str) -> bool:
    """Hidden files and folders, and the resource forks macOS adds to zips."""
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def _rights_list(path: str, data: bytes, default: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """The default rights and {file: (rights, caption)} from rights.csv or manifest.json."""
    name = PurePosixPath(path).name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8 text") from None
    listed: dict[str, tuple[str, str]] = {}
    if name == "rights.csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"file", "rights"} <= set(reader.fieldnames):
            raise ValueError("rights.csv needs the columns file and rights")
        for line, row in enumerate(reader, start=2):
            where = f"rights.csv line {line}"
            value = check_rights(row["rights"] or "", where)
            listed[row["file"]] = (value, row.get("caption") or "")
        return default, listed
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"manifest.json is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("items", []), list):
        raise ValueError('manifest.json must be an object with an "items" list')
    if "rights" in manifest:
        default = check_rights(str(manifest["rights"]), "manifest.json rights")
    for index, entry in enumerate(manifest.get("items", [])):
        where = f"manifest.json items[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ValueError(f'{where}: each item needs a "file" name')
        value = check_rights(str(entry.get("rights", default)), where)
        listed[entry["file"]] = (value, str(entry.get("caption", "")))
    return default, listed
