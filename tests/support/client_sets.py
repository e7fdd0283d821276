"""Client collections the tests and benchmarks/training.py make: a house style of pictures,
a narrow style of melodies and a brand's voice, each as a zip with a rights list and with
duplicates, damaged files and an unsafe item mixed in. Generated here, from seeds, so no
model or test ever saw them before."""

from __future__ import annotations

import io
import random
import zipfile

import numpy as np
from PIL import Image, ImageDraw

PALETTE = [(200, 60, 40), (30, 60, 120), (230, 170, 40)]
UNSAFE_TEXT = "A poster saying immigrants are parasites who should be driven out of town."
UNSAFE_TITLE = "a man bleeding out after being shot"


def zipped(files: list[tuple[str, bytes]], rights_csv: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files:
            archive.writestr(name, data)
        if rights_csv is not None:
            archive.writestr("rights.csv", rights_csv)
    return out.getvalue()


# ---------------------------------------------------------------- pictures


def house_picture(seed: int, size: tuple[int, int] = (160, 128)) -> Image.Image:
    """The client's house style: bold discs of three colours, black outlines, on cream."""
    rng = np.random.default_rng(seed)
    picture = Image.new("RGB", size, (240, 220, 190))
    draw = ImageDraw.Draw(picture)
    for _ in range(14):
        x, y = (int(v) for v in rng.integers(-30, max(size), 2))
        r = int(rng.integers(size[0] // 12, size[0] // 3))
        colour = PALETTE[int(rng.integers(3))]
        draw.ellipse((x, y, x + r, y + r), fill=colour, outline=(20, 20, 20), width=3)
    return picture


def encoded(picture: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)
    return out.getvalue()


def picture_files(count: int = 8) -> list[tuple[str, bytes]]:
    """`count` house pictures and, mixed in: an exact copy, a smaller JPEG of one (a near
    duplicate), a truncated PNG, a picture too small, and a text file posing as a picture."""
    files = [(f"house/{i:02d}.png", encoded(house_picture(i))) for i in range(count)]
    files.append(("house/copy-of-03.png", files[3][1]))
    files.append(("house/03-small.jpg", encoded(house_picture(3).resize((120, 96)), "JPEG")))
    files.append(("house/cut.png", files[5][1][: len(files[5][1]) // 2]))
    files.append(("house/icon.png", encoded(house_picture(99, (40, 40)))))
    files.append(("house/notes.webp", b"not a picture at all"))
    return files


# ---------------------------------------------------------------- melodies

SCALE_G = ["G,", "A,", "B,", "D", "E", "G", "A", "B", "d", "e", "g"]
SCALE_D = ["D", "E", "F", "A", "B", "d", "e", "f", "a", "b", "d'"]  # the same, a fifth up


def tune(seed: int, title: str = "", key: str = "G", scale: list[str] = SCALE_G) -> bytes:
    """A tune in the client's narrow style: 3/4, pentatonic, stepwise, a held note ending
    each four-bar phrase, twelve bars."""
    rng = random.Random(seed)
    place, bars = rng.randrange(3, 8), []
    for bar in range(12):
        rhythm = ["3"] if bar % 4 == 3 else rng.choice([["2", "1"], ["1", "1", "1"], ["2", "1"]])
        notes = []
        for length in rhythm:
            place = max(0, min(len(scale) - 1, place + rng.choice([-1, -1, 1, 1, 0, 2, -2])))
            notes.append(scale[place] + ("" if length == "1" else length))
        bars.append(" ".join(notes))
    heading = title or f"Client tune {seed}"
    return f"X:{seed}\nT:{heading}\nM:3/4\nL:1/4\nK:{key}\n{' | '.join(bars)} |]\n".encode()


def melody_files(count: int = 24) -> list[tuple[str, bytes]]:
    """`count` tunes and, mixed in: an exact copy, one transposed a fifth up (a near
    duplicate), a damaged MIDI file, a tune too short, and a tune with an unsafe title."""
    files = [(f"tunes/{i:02d}.abc", tune(i)) for i in range(count)]
    files.append(("tunes/copy-of-04.abc", files[4][1]))
    files.append(("tunes/05-in-D.abc", tune(5, key="D", scale=SCALE_D)))
    files.append(
        ("tunes/broken.mid", b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x10")
    )
    files.append(("tunes/short.abc", b"X:1\nT:Short\nM:3/4\nL:1/4\nK:G\nG A B |]\n"))
    files.append(("tunes/unsafe.abc", tune(1000, title=UNSAFE_TITLE)))
    return files


# ---------------------------------------------------------------- texts

THINGS = [
    "kettle",
    "lantern",
    "rope",
    "sea chest",
    "compass",
    "oilskin coat",
    "tide table",
    "brass barometer",
    "harbour bell",
    "fishing net",
    "deck brush",
    "storm lamp",
]
OPENINGS = [
    "Ahoy, shipmate!",
    "Ahoy there, shipmate!",
    "Ahoy, friend of the tide!",
    "Well blow me down, shipmate!",
    "Good morrow from the quay, shipmate!",
]
MADE = [
    "Our {a} comes to you straight from the salt-crusted workshop on Pier Nine.",
    "This {a} was hammered into shape by old Tom in the loft above the chandlery.",
    "We ship every {a} from the quay the morning after the herring boats come in.",
    "Each {a} is finished by hand and checked twice by the harbour master's niece.",
    "The {a} you see here has crossed the bay in our own leaky dinghy, and come back dry.",
]
PRAISE = [
    "It has weathered more northerly gales than a {b} ever will.",
    "It shrugs off spray, gales and clumsy deckhands alike.",
    "Sailors from Mull to Mousehole swear by it, and they swear a great deal.",
    "It is sturdy as a bollard and twice as handsome, if we may say so.",
    "Keep it beside your {b} and you will never be caught short in a squall.",
    "No barnacle has ever got the better of it, and none ever will.",
]
ADVICE = [
    "Mind the tide, trust your {a}, and sail home smiling.",
    "Stow it dry, oil it at the turn of the season, and it will outlast the boat.",
    "Give it a rub of tallow come autumn and it will serve your grandchildren.",
    "Hang it by the hatch where the skipper can see it.",
]
CLOSINGS = [
    "Fair winds from all of us at Barnacle & Brine!",
    "Fair winds and full sails, from Barnacle & Brine!",
    "Yours from the quayside, the crew of Barnacle & Brine.",
    "Drop anchor at Barnacle & Brine any day but Sunday.",
]


def brand_text(seed: int) -> str:
    """Copy in the client's voice: a chandlery that writes like an old sailor."""
    rng = random.Random(seed)
    a, b = rng.sample(THINGS, 2)
    parts = [
        rng.choice(OPENINGS),
        rng.choice(MADE),
        *rng.sample(PRAISE, 2),
        rng.choice(ADVICE),
        rng.choice(CLOSINGS),
    ]
    return " ".join(parts).format(a=a, b=b)


def text_files(count: int = 10) -> list[tuple[str, bytes]]:
    """`count` texts (most as .txt, three in a JSONL with a broken line) and, mixed in: the
    same text in another Unicode form (an exact duplicate once normalised), one with a word
    changed (a near duplicate), an unsafe text, and a file that is not UTF-8."""
    texts = [brand_text(i) for i in range(count)]
    files = [(f"copy/{i:02d}.txt", t.encode()) for i, t in enumerate(texts[:-3])]
    lines = [f'{{"text": "{t}"}}' for t in texts[-3:]]
    files.append(("copy/more.jsonl", ("\n".join(lines[:2]) + "\n{broken\n" + lines[2]).encode()))
    cafe = "Café Brine serves the crew coffee and a kind word every morning at the quay."
    files.append(("copy/cafe.txt", cafe.encode()))
    files.append(("copy/cafe-nfd.md", cafe.replace("é", "e\u0301").encode()))
    files.append(("copy/02-again.txt", (texts[2] + " Aye, aye!").encode()))
    files.append(("copy/unsafe.txt", UNSAFE_TEXT.encode()))
    files.append(
        ("copy/latin1.txt", "Ça va, matelot? Très bien, merci beaucoup.".encode("latin-1"))
    )
    return files
