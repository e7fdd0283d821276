"""The text model: one runtime, two backends.

- `LlamaCppModel` runs a GGUF in this process with llama-cpp-python (the default: the
  packaged Gemma 3 270M, or any GGUF path).
- `OpenAIServerModel` sends the same completion requests to any OpenAI-compatible server
  (vLLM, llama.cpp's server, Ollama) by URL: the scale-out path.

Both stream text as it is written and take the same sampling settings. Prompts are
completion-style (the default model is a base model, not a chat model), so both backends
use the plain completions endpoint, never a chat template. A model is loaded once per
process (`text_model`) and shared by the text engines; a job holds it through `session()`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from atelier.engines.base import EngineConfig, usable_cpus

PACKAGED_GGUF = "text/gemma-3-270m-q4_k_m.gguf"  # under the assets folder, made by prepare()
SERVER_CHARS_PER_TOKEN = 3.0  # a cautious guess where the server's tokenizer is out of reach

OnText = Callable[[str], None]


@dataclass(frozen=True)
class Sampling:
    """How to draw the next tokens; `stop` ends the text at the first of these strings."""

    max_tokens: int
    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    stop: tuple[str, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str  # "stop" (a stop string or the end of text) or "length"
    prompt_tokens: int
    tokens: int
    seconds: float
    first_token_seconds: float


class TextModelError(Exception):
    """The model or its server failed; the text says what happened, for the user."""


class ContextTooLong(TextModelError):
    """The prompt and the text to write do not fit in the model's context window."""

    def __init__(self, prompt_tokens: int, max_tokens: int, context: int) -> None:
        super().__init__(
            f"{prompt_tokens} prompt tokens + {max_tokens} to write exceed the context window "
            f"of {context} tokens"
        )
        self.prompt_tokens, self.max_tokens, self.context = prompt_tokens, max_tokens, context


Complete = Callable[[str, Sampling, OnText | None], Completion]


@dataclass(frozen=True)
class TextModelSpec:
    """Which model to run: a GGUF in-process, or (`server_url` set) an OpenAI server."""

    gguf: Path | None = None
    server_url: str = ""
    server_model: str = ""
    server_key: str = ""
    context: int = 4096
    threads: int = 0

    @classmethod
    def from_config(cls, config: EngineConfig) -> TextModelSpec:
        if config.text_server_url:
            return cls(
                server_url=config.text_server_url.rstrip("/"),
                server_model=config.text_server_model,
                server_key=config.text_server_key,
                context=config.text_context,
            )
        return cls(
            gguf=config.text_model or config.assets_dir / PACKAGED_GGUF,
            context=config.text_context,
            threads=config.threads,
        )


class TextModel(ABC):
    context: int
    name: str

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens in `text` as a prompt (exact in-process; estimated for a server)."""

    @abstractmethod
    def _complete(self, prompt: str, sampling: Sampling, on_text: OnText | None) -> Completion:
        """Write after `prompt`; `on_text` is called with the text so far as it grows."""

    @abstractmethod
    def next_words(self, text: str) -> dict[str, float]:
        """Log-probabilities of the words (lower case) that may come next after `text`: all
        of them in-process, the top few from a server."""

    @contextlib.contextmanager
    def session(self) -> Iterator[Complete]:
        """Holds the model for one job; yields its `complete` function."""
        yield self._complete

    def check_fits(self, prompt_tokens: int, max_tokens: int) -> None:
        if prompt_tokens + max_tokens > self.context:
            raise ContextTooLong(prompt_tokens, max_tokens, self.context)


class LlamaCppModel(TextModel):
    """A GGUF run in this process. One llama.cpp context serves one job at a time."""

    def __init__(self, path: Path, context: int = 4096, threads: int = 0) -> None:
        from llama_cpp import Llama

        # llama-cpp-python's own default is half the CPUs: half the speed on a small machine.
        threads = threads or usable_cpus()
        self.name, self.context, self.path, self.threads = path.stem, context, path, threads
        self._lock = threading.RLock()
        self._words: tuple[np.ndarray, np.ndarray, list[str]] | None = None
        try:
            # swa_full: Gemma 3 attends to a sliding window on most layers; a full-size cache
            # for those layers lets a job's later drafts reuse the prompt already read.
            self.llm = Llama(
                model_path=str(path),
                n_ctx=context,
                n_threads=threads,
                n_threads_batch=threads,
                swa_full=True,
                verbose=False,
            )
        except ValueError as exc:
            raise TextModelError(f"cannot load the text model {path}: {exc}") from None

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=True))

    @contextlib.contextmanager
    def session(self) -> Iterator[Complete]:
        # Each job starts from an empty cache, and its drafts reuse what it read itself:
        # what a job writes depends only on its own seed and parameters, never on the jobs
        # before it. The lock keeps other jobs out in between.
        with self._lock:
            self.llm.reset()
            yield self._complete

    def next_words(self, text: str) -> dict[str, float]:
        import llama_cpp

        with self._lock:
            tokens = self.llm.tokenize(text.encode("utf-8"), add_bos=True)
            self.check_fits(len(tokens), 1)
            cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
            same = next(
                (i for i, (a, b) in enumerate(zip(cached, tokens, strict=False)) if a != b), None
            )
            keep = min(len(cached), len(tokens)) if same is None else same
            self.llm.n_tokens = min(keep, len(tokens) - 1)  # re-read at least the last token
            self.llm.eval(tokens[self.llm.n_tokens :])  # reuses what is cached before it
            vocabulary = self.llm.n_vocab()
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(vocabulary,)
            ).astype(np.float64)
            top = logits.max()
            logprobs = logits - top - np.log(np.exp(logits - top).sum())
            tokens_, index, words = self._word_tokens()
            best = np.full(len(words), -np.inf)
            np.maximum.at(best, index, logprobs[tokens_])  # ' Moon' and ' moon' are one word
            return dict(zip(words, best.tolist(), strict=True))

    def _word_tokens(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Tokens that are one whole word after a space (' moon'): their ids, the index
        of their word, and the words (lower case). Made once per model (about a second)."""
        if self._words is None:
            ids, words = [], []
            for token in range(self.llm.n_vocab()):
                piece = self.llm.detokenize([token])
                if piece[:1] == b" " and piece[1:].isalpha() and piece[1:].isascii():
                    ids.append(token)
                    words.append(piece[1:].decode().lower())
            unique = sorted(set(words))
            position = {word: i for i, word in enumerate(unique)}
            self._words = (np.array(ids), np.array([position[w] for w in words]), unique)
        return self._words

    def _complete(self, prompt: str, sampling: Sampling, on_text: OnText | None) -> Completion:
        with self._lock:
            tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True)
            self.check_fits(len(tokens), sampling.max_tokens)
            started = time.perf_counter()
            first = 0.0
            text, finish, count = "", "length", 0
            stream: Iterator[Any] = self.llm.create_completion(  # type: ignore[assignment]
                tokens,
                max_tokens=sampling.max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k,
                min_p=sampling.min_p,
                repeat_penalty=sampling.repeat_penalty,
                stop=list(sampling.stop),
                seed=sampling.seed,
                stream=True,
            )
            try:
                for chunk in stream:
                    choice = chunk["choices"][0]
                    count += 1
                    if choice["text"]:
                        first = first or time.perf_counter() - started
                        text += choice["text"]
                        if on_text is not None:
                            on_text(text)
                    finish = choice.get("finish_reason") or finish
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
            seconds = time.perf_counter() - started
            return Completion(text, finish, len(tokens), count, seconds, first or seconds)


class OpenAIServerModel(TextModel):
    """Any server with the OpenAI completions API (`POST {url}/completions`, streamed)."""

    def __init__(
        self, url: str, model: str = "", key: str = "", context: int = 4096, timeout: float = 300
    ) -> None:
        self.url, self.context = url.rstrip("/"), context
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout, connect=10.0), trust_env=False
        )
        self._model = model

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.model

    @property
    def model(self) -> str:
        """The configured model name, else the first one the server lists."""
        if not self._model:
            try:
                listed = self._request("GET", "/models").json()["data"]
            except (KeyError, IndexError, TypeError, ValueError):
                raise TextModelError(f"{self.url}/models lists no model") from None
            if not listed:
                raise TextModelError(f"{self.url}/models lists no model")
            self._model = str(listed[0]["id"])
        return self._model

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, self.url + path, **kwargs)
        except httpx.HTTPError as exc:
            raise TextModelError(f"the text server {self.url} cannot be reached: {exc}") from None
        if response.status_code >= 400:
            raise TextModelError(
                f"the text server {self.url} answered {response.status_code}: {response.text[:300]}"
            )
        return response

    def count_tokens(self, text: str) -> int:
        return int(len(text) / SERVER_CHARS_PER_TOKEN) + 1

    def next_words(self, text: str) -> dict[str, float]:
        body = {"model": self.model, "prompt": text, "max_tokens": 1, "logprobs": 20}
        body |= {"temperature": 0.0}
        choice = self._request("POST", "/completions", json=body).json()["choices"][0]
        top = ((choice.get("logprobs") or {}).get("top_logprobs") or [{}])[0]
        best: dict[str, float] = {}
        for piece, logprob in top.items():
            if piece[:1] == " " and piece[1:].isalpha() and piece[1:].isascii():
                word = piece[1:].lower()
                best[word] = max(best.get(word, -np.inf), float(logprob))
        return best

    def _complete(self, prompt: str, sampling: Sampling, on_text: OnText | None) -> Completion:
        self.check_fits(self.count_tokens(prompt), sampling.max_tokens)
        body = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": sampling.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "top_k": sampling.top_k,
            "min_p": sampling.min_p,
            "repetition_penalty": sampling.repeat_penalty,  # vLLM's name
            "repeat_penalty": sampling.repeat_penalty,  # llama.cpp's name
            "stop": list(sampling.stop),
            "seed": sampling.seed,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        started = time.perf_counter()
        first = 0.0
        text, finish, count, usage = "", "length", 0, None
        try:
            with self.client.stream("POST", self.url + "/completions", json=body) as response:
                if response.status_code >= 400:
                    detail = response.read().decode("utf-8", "replace")[:300]
                    raise TextModelError(
                        f"the text server {self.url} answered {response.status_code}: {detail}"
                    )
                for line in response.iter_lines():
                    data = line.removeprefix("data:").strip()
                    if not line.startswith("data:") or not data or data == "[DONE]":
                        continue
                    chunk = json.loads(data)
                    if "error" in chunk:
                        raise TextModelError(f"the text server failed: {chunk['error']}")
                    usage = chunk.get("usage") or usage
                    if not chunk.get("choices"):
                        continue
                    choice = chunk["choices"][0]
                    count += 1
                    piece = choice.get("text") or ""
                    if piece:
                        first = first or time.perf_counter() - started
                        text, stopped = _cut_at_stop(text + piece, sampling.stop)
                        if on_text is not None:
                            on_text(text)
                        if stopped:  # a server that ignores `stop`: end it here
                            finish = "stop"
                            break
                    finish = choice.get("finish_reason") or finish
        except httpx.HTTPError as exc:
            raise TextModelError(f"the text server {self.url} failed: {exc}") from None
        seconds = time.perf_counter() - started
        prompt_tokens = (usage or {}).get("prompt_tokens") or self.count_tokens(prompt)
        tokens = (usage or {}).get("completion_tokens") or count
        return Completion(text, finish, prompt_tokens, tokens, seconds, first or seconds)


def _cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    at = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return (text[:at], True) if at >= 0 else (text, False)


_models: dict[TextModelSpec, TextModel] = {}
_models_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free llama.cpp models before the interpreter tears down the modules their
    finalizers need (else each prints a TypeError at exit)."""
    for model in _models.values():
        if isinstance(model, LlamaCppModel):
            model.llm.close()


def text_model(spec: TextModelSpec) -> TextModel:
    """The process's one instance of this model (loaded at first use, then kept)."""
    with _models_lock:
        if spec not in _models:
            if spec.gguf is not None:
                _models[spec] = LlamaCppModel(spec.gguf, spec.context, spec.threads)
            else:
                _models[spec] = OpenAIServerModel(
                    spec.server_url, spec.server_model, spec.server_key, spec.context
                )
        return _models[spec]
