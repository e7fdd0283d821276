"""Datasets: a client's zip of pictures, melodies or texts with duplicates, damaged files
and an unsafe item mixed in, cleaned by the real readers and the real safety screen; the
card lists every removal with its reason; versions are content-addressed and split by
hash."""

from __future__ import annotations

import io
import json
import re
import struct
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from atelier.datasets import card, items, versions
from atelier.datasets.cleaning import Cleaned, Decoded, clean
from atelier.datasets.images import ImageMedium, perceptual_hash
from atelier.datasets.melodies import MelodyMedium, piece_from_json
from atelier.datasets.texts import TextMedium
from atelier.engines.bounds import OverLimit
from tests.support import client_sets as cs

Screen = Callable[[Decoded], str | None]


@pytest.fixture(scope="module")
def screen() -> Screen:
    """The studio's screen as it would pass it: safety's text screen under the default
    policy; anything it would hold or refuse stays out of a training set."""
    from atelier.safety import policy
    from atelier.safety.categories import CATEGORIES
    from atelier.safety.service import OUTPUT_TEXT_CATEGORIES, OUTPUT_TEXT_LAYERS
    from atelier.safety.text import LAYERS, TextScreen

    text_screen = TextScreen(threads=1)
    defaults = {c.name: c.default for c in CATEGORIES}

    def check(decoded: Decoded) -> str | None:
        if not decoded.text:
            return None
        # A document is read as prose (the layers and categories of a text engine's
        # output); a tune's title as a request.
        prose = isinstance(decoded.content, str)
        layers = OUTPUT_TEXT_LAYERS if prose else LAYERS
        found = text_screen.screen({decoded.name: decoded.text}, layers)
        if prose:
            found = [f for f in found if f.category in OUTPUT_TEXT_CATEGORIES]
        verdict = policy.decide(found, defaults)
        return None if verdict.action == "allow" else f"{verdict.action}: {verdict.categories}"

    return check


def removals(cleaned: Cleaned) -> dict[str, tuple[str, str]]:
    return {r.item: (r.reason, r.detail) for r in cleaned.removed}


def test_pictures_are_cleaned_step_by_step_and_the_card_lists_each_removal() -> None:
    rights = "file,rights\nhouse/00.png,public domain\nhouse/01.png,unknown\n"
    supplied = items.from_zip(cs.zipped(cs.picture_files(), rights), "own_work")
    cleaned = clean(ImageMedium(size=64), supplied)
    out = removals(cleaned)
    assert out["house/cut.png"][0] == "undecodable" and "truncated" in out["house/cut.png"][1]
    assert out["house/notes.webp"][0] == "undecodable"
    assert out["house/icon.png"] == ("size", "40×40 px; both sides need at least 64")
    assert out["house/copy-of-03.png"] == ("duplicate", "the same as house/03.png")
    assert (
        out["house/03.png"][0] == "near-duplicate"
        and "house/03-small.jpg" in out["house/03.png"][1]
    )
    assert len(out) == 5
    assert [(s.step, s.before, s.after) for s in cleaned.steps] == [
        ("decode", 13, 11),
        ("size", 11, 10),
        ("exact", 10, 9),
        ("near", 9, 8),
        ("normalise", 8, 8),
    ]
    for item in cleaned.items:  # normalised: 64×64 sRGB PNG
        with Image.open(io.BytesIO(item.data)) as picture:
            assert (picture.format, picture.mode, picture.size) == ("PNG", "RGB", (64, 64))
    version = versions.build("house", cleaned)
    data = card.card(version)
    assert data["rights"] == {"public_domain": 1, "unknown": 1, "own_work": 6}
    assert data["commercial_use"] is False  # one item's rights are unknown
    text = card.markdown(data)
    for name, (reason, detail) in out.items():
        assert f"| {name} | {reason} | {detail} |" in text
    assert "| undecodable or truncated files | 13 | 11 | 2 |" in text
    svgs = card.plots(data)
    assert set(svgs) == {"sizes.svg", "colours.svg"}
    assert all(svg.startswith(b"<?xml") and b"<script" not in svg for svg in svgs.values())


def adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 display profile with Adobe RGB (1998)'s primaries (D50-adapted)
    and gamma 2.2: a colour space wider than sRGB, written byte by byte."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)),
        (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)),
        (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)),
        *((name, curve) for name in (b"rTRC", b"gTRC", b"bTRC")),
    ]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for name, data in tags:
        table += name + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", offset + len(body))
        + b"\0" * 4
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + body


def test_photos_are_turned_upright_and_converted_to_srgb() -> None:
    """A phone photo stored sideways (EXIF orientation 6) comes out upright; a picture in
    Adobe RGB is converted to sRGB (its green, outside sRGB, is mapped into it)."""
    from PIL import ImageCms

    picture = Image.new("RGB", (120, 80), (255, 255, 255))
    picture.paste((200, 0, 0), (0, 0, 120, 20))  # a red band along the top, as seen
    sideways = picture.transpose(Image.Transpose.ROTATE_90)  # stored turned, tag says 6
    exif = Image.Exif()
    exif[0x0112] = 6
    phone = cs.encoded(sideways, "JPEG", exif=exif.tobytes(), quality=95)
    green = Image.new("RGB", (80, 80), (40, 200, 60))
    wide_picture, plain_picture = cs.house_picture(1, (80, 80)), cs.house_picture(2, (80, 80))
    for picture in (wide_picture, plain_picture):  # two pictures, one green square in both
        picture.paste((40, 200, 60), (20, 20, 60, 60))
    wide = cs.encoded(wide_picture, "PNG", icc_profile=adobe_rgb_profile())
    plain = cs.encoded(plain_picture, "PNG")
    tiff = cs.encoded(green, "TIFF")
    supplied = [
        items.Item("phone.jpg", phone),
        items.Item("wide.png", wide),
        items.Item("plain.png", plain),
        items.Item("scan.tif", tiff),
    ]
    cleaned = clean(ImageMedium(size=64, min_side=32), supplied)
    out = {i.name: np.asarray(Image.open(io.BytesIO(i.data))) for i in cleaned.items}
    top, bottom = out["phone.jpg"][:8].mean(axis=(0, 1)), out["phone.jpg"][-8:].mean(axis=(0, 1))
    assert top[0] > 150 and top[1] < 60  # red on top: upright
    assert bottom.min() > 200  # white below
    converted = ImageCms.profileToProfile(
        green,
        ImageCms.ImageCmsProfile(io.BytesIO(adobe_rgb_profile())),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    )
    assert converted is not None
    expected = converted.getpixel((0, 0))
    assert tuple(out["wide.png"][32, 32]) == expected == (0, 201, 37)
    assert tuple(out["plain.png"][32, 32]) == (40, 200, 60)  # no profile: read as sRGB
    assert removals(cleaned)["scan.tif"] == ("undecodable", "image/tiff is not PNG, JPEG or WebP")


def test_melodies_are_cleaned_and_normalised_to_the_reference_key(screen: Screen) -> None:
    supplied = items.from_zip(cs.zipped(cs.melody_files()), "licensed")
    cleaned = clean(MelodyMedium(), supplied, screen=screen)
    out = removals(cleaned)
    assert out["tunes/broken.mid"] == ("undecodable", "the MIDI file is damaged or cut short")
    assert out["tunes/short.abc"] == ("size", "3 notes; a melody needs at least 8")
    assert out["tunes/copy-of-04.abc"] == ("duplicate", "the same as tunes/04.abc")
    # the same tune a fifth higher, in D: interval-and-rhythm shingles find it
    assert (
        out["tunes/05.abc"][0] == "near-duplicate" and "tunes/05-in-D.abc" in out["tunes/05.abc"][1]
    )
    assert out["tunes/unsafe.abc"][0] == "unsafe" and "violence" in out["tunes/unsafe.abc"][1]
    assert len(out) == 5 and len(cleaned.items) == 24
    pieces = {i.name: piece_from_json(i.data) for i in cleaned.items}
    assert {p.key for p in pieces.values()} == {"C major"}  # G and D major, transposed
    assert {p.meter for p in pieces.values()} == {"3/4"}
    moved = pieces["tunes/05-in-D.abc"].parts[0].notes
    assert all(n.duration in (Fraction(1), Fraction(2), Fraction(3)) for n in moved)
    data = card.card(versions.build("tunes", cleaned))
    assert data["figures"]["keys"] == {"G major": 23, "D major": 1}
    assert data["figures"]["meters"] == {"3/4": 24}
    assert set(card.plots(data)) == {"pitch_range.svg", "keys.svg", "meters.svg"}


def test_texts_are_cleaned_and_normalised(screen: Screen) -> None:
    supplied = items.from_zip(cs.zipped(cs.text_files()), "unknown")
    cleaned = clean(TextMedium(), supplied, screen=screen)
    out = removals(cleaned)
    assert out["copy/latin1.txt"] == ("undecodable", "not UTF-8 text (byte 0)")
    assert out["copy/more.jsonl#3"][0] == "undecodable"
    assert out["copy/cafe.txt"] == ("duplicate", "the same as copy/cafe-nfd.md")  # NFC
    assert out["copy/02.txt"][0] == "near-duplicate"
    assert out["copy/unsafe.txt"] == ("unsafe", "block: ['hate']")
    assert len(out) == 5
    kept = {i.name: i.data.decode() for i in cleaned.items}
    assert "copy/more.jsonl#1" in kept and "copy/more.jsonl#4" in kept
    assert kept["copy/cafe-nfd.md"].startswith("Café") and "e\u0301" not in kept["copy/cafe-nfd.md"]
    assert [(s.step, s.before, s.after) for s in cleaned.steps][0] == ("decode", 16, 14)
    data = card.card(versions.build("voice", cleaned))
    assert data["figures"]["total_words"] == sum(len(re.findall(r"\w+", t)) for t in kept.values())
    assert set(card.plots(data)) == {"lengths.svg"}


def test_items_already_published_by_someone_else_are_removed() -> None:
    files = cs.picture_files(4)[:4]
    known = {items.Item(*files[1]).sha256: "@ana"}
    resized = cs.encoded(cs.house_picture(2).resize((150, 120)), "PNG")
    known_phash = {perceptual_hash(resized): "@ben"}  # the gallery holds a resized copy

    def published(sha256: str, phash: str | None) -> str | None:
        return known.get(sha256) or known_phash.get(phash or "")

    cleaned = clean(ImageMedium(size=64), items.from_files(files, "own_work"), published=published)
    assert removals(cleaned) == {
        "house/01.png": ("published", "already published by @ana"),
        "house/02.png": ("published", "already published by @ben"),
    }


def test_rights_lists_in_a_zip() -> None:
    pictures = [
        ("set/a.png", cs.encoded(cs.house_picture(1))),
        ("set/b.png", cs.encoded(cs.house_picture(2))),
    ]
    manifest = {
        "rights": "licensed",
        "items": [{"file": "a.png", "rights": "own_work", "caption": "discs"}],
    }
    archive = cs.zipped([*pictures, ("set/manifest.json", json.dumps(manifest).encode())])
    found = {i.name: (i.rights, i.caption) for i in items.from_zip(archive)}
    assert found == {"set/a.png": ("own_work", "discs"), "set/b.png": ("licensed", "")}
    bad = cs.zipped(pictures, "file,rights\nset/a.png,mine\n")
    with pytest.raises(ValueError, match="rights.csv line 2: rights 'mine' is not one of"):
        items.from_zip(bad)
    missing = cs.zipped(pictures, "file,rights\nset/c.png,own_work\n")
    with pytest.raises(ValueError, match="names files the archive lacks: set/c.png"):
        items.from_zip(missing)
    with pytest.raises(OverLimit, match="holds 3 files; the limit is 2"):
        items.from_zip(cs.zipped(pictures, "file,rights\n"), max_members=2)


def test_versions_are_content_addressed_and_split_by_hash(tmp_path: Path) -> None:
    files = cs.picture_files(12)[:12]
    first = clean(ImageMedium(size=32, min_side=32), items.from_files(files, "own_work"))
    version = versions.build("house", first)
    again = versions.build(
        "house", clean(ImageMedium(size=32, min_side=32), items.from_files(files[::-1], "own_work"))
    )
    assert again.id == version.id  # the same items cleaned the same way: the same version
    assert {i["split"] for i in version.items} == {"train", "valid"}
    # adding items never moves an item between splits
    more = clean(
        ImageMedium(size=32, min_side=32), items.from_files(cs.picture_files(20)[:20], "own_work")
    )
    bigger = {i["sha256"]: i["split"] for i in versions.build("house", more).items}
    assert all(bigger[i["sha256"]] == i["split"] for i in version.items)
    other = versions.build(
        "house", clean(ImageMedium(size=32, min_side=32), items.from_files(files[:11], "own_work"))
    )
    assert other.id != version.id
    path = versions.save(version, first, tmp_path)
    loaded = versions.load(tmp_path, version.id)
    assert loaded.manifest == version.manifest
    item = loaded.items[0]
    assert versions.read_item(tmp_path, item)[:8] == b"\x89PNG\r\n\x1a\n"
    path.write_bytes(path.read_bytes().replace(b'"own_work"', b'"licensed"'))
    with pytest.raises(ValueError, match="was altered"):
        versions.load(tmp_path, version.id)


def test_inputs_that_normalise_to_the_same_bytes_are_one_item() -> None:
    """With near-duplicate search off, a picture and its lossless WebP copy still reach
    normalisation, where they become the same PNG: the later is removed there."""
    picture = cs.house_picture(7)
    supplied = [
        items.Item("a.png", cs.encoded(picture)),
        items.Item("b.webp", cs.encoded(picture, "WEBP", lossless=True)),
    ]
    cleaned = clean(ImageMedium(size=64, near_bits=-1), supplied)
    assert [i.name for i in cleaned.items] == ["a.png"]
    assert removals(cleaned) == {"b.webp": ("duplicate", "the same as a.png once normalised")}
    assert versions.build("pair", cleaned).manifest["cleaning"][-1]["after"] == 1
