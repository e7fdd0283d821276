"""The one list of engines. A new engine is one module plus one line in `_builtin`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from atelier.engines.base import Engine

_engines: dict[str, Engine] = {}


def _builtin() -> list[Engine]:
    from atelier.engines.image.stylize import Stylize

    return [Stylize()]


def register(engine: Engine) -> None:
    if engine.name in _engines and type(_engines[engine.name]) is not type(engine):
        raise ValueError(f"engine {engine.name!r} is registered twice")
    _engines[engine.name] = engine


def load(extra_modules: Iterable[str] = ()) -> None:
    """Register the built-in engines and import modules that register more (plug-ins)."""
    for engine in _builtin():
        if engine.name not in _engines:
            register(engine)
    for module in extra_modules:
        importlib.import_module(module)


def get(name: str) -> Engine | None:
    return _engines.get(name)


def all_engines() -> list[Engine]:
    return sorted(_engines.values(), key=lambda e: e.name)
