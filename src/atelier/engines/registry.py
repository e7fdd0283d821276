"""The one list of engines. A new engine is one module plus one line in `_builtin`.

An engine that makes pictures or audio must say how much (`output_budget`): that is what
a plan's limits hold it to, so one that does not is refused here."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from atelier.engines.base import Engine, EngineConfig, declares_budget

BUDGETED_MEDIA = ("image", "music")  # media whose engines make pixels or audio

_plugins: list[type[Engine[Any]]] = []


def _builtin() -> list[type[Engine[Any]]]:
    from atelier.engines.image.compose import Compose
    from atelier.engines.image.diffusion import Diffusion
    from atelier.engines.image.portrait import Portrait
    from atelier.engines.image.restore import Restore
    from atelier.engines.image.stylize import Stylize
    from atelier.engines.image.upscale import Upscale
    from atelier.engines.music.compose import MusicCompose
    from atelier.engines.music.continue_ import MusicContinue
    from atelier.engines.music.harmonize import Harmonize
    from atelier.engines.music.restyle import MusicRestyle
    from atelier.engines.music.transcribe import Transcribe
    from atelier.engines.text.restyle import Restyle
    from atelier.engines.text.summarize import Summarize
    from atelier.engines.text.write import Write
    from atelier.training.engines import TrainImage, TrainMusic, TrainText

    return [
        Stylize,
        Diffusion,
        Write,
        Restyle,
        Summarize,
        Portrait,
        Upscale,
        Restore,
        Compose,
        Transcribe,
        MusicCompose,
        MusicContinue,
        Harmonize,
        MusicRestyle,
        TrainMusic,
        TrainImage,
        TrainText,
    ]


def register(engine_class: type[Engine[Any]]) -> None:
    """Add an engine from outside the package (a plug-in module calls this on import)."""
    if engine_class not in _plugins:
        _plugins.append(engine_class)


def classes() -> list[type[Engine[Any]]]:
    """Every engine class: the built-in ones, then the plug-ins registered so far."""
    return [*_builtin(), *_plugins]


def build(config: EngineConfig, extra_modules: Iterable[str] = ()) -> dict[str, Engine[Any]]:
    """One configured instance of every engine, by name; plug-in modules are imported first."""
    for module in extra_modules:
        importlib.import_module(module)
    engines: dict[str, Engine[Any]] = {}
    for engine_class in classes():
        if engine_class.name in engines:
            raise ValueError(f"two engines are named {engine_class.name!r}")
        if engine_class.medium in BUDGETED_MEDIA and not declares_budget(engine_class):
            raise ValueError(
                f"engine {engine_class.name!r} makes {engine_class.medium} but declares no "
                "output_budget (what a job makes: a plan's limits hold it to that)"
            )
        engines[engine_class.name] = engine_class(config)
    return dict(sorted(engines.items()))
