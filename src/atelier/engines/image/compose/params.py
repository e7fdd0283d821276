"""image.compose's parameters, and which prompts it reads: English or Chinese, every
subject in words it knows, something named; a preset style by name or number."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from atelier.engines.base import ABOUT, ADVANCED, ImageUploadId, pick_from
from atelier.engines.custom import custom_model
from atelier.engines.image import style_names
from atelier.engines.image.compose import chinese
from atelier.engines.image.compose.prompt import not_english, parse, unreadable
from atelier.engines.image.encode import ImageOutput
from atelier.engines.image.variants import DEFAULT_VARIANTS, Variants

ASPECTS = {
    "1:1": 1.0,
    "4:3": 4 / 3,
    "3:4": 3 / 4,
    "3:2": 3 / 2,
    "2:3": 2 / 3,
    "16:9": 16 / 9,
    "9:16": 9 / 16,
}


# A network's style over the picture at the default strength: three quarters, so the
# subjects stay legible. The hand-made finishes keep them legible themselves, and are drawn
# whole at it (a pencil sketch blended with a quarter of the colour picture read as a faded
# photograph, pixel art as a blur): below it they fade in proportion.
STYLE_STRENGTH = 0.75


class ComposeParams(ImageOutput):
    prompt: str = Field(
        min_length=1,
        max_length=400,
        description="What to show, e.g. 'three red foxes under a pine tree at sunset, "
        "in the style of a woodcut'.",
        json_schema_extra=ABOUT,
    )
    width: int = Field(768, ge=512, le=1024, description="Width in pixels (512–1024).")
    height: int = Field(512, ge=512, le=1024, description="Height in pixels (512–1024).")
    style: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        description="A preset style by name or number (0–25), e.g. 'woodcut'; the nearest "
        "by meaning is used. A style named in the prompt is used when this is empty. Or the "
        "id of your own house style.",
        json_schema_extra={
            **custom_model("style"),
            **pick_from("image-style", none="None, or the style the prompt names"),
        },
    )
    style_image: ImageUploadId | None = Field(
        None, description="Any picture to use as the style (upload id)."
    )
    style_strength: float = Field(
        STYLE_STRENGTH,
        ge=0.0,
        le=1.0,
        description="How much of the style: 0 none, 1 fully styled.",
        json_schema_extra=ADVANCED,
    )
    variants: Variants = DEFAULT_VARIANTS

    @field_validator("style", mode="before")
    @classmethod
    def preset_number(cls, value: object) -> object:
        """A preset by number is one of 0–25, given as a number or as text: "26" had been
        taken for the nearest name by meaning (a dark oil painting), and 26 refused as
        "not a valid string"."""
        if isinstance(value, bool):
            raise ValueError("a style is a preset's name or number, not true or false")
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,31}\s*", value):  # not an id
            number = int(value)
            if not 0 <= number < len(style_names.STYLES):
                raise ValueError(
                    f"there is no preset style {number}: the presets are numbered 0 to "
                    f"{len(style_names.STYLES) - 1}"
                )
            return str(number)
        return value

    @field_validator("prompt")
    @classmethod
    def readable(cls, value: str) -> str:
        """A prompt is drawn only if it is read: English or Chinese, every subject in
        words we know, something named. Otherwise a 422 that says what was not read."""
        if not any(ch.isalpha() for ch in value):
            raise ValueError("the prompt needs at least one word")
        foreign = sorted({ch for ch in value if ch.isalpha() and not _readable_letter(ch)})
        if foreign:
            raise ValueError(
                f"could not read {''.join(foreign[:12])!r}: image.compose reads prompts in "
                "English or Chinese"
            )
        strange = not_english(value)
        if strange:
            raise ValueError(
                f"could not read {', '.join(repr(w) for w in strange[:8])} in the prompt: "
                "image.compose reads prompts in English or Chinese"
            )
        reason = unreadable(parse(value))  # chinese.Unreadable is a ValueError too
        if reason:
            raise ValueError(reason)
        return value

    @model_validator(mode="after")
    def known_shape(self) -> ComposeParams:
        ratio = self.width / self.height
        if not any(abs(ratio - r) / r <= 0.015 for r in ASPECTS.values()):
            raise ValueError(
                f"width/height {self.width}×{self.height} is not one of the aspect ratios "
                f"{', '.join(ASPECTS)}"
            )
        if self.style is not None and self.style_image is not None:
            raise ValueError("give either style or style_image, not both")
        return self


def _readable_letter(ch: str) -> bool:
    """A Latin letter (with its accents) or a Chinese character."""
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or chinese.is_chinese(ch)
