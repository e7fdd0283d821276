"""Provenance: keys, C2PA manifests, the invisible watermark, the transparency log and
verification. The studio holds one `Provenance` and is its only caller."""

from atelier.provenance.log import LogError
from atelier.provenance.manifest import Claim, Ingredient
from atelier.provenance.service import Provenance, Sealed

__all__ = ["Claim", "Ingredient", "LogError", "Provenance", "Sealed"]
