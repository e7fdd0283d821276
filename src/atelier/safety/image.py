"""The image screen: NudeNet's ONNX detector (the optional `nsfw` extra; its wheel
carries an AGPL-3.0 licence) finds exposed body parts in a generated image. Without it,
images pass unscreened and the admin pages say so."""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np
from PIL import Image

from atelier import optional_parts
from atelier.safety.findings import Finding

# NudeNet labels that make an image sexual content, and the least score that counts
# (its own floor is 0.2, where a cup of coffee can read as BUTTOCKS_EXPOSED).
EXPOSED = {
    "FEMALE_GENITALIA_EXPOSED": 0.5,
    "MALE_GENITALIA_EXPOSED": 0.5,
    "ANUS_EXPOSED": 0.5,
    "FEMALE_BREAST_EXPOSED": 0.5,
    "BUTTOCKS_EXPOSED": 0.5,
}
MAX_SIDE = 1280  # the detector looks at 320 px; decoding a huge image whole is waste


class ImageScreen:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detector: Any = None

    @staticmethod
    def unavailable() -> str | None:
        """Why images are not screened here, or None."""
        if optional_parts.installed("nudenet") is None:
            return "nudenet is not installed (the opt-in nsfw extra, AGPL-3.0: make run LOCK=nsfw)"
        return None

    def detect(self, data: bytes) -> list[dict[str, Any]]:
        """NudeNet's detections: [{"class", "score", "box"}], or [] for an unreadable file."""
        try:
            with Image.open(io.BytesIO(data)) as opened:
                picture = opened.convert("RGBA")
        except (OSError, ValueError):
            return []
        picture.thumbnail((MAX_SIDE, MAX_SIDE))
        with self._lock:
            if self._detector is None:
                from nudenet import NudeDetector

                self._detector = NudeDetector()
            # An RGBA array: NudeNet converts RGBA to BGR itself.
            return list(self._detector.detect(np.asarray(picture)))

    def findings(self, name: str, data: bytes) -> list[Finding]:
        found = [
            d for d in self.detect(data) if d["score"] >= EXPOSED.get(d["class"], float("inf"))
        ]
        if not found:
            return []
        top = max(found, key=lambda d: d["score"])
        return [Finding("sexual", "image", name, round(float(top["score"]), 3), top["class"])]
