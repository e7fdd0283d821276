"""The diffusers model folders an operator put in ATELIER_MODELS_DIR, each with its licence.

No torch here: listing engines and checking availability must stay cheap."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from atelier.engines.base import ModelCard

DECLARATION = "atelier.json"
UNDECLARED = "as provided by the operator"
# Files that describe a model but do not change its pixels: left out of its fingerprint.
NOT_WEIGHTS = {DECLARATION, "README.md"}


class Declaration(BaseModel):
    """What an operator states about a model folder in its `atelier.json`."""

    model_config = ConfigDict(extra="forbid")

    licence: str = Field(min_length=1, max_length=500)
    commercial_use: StrictBool
    source: str | None = Field(None, max_length=500)
    version: str | None = Field(None, min_length=1, max_length=100)


@dataclass(frozen=True)
class ModelFolder:
    name: str
    path: Path
    pipeline: str  # the diffusers pipeline class named in model_index.json
    components: tuple[str, ...]  # its parts: unet, vae, safety_checker…
    card: ModelCard


def find_models(models_dir: Path | None) -> list[ModelFolder]:
    """Every child folder of `models_dir` holding a `model_index.json`, by name."""
    if models_dir is None or not models_dir.is_dir():
        return []
    return [
        read_folder(child)
        for child in sorted(models_dir.iterdir())
        if (child / "model_index.json").is_file()
    ]


def read_folder(folder: Path) -> ModelFolder:
    try:
        index = json.loads((folder / "model_index.json").read_text())
        pipeline = str(index.get("_class_name", "unknown pipeline"))
        components = tuple(key for key in index if not key.startswith("_"))
    except (OSError, ValueError, AttributeError):
        pipeline, components = "unreadable model_index.json", ()
    card = ModelCard(
        name=folder.name,
        version=fingerprint(folder),
        licence=UNDECLARED,
        source=f"operator's model folder ({pipeline})",
        commercial_use=False,
    )
    declared, problem = read_declaration(folder)
    if declared is not None:
        card.licence, card.commercial_use = declared.licence, declared.commercial_use
        card.version = declared.version or card.version
        card.source = declared.source or card.source
    else:
        found = readme_licence(folder)
        if found:
            card.licence = f"{found} (from the model's README)"
        if problem:
            card.licence += f"; {DECLARATION} ignored: {problem}"
    return ModelFolder(folder.name, folder, pipeline, components, card)


def read_declaration(folder: Path) -> tuple[Declaration | None, str | None]:
    """The operator's `atelier.json`, or None and why it could not be used."""
    path = folder / DECLARATION
    if not path.is_file():
        return None, None
    try:
        return Declaration.model_validate_json(path.read_bytes()), None
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        ]
        return None, "; ".join(problems)
    except OSError as exc:
        return None, str(exc)


def readme_licence(folder: Path) -> str | None:
    """The `license:` of a Hugging Face model card's front matter (`license_name` for "other")."""
    try:
        text = (folder / "README.md").read_text(errors="replace")
    except OSError:
        return None
    front = re.match(r"---\s*\n(.*?)\n---", text, re.S)
    if front is None:
        return None
    fields = {
        key: value.strip().strip("'\"")
        for key, value in re.findall(r"^(license|license_name):(.*)$", front.group(1), re.M)
    }
    licence = fields.get("license") or None
    if licence == "other" and fields.get("license_name"):
        return fields["license_name"]
    return licence


def fingerprint(folder: Path) -> str:
    """A short hash of the folder's file names, JSON configs and weight file sizes: it changes
    when the model is replaced, without reading gigabytes of weights."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.as_posix() in NOT_WEIGHTS:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        if path.suffix == ".json":
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
