"""The input pictures of the gallery's examples, from scikit-image's bundled sample photos.

    .venv/bin/python docs/examples/make_inputs.py

- photo-chelsea.jpg: the cat "Chelsea" (CC0, Stefan van der Walt), 451×300, as shipped.
- upscale-before.png: the same photo shrunk ×3 (area average) to 150×100.
- restore-damaged.jpg: the astronaut photo (NASA, public domain) at 384×384, faded to a
  yellowed print, with seeded scratches and dust (benchmarks/restore_quality.py's damage
  functions, so the example shows the damage that benchmark measures) and light grain.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as samples

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))

from restore_quality import add_scratches, fade  # noqa: E402


def main() -> None:
    cat = Image.fromarray(samples.chelsea())
    cat.save(HERE / "photo-chelsea.jpg", quality=92)
    cat.resize((150, 100), Image.Resampling.BOX).save(HERE / "upscale-before.png")

    rng = np.random.default_rng(7)
    astronaut = Image.fromarray(samples.astronaut()).resize((384, 384), Image.Resampling.LANCZOS)
    damaged, _ = add_scratches(fade(np.asarray(astronaut)), rng)
    grainy = np.clip(damaged + rng.normal(0, 6, damaged.shape), 0, 255).astype(np.uint8)
    Image.fromarray(grainy).save(HERE / "restore-damaged.jpg", quality=90)


if __name__ == "__main__":
    main()
