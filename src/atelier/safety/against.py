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
import unicodedata

from atelier.safety.language import FUNCTION_WORDS

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


# What a sign or a poster is, not what it says: a text left with only these and function
# words once its words against hate are taken out says nothing else ("a 'trans rights are
# human rights' banner" leaves "a ' are ' banner", which the classifier read as hate 0.72).
MEDIA = frozenset({
    "banner", "poster", "sign", "placard", "flyer", "leaflet", "mural", "sticker", "badge",
    "shirt", "tshirt", "t-shirt", "logo", "slogan", "motto", "rally", "march", "protest",
    "campaign", "graphic", "illustration", "image", "picture", "art", "artwork", "design",
    "lettering", "typography", "text", "words", "quote", "card", "cover", "song", "anthem",
    "chant", "lyrics", "post", "social", "media", "bold", "colorful", "colourful", "simple",
    "big", "large", "small", "hand", "painted", "handmade", "minimalist", "vector", "style",
})  # fmt: skip
_SAYS_NOTHING = FUNCTION_WORDS | MEDIA
CHINESE_MEDIA = re.compile(
    r"海报|横幅|标语|口号|宣传画|宣传|插画|图片|图案|图|设计|徽章|贴纸|T恤|歌曲|歌词|歌|游行|集会|"
    r"活动|主题|文字|字样|一张|一幅|一首|一个|画|的|和|与|是|都|为|我们|大家|人人|请|做|写"
)
_WORD = re.compile(r"[a-z][a-z'-]*|[\u4e00-\u9fff]+")


def says_nothing(rest: str) -> bool:
    """Whether `rest` (what a text says besides its words against hate) holds no word
    beyond function words and what names the sign, poster or song it is on, and nothing
    else but spaces and punctuation (an emoji or a number may say something)."""
    rest = rest.lower()
    if any(unicodedata.category(c)[0] not in "PZ" for c in _WORD.sub(" ", rest)):
        return False
    for word in _WORD.findall(rest):
        if word[0] < "\u4e00":
            if word.strip("'-") not in _SAYS_NOTHING:
                return False
        elif CHINESE_MEDIA.sub("", word):
            return False
    return True


def without(text: str) -> str:
    """`text` less every word of it that speaks against hate: what else it says."""
    return CHINESE.sub(" ", ENGLISH.sub(" ", text.lower()))
