"""The text screen as the safety tests read it: one per test process on the real packaged
models (it keeps no state between texts), registered as a plugin in tests/conftest.py."""

from __future__ import annotations

import pytest

from atelier.safety.text import LAYERS, TextScreen


@pytest.fixture(scope="session")
def screen() -> TextScreen:
    return TextScreen(threads=1)


def categories(screen: TextScreen, text: str, layers: tuple[str, ...] = LAYERS) -> set[str]:
    """The categories the screen finds in a prompt."""
    return {f.category for f in screen.screen({"params.prompt": text}, layers)}


def listed(screen: TextScreen, text: str) -> dict[str, str]:
    """What the word lists alone find in a text: each category with the first term seen."""
    blocklist = screen.blocklist
    return blocklist.match(blocklist.readings(text))


def child_word(screen: TextScreen, text: str) -> str | None:
    """The word for a child or the age under 18 the lists see in a text, if any."""
    blocklist = screen.blocklist
    return blocklist.minor_term(blocklist.readings(text))


STILL_HELD = "held by the encoder trained with train22 (docs/safety.md, test22)"


def still_held(prompt: str) -> object:
    """A harmless prompt the committed encoder still holds: kept in its list as a strict
    expected failure, so the test says so, and fails (asking for the mark to go) once a
    training lets the prompt pass (docs/safety.md lists these)."""
    return pytest.param(prompt, marks=pytest.mark.xfail(strict=True, reason=STILL_HELD))
