"""image.compose as its tests read it: one engine per test process on the shared assets
(`atelier prepare`), so the clip-art index and its models load once, registered as a plugin
in tests/conftest.py."""

from __future__ import annotations

import pytest

from atelier.engines.base import EngineConfig
from atelier.engines.image.compose import Compose
from tests.support.settings import ASSETS


@pytest.fixture(scope="session")
def compose_engine() -> Compose:
    engine = Compose(EngineConfig(assets_dir=ASSETS))
    if engine.available():
        pytest.fail(f"image.compose: {engine.available()} (make setup does it)")
    return engine
