"""The example creations a new account is offered on its first screen: each a tool and
the settings it opens with (one click fills the create form; the user presses Create).
Each needs nothing but words, and costs a few credits of a Trial's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atelier.web.i18n import lazy


@dataclass(frozen=True)
class Example:
    slug: str  # ?example=SLUG on the tool's create page
    engine: str
    title: str  # shown in the page's language (`| tr`), as `about` is
    about: str  # what it shows the user about the tool
    params: dict[str, Any]


EXAMPLES = (
    Example(
        "fox-woodcut",
        "image.compose",
        lazy("A fox at sunset, as a woodcut"),
        lazy("A picture from a sentence: subjects, where they stand, the light and a style."),
        {
            "prompt": "a red fox under a pine tree at sunset",
            "style": "woodcut",
            "width": 768,
            "height": 512,
        },
    ),
    Example(
        "irish-jig",
        "music.compose",
        lazy("An Irish jig"),
        lazy("A new melody in a tradition, key and meter of your choice, with its score."),
        {
            "style": "irish",
            "key": "D major",
            "meter": "6/8",
            "tempo": 120,
            "bars": 8,
            "model": "clean",
        },
    ),
    Example(
        "rain-haiku",
        "text.write",
        lazy("A haiku about autumn rain"),
        lazy("Poems, stories, lyrics and copy from a topic, keywords and a tone."),
        {"form": "haiku", "topic": "autumn rain on a city street", "tone": "quiet"},
    ),
)
BY_SLUG = {example.slug: example for example in EXAMPLES}
