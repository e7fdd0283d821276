"""The two small networks the music engines run, and how their weights are stored.

`MelodyNet` is a token-level LSTM language model over tokens.py's vocabulary, conditioned
on style, mode and meter by the sequence's header tokens. `HarmonyNet` fills alto, tenor
and bass under a soprano on an eighth-note grid: a bidirectional GRU reads the whole
soprano line (and where each beat falls), a forward GRU walks the grid remembering the
chords it has written, and three heads choose bass, then tenor (seeing the bass), then
alto (seeing both). Weights live in weights/ as float16 state dicts with a JSON card.
"""

from __future__ import annotations

import io
import json
import math
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from atelier.engines.music import tokens as tok

WEIGHTS_DIR = Path(__file__).parent / "weights"
PITCHES = 128  # harmony classes: MIDI pitch, 0 standing for a rest
GRID_POSITIONS = 16  # eighths within a bar (the longest bar, 12/8 or 3/2, has 12)


@dataclass(frozen=True)
class MelodyConfig:
    vocab: int
    dim: int = 192
    layers: int = 2
    dropout: float = 0.1


class MelodyNet(nn.Module):
    def __init__(self, config: MelodyConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab, config.dim)
        self.lstm = nn.LSTM(
            config.dim,
            config.dim,
            config.layers,
            batch_first=True,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.dim, config.vocab)

    def forward(
        self, tokens: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits for the next token at every position, and the LSTM state after them."""
        out, state = self.lstm(self.drop(self.embed(tokens)), state)
        return self.head(self.drop(out)), state


@torch.no_grad()
def melody_nll(net: MelodyNet, melodies: list[np.ndarray]) -> dict[str, float]:
    """Held-out negative log-likelihood in nats: per note (its pitch and its duration, the
    two choices a melody makes) and per body token."""
    note_nll = token_nll = 0.0
    notes = tokens = 0
    for melody in melodies:
        x = torch.from_numpy(melody)[None]
        log_probs = torch.log_softmax(net(x[:, :-1])[0][0], dim=-1)
        targets = x[0, 1:]
        picked = -log_probs[torch.arange(len(targets)), targets]
        body = picked[tok.HEADER - 1 :]
        body_targets = targets[tok.HEADER - 1 :].numpy()
        choices = (
            (body_targets == tok.REST)
            | ((body_targets >= tok.FIRST_PITCH) & (body_targets < tok.FIRST_POS))
            | (body_targets >= tok.FIRST_DUR)
        )
        note_nll += float(body[torch.from_numpy(choices)].sum())
        notes += int((body_targets >= tok.FIRST_DUR).sum())
        token_nll += float(body.sum())
        tokens += len(body)
    return {
        "nll_per_note": note_nll / max(notes, 1),
        "nll_per_token": token_nll / max(tokens, 1),
        "perplexity_per_token": math.exp(token_nll / max(tokens, 1)),
        "notes": notes,
    }


@dataclass(frozen=True)
class HarmonyConfig:
    dim: int = 128
    dropout: float = 0.1


class HarmonyNet(nn.Module):
    def __init__(self, config: HarmonyConfig) -> None:
        super().__init__()
        self.config = config
        d = config.dim
        self.soprano = nn.Embedding(PITCHES, d)
        self.position = nn.Embedding(GRID_POSITIONS, d)
        self.onset = nn.Embedding(2, d)
        self.mode = nn.Embedding(2, d)
        self.reader = nn.GRU(d, d, batch_first=True, bidirectional=True)
        self.previous = nn.ModuleList(nn.Embedding(PITCHES, d) for _ in range(3))
        self.walker = nn.GRU(3 * d, 2 * d, batch_first=True)
        self.drop = nn.Dropout(config.dropout)
        self.chosen_bass = nn.ModuleList(nn.Embedding(PITCHES, 2 * d) for _ in range(2))
        self.chosen_tenor = nn.Embedding(PITCHES, 2 * d)
        self.heads = nn.ModuleList(nn.Linear(2 * d, PITCHES) for _ in range(3))  # B, T, A

    def read(
        self,
        soprano: torch.Tensor,
        position: torch.Tensor,
        onset: torch.Tensor,
        mode: torch.Tensor,
    ) -> torch.Tensor:
        """The soprano line read both ways: one vector per grid step, (batch, steps, 2d)."""
        x = self.soprano(soprano) + self.position(position) + self.onset(onset)
        x = x + self.mode(mode)[:, None, :]
        return self.drop(self.reader(x)[0])

    def walk(
        self, context: torch.Tensor, previous: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The walker's hidden vector per step, given the chord before each step (A, T, B)."""
        chord = sum(embed(previous[..., i]) for i, embed in enumerate(self.previous))
        assert isinstance(chord, torch.Tensor)
        out, state = self.walker(torch.cat([context, chord], dim=-1), state)
        return self.drop(out), state

    def bass_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.heads[0](hidden)

    def tenor_logits(self, hidden: torch.Tensor, bass: torch.Tensor) -> torch.Tensor:
        return self.heads[1](hidden + self.chosen_bass[0](bass))

    def alto_logits(
        self, hidden: torch.Tensor, bass: torch.Tensor, tenor: torch.Tensor
    ) -> torch.Tensor:
        return self.heads[2](hidden + self.chosen_bass[1](bass) + self.chosen_tenor(tenor))


def save(model: nn.Module, name: str, card: dict[str, Any], folder: Path = WEIGHTS_DIR) -> Path:
    """Weights as float16 (half the size; the engines compute in float32) and the card."""
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    path = folder / f"{name}.pt"
    torch.save(state, path)
    config = asdict(model.config)  # type: ignore[call-overload]
    body = {"name": name, "architecture": type(model).__name__, "config": config, **card}
    (folder / f"{name}.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    return path


def trained(name: str, folder: Path = WEIGHTS_DIR) -> bool:
    """Whether the model's card is there (engines ask at every claim: no JSON read)."""
    return (folder / f"{name}.json").is_file()


def card(name: str, folder: Path = WEIGHTS_DIR) -> dict[str, Any]:
    path = folder / f"{name}.json"
    if not trained(name, folder):
        raise FileNotFoundError(f"no model {name!r} in {folder}")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


_loaded: dict[tuple[str, str], nn.Module] = {}
_lock = threading.Lock()


def load(name: str, folder: Path = WEIGHTS_DIR) -> nn.Module:
    """The model in eval mode, float32; loaded once per process and shared."""
    with _lock:
        cache_key = (str(folder), name)
        if cache_key not in _loaded:
            info = card(name, folder)
            model: nn.Module
            if info["architecture"] == "MelodyNet":
                model = MelodyNet(MelodyConfig(**info["config"]))
            else:
                model = HarmonyNet(HarmonyConfig(**info["config"]))
            state = torch.load(folder / f"{name}.pt", weights_only=True)
            model.load_state_dict({k: v.float() for k, v in state.items()})
            _loaded[cache_key] = model.eval()
        return _loaded[cache_key]


# A client's melody model (training/melodies.py) is kept as one file, a content-addressed
# artifact: its config, its card (the style slot it learnt in, its base) and float16
# weights. torch.load(weights_only=True) reads it: no code in it runs.
BUNDLE_FORMAT = "atelier.melody/1"
BUNDLES_KEPT = 4  # clients' models kept loaded per process
_bundles: OrderedDict[str, tuple[MelodyNet, dict[str, Any]]] = OrderedDict()


def bundle(net: MelodyNet, card: dict[str, Any]) -> bytes:
    state = {k: v.detach().cpu().to(torch.float16) for k, v in net.state_dict().items()}
    out = io.BytesIO()
    torch.save(
        {"format": BUNDLE_FORMAT, "config": asdict(net.config), "card": card, "state": state}, out
    )
    return out.getvalue()


def load_bundle(path: Path) -> tuple[MelodyNet, dict[str, Any]]:
    """A client's melody model from its file (eval mode, float32) and its card; the last
    few loaded are kept (a staged artifact's path names its content)."""
    with _lock:
        key = str(path)
        if key not in _bundles:
            body = torch.load(path, weights_only=True)
            if not isinstance(body, dict) or body.get("format") != BUNDLE_FORMAT:
                raise ValueError(f"{path.name} is not a melody model ({BUNDLE_FORMAT})")
            net = MelodyNet(MelodyConfig(**body["config"]))
            net.load_state_dict({k: v.float() for k, v in body["state"].items()})
            _bundles[key] = (net.eval(), dict(body["card"]))
            while len(_bundles) > BUNDLES_KEPT:
                _bundles.popitem(last=False)
        _bundles.move_to_end(key)
        return _bundles[key]
