"""What a screen found, and what the policy makes of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One reason to hold or refuse something: a category, the layer that saw it, where
    (a parameter path, or the file name of an output), how sure, and the evidence (the
    matched term, the nearest description, or the detector's label)."""

    category: str
    layer: str  # blocklist | profanity | semantic | language | image
    field: str
    score: float
    evidence: str
    review: bool = False  # held for review even where its category is blocked (against.py)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """The policy's answer: allow, flag (hold for review) or block, and why."""

    action: str
    findings: tuple[Finding, ...] = ()
    blocked_by: Finding | None = None  # the finding that decided a block

    @property
    def categories(self) -> list[str]:
        return sorted({f.category for f in self.findings})


ALLOW = Verdict("allow")
