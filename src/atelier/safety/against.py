"""Words that speak against hate: an anti-racism poster, a call for equality, 反对歧视.

The learned layers (the meaning layer and the classifier) hold many such prompts as hate:
"stop asian hate rally poster" sits near the hateful prompts it answers. Where they are the
only layers that saw hate, the text says one of these, and the rest of the text is not
hateful without them, the finding is held for review (`Finding.review`) rather than
refused: nothing is made public before a person has looked. A hateful text that borrows
the words ("stop asian hate: asians are vermin") is still refused. None of the 346
hateful prompts of the labelled set says any of them (docs/safety.md)."""

from __future__ import annotations

import re

_HATES = (
    r"hate|hatred|racism|bigotry|discrimination|antisemitism|islamophobia|homophobia|"
    r"transphobia|xenophobia|sexism|prejudice|intolerance"
)
ENGLISH = re.compile(
    rf"\b(?:stop|end|no to|fight(?:ing)?|against|oppos(?:e|ing)|anti[- ]?)\s*(?:the\s+)?"
    rf"(?:[a-z-]+\s+){{0,2}}(?:{_HATES})\b"
    r"|\b(?:equality|equal rights|diversity|inclusion|inclusive|tolerance|solidarity|unity|"
    r"(?:all|we) (?:people |humans |races )?are (?:all )?equal|love (?:not|over) hate|"
    r"human rights|black lives matter|racial harmony|"
    r"(?:trans|gay|lgbtq?\+?|women'?s|civil|disability|minority|equal) rights|"
    r"(?:people )?of (?:every|all|many|different) (?:colou?rs?|races|skin tones)|"
    r"(?:different|many) skin tones)\b"
)
CHINESE = re.compile(
    r"反对.{0,4}(?:歧视|仇恨|种族主义)|停止.{0,4}仇恨|反歧视|反种族主义|人人平等|平等|多元|包容|团结|"
    r"不同肤色"
)


def speaks_against_hate(text: str) -> str | None:
    """The words of `text` that speak against hate, if any."""
    found = ENGLISH.search(text.lower()) or CHINESE.search(text)
    return found.group(0) if found else None


def without(text: str) -> str:
    """`text` less every word of it that speaks against hate: what else it says."""
    return CHINESE.sub(" ", ENGLISH.sub(" ", text.lower()))
