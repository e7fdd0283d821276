"""The galleries the create forms choose styles, instruments and music styles from, and
their samples: each rendered once (engines/galleries.py) and kept in the data folder
(`choices/v<VERSION>/`), at set-up (`atelier prepare`) or on its first request; nothing is
downloaded. A client's house style gets its swatch when its training finishes
(Models.keep) or, for one trained before, on its first request."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from atelier.engines import galleries
from atelier.engines.base import EngineError
from atelier.engines.galleries import Choice
from atelier.engines.music.render import render_problem
from atelier.errors import NotFound
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore

EXTENSIONS = {galleries.PICTURE: ".webp", galleries.SOUND: ".mp3"}


class Choices:
    def __init__(self, settings: Settings, artifacts: ArtifactStore) -> None:
        self.folder = settings.data_dir / "choices" / f"v{galleries.VERSION}"
        self.artifacts = artifacts
        self._lock = threading.Lock()  # one render at a time: the same sample is made once
        self._known = frozenset(galleries.samples())

    def choices(self, gallery: str) -> list[Choice]:
        return galleries.choices(gallery)

    def sounds_problem(self) -> str | None:
        """Why sound samples cannot be made here (FluidSynth or its soundfont missing)."""
        return render_problem()

    def sample(self, name: str) -> tuple[Path, str]:
        """A sample's file and media type, made now if it was not made before."""
        if name not in self._known:
            raise NotFound("no sample %(name)s", field="sample", params={"name": repr(name)})
        mime = galleries.media_type(name)
        problem = self.sounds_problem() if mime == galleries.SOUND else None
        if problem is not None:
            raise NotFound(
                "the sample %(name)s cannot be made here: %(problem)s",
                field="sample",
                params={"name": repr(name), "problem": problem},
            )
        try:
            return self._kept(name + EXTENSIONS[mime], lambda: galleries.render(name)), mime
        except EngineError as exc:
            raise NotFound(
                "the sample %(name)s cannot be made here: %(exc)s",
                params={"name": repr(name), "exc": exc},
            ) from None

    def house_style(self, weights_sha256: str) -> Path:
        """The swatch of a house style (its weights: the style's JSON, training/style.py)."""

        def paint() -> bytes:
            from atelier.engines.image import swatches
            from atelier.engines.image.stylize import read_style

            try:
                vector = read_style(self.artifacts.staged(weights_sha256))
            except (FileNotFoundError, json.JSONDecodeError, KeyError, EngineError) as exc:
                raise NotFound(
                    "no house style %(weights_sha256)s: %(exc)s",
                    params={"weights_sha256": weights_sha256[:12], "exc": exc},
                ) from None
            return swatches.webp(swatches.house_style(vector))

        return self._kept(f"house-style-{weights_sha256}.webp", paint)

    def render_all(self, on_done: Callable[[str, float], None] = lambda n, s: None) -> int:
        """Every gallery's samples made now (those not kept already); `on_done(name,
        seconds)` after each. Sounds are left out where they cannot be made. Returns how
        many were made."""
        made = 0
        for name in sorted(self._known):
            path = self.folder / (name + EXTENSIONS[galleries.media_type(name)])
            if path.exists():
                continue
            if galleries.media_type(name) == galleries.SOUND and self.sounds_problem():
                continue
            started = time.monotonic()
            self.sample(name)
            on_done(name, time.monotonic() - started)
            made += 1
        return made

    def _kept(self, filename: str, make: Callable[[], bytes]) -> Path:
        """The kept file, made by `make` and written whole (a temporary file renamed) the
        first time it is asked for."""
        path = self.folder / filename
        if path.exists():
            return path
        with self._lock:
            if not path.exists():
                data = make()
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{filename}.{os.getpid()}.partial")
                partial.write_bytes(data)
                os.replace(partial, path)
        return path
