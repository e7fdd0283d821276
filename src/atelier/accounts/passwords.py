"""What a new password must be: 10 to 256 characters, not one of the 30,000 most common
passwords, and hard enough to guess by zxcvbn's estimate (which also finds repeats,
keyboard runs, dates, names, words and the person's own e-mail in it).

Both come from the `zxcvbn` package (MIT): its password list is the top of the Xato
corpus of ten million leaked passwords, and its scores run from 0 (too guessable) to 4
(very unguessable)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from atelier.errors import Sentences

MIN_LENGTH, MAX_LENGTH = 10, 256
MIN_SCORE = 3  # settings.password_min_score's default
ESTIMATED_LENGTH = 72  # zxcvbn's own ceiling: a longer password is judged on its start
COMMON = frozenset(FREQUENCY_LISTS["passwords"])


class WeakPassword(ValueError):
    """The password breaks a rule; the message says which, for the person choosing it
    (`message` and `params`: as errors.StudioError keeps them, for a page to translate)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def check(password: str, min_score: int = MIN_SCORE, user_inputs: Iterable[str] = ()) -> None:
    """Raise WeakPassword unless `password` may be used; `user_inputs` are the person's
    own e-mail and name, which a good password does not contain."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(
            "password must be %(low)s to %(high)s characters", low=MIN_LENGTH, high=MAX_LENGTH
        )
    if password.lower() in COMMON:
        raise WeakPassword("this is one of the 30,000 most common passwords; choose another")
    inputs = [part for text in user_inputs for part in _parts(text)]
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=inputs)
    if estimate["score"] < min_score:
        feedback = estimate["feedback"]
        # zxcvbn's sentences, each translated on a page (web/words.py lists them all).
        advice = Sentences([s for s in [feedback["warning"], *feedback["suggestions"][:2]] if s])
        if feedback["warning"]:
            raise WeakPassword("password is too easy to guess. %(advice)s", advice=advice)
        ours = "password is too easy to guess. A few unrelated words make a strong one."
        if advice:
            raise WeakPassword(ours + " %(advice)s", advice=advice)
        raise WeakPassword(ours)


def _parts(text: str) -> list[str]:
    """An e-mail or name and its pieces ("ana.lopez@x.org" → ana, lopez, org…)."""
    text = text.lower()
    pieces = [text] + [p for p in re.split(r"\W+", text) if len(p) >= 3]
    return list(dict.fromkeys(pieces))
