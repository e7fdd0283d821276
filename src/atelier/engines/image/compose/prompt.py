"""Reading a prompt: its subjects (noun, count, colour), how they stand to each other
(under, left of, behind…), the scene (time of day, weather, season, places) and a style.

A small hand-written grammar rather than a parser model: a prompt of this kind is a few
noun phrases joined by prepositions, and every word it does not use is reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from atelier.engines.image import style_names
from atelier.engines.image.compose.words import lemma, parts_of_speech, wordset

MAX_SUBJECTS = 8
MAX_COUNT = 12

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (200, 40, 35),
    "scarlet": (222, 35, 30),
    "crimson": (170, 20, 45),
    "maroon": (120, 25, 35),
    "orange": (235, 125, 30),
    "ginger": (205, 110, 45),
    "rust": (170, 75, 35),
    "amber": (240, 170, 30),
    "yellow": (240, 205, 40),
    "golden": (218, 170, 50),
    "gold": (218, 170, 50),
    "green": (60, 150, 60),
    "olive": (120, 130, 50),
    "emerald": (30, 140, 90),
    "lime": (150, 210, 60),
    "teal": (30, 130, 130),
    "turquoise": (50, 190, 180),
    "cyan": (60, 200, 220),
    "blue": (45, 95, 200),
    "azure": (60, 140, 230),
    "navy": (25, 40, 100),
    "indigo": (70, 50, 140),
    "purple": (125, 55, 160),
    "violet": (140, 80, 190),
    "lavender": (170, 150, 215),
    "lilac": (190, 160, 210),
    "magenta": (200, 50, 160),
    "pink": (235, 130, 170),
    "coral": (240, 120, 100),
    "brown": (125, 80, 45),
    "tan": (200, 160, 110),
    "beige": (215, 195, 160),
    "cream": (240, 230, 200),
    "ivory": (245, 240, 220),
    "white": (245, 245, 242),
    "silver": (190, 195, 200),
    "grey": (128, 128, 128),
    "gray": (128, 128, 128),
    "black": (25, 25, 28),
    "bronze": (170, 115, 55),
    "copper": (185, 100, 60),
}
FRUIT_COLOURS = frozenset(("orange", "lime", "olive"))  # colours that are also things
SHADES = {"dark": 0.6, "deep": 0.7, "light": 1.35, "pale": 1.45, "bright": 1.15}

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "lone": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "pair": 2,
    "couple": 2,
    "both": 2,
    "few": 3,
    "some": 3,
    "several": 4,
    "many": 6,
    "dozen": 12,
    "lots": 6,
    "numerous": 7,
    "flock": 5,
    "herd": 5,
    "group": 4,
    "pack": 4,
    "family": 3,
    "school": 5,
    "swarm": 7,
    "crowd": 6,
    "row": 4,
    "bunch": 4,
}
COLLECTIVES = wordset("pair couple dozen flock herd group pack family school swarm crowd row bunch")
DETERMINERS = wordset("the this that these those his her their its my our your every each of lot")
SIZES = {
    "big": 1.3,
    "large": 1.3,
    "huge": 1.6,
    "giant": 1.7,
    "enormous": 1.7,
    "tall": 1.25,
    "small": 0.75,
    "little": 0.75,
    "tiny": 0.55,
    "baby": 0.65,
}

# Relation phrases, longest first; each maps to one of the layout's relations.
RELATIONS = [
    ("in front of", "in_front_of"),
    ("to the left of", "left_of"),
    ("to the right of", "right_of"),
    ("on the left of", "left_of"),
    ("on the right of", "right_of"),
    ("on top of", "on"),
    ("left of", "left_of"),
    ("right of", "right_of"),
    ("next to", "beside"),
    ("close to", "beside"),
    ("underneath", "under"),
    ("beneath", "under"),
    ("under", "under"),
    ("below", "below"),
    ("above", "above"),
    ("over", "above"),
    ("atop", "on"),
    ("on", "on"),
    ("upon", "on"),
    ("sitting on", "on"),
    ("beside", "beside"),
    ("near", "beside"),
    ("by", "beside"),
    ("with", "beside"),
    ("behind", "behind"),
    ("around", "around"),
    ("surrounding", "around"),
    ("circling", "around"),
    ("among", "around"),
    ("between", "between"),
    ("inside", "in"),
    ("in", "in"),
    ("at", "at"),
    ("across", "beside"),
    ("against", "beside"),
    ("along", "beside"),
    ("facing", "beside"),
    ("from", "beside"),
    ("into", "in"),
    ("through", "in"),
]
RELATION_NAMES = (
    "above",
    "below",
    "under",
    "on",
    "beside",
    "left_of",
    "right_of",
    "in_front_of",
    "behind",
    "around",
    "in",
)

# Scene words: time of day, weather, season and places; adjectives count too.
TIMES = {
    "sunset": "sunset",
    "sundown": "sunset",
    "dusk": "dusk",
    "twilight": "dusk",
    "evening": "dusk",
    "sunrise": "sunrise",
    "dawn": "sunrise",
    "daybreak": "sunrise",
    "morning": "morning",
    "noon": "day",
    "midday": "day",
    "day": "day",
    "daytime": "day",
    "afternoon": "day",
    "sunny": "day",
    "night": "night",
    "midnight": "night",
    "nighttime": "night",
    "moonlit": "night",
    "moonlight": "night",
    "starry": "night",
    "nocturnal": "night",
}
WEATHER = {
    "rain": "rain",
    "rainy": "rain",
    "raining": "rain",
    "drizzle": "rain",
    "snow": "snow",
    "snowy": "snow",
    "snowing": "snow",
    "snowfall": "snow",
    "fog": "fog",
    "foggy": "fog",
    "mist": "fog",
    "misty": "fog",
    "haze": "fog",
    "hazy": "fog",
    "storm": "storm",
    "stormy": "storm",
    "thunderstorm": "storm",
    "lightning": "storm",
    "cloudy": "cloudy",
    "overcast": "cloudy",
    "grey": "cloudy",
    "clear": "clear",
    "windy": "cloudy",
}
SEASONS = {
    "spring": "spring",
    "springtime": "spring",
    "summer": "summer",
    "summery": "summer",
    "autumn": "autumn",
    "autumnal": "autumn",
    "fall": "autumn",
    "winter": "winter",
    "wintry": "winter",
    "wintery": "winter",
    "christmas": "winter",
}
PLACES = {
    "sea": "sea",
    "ocean": "sea",
    "seaside": "sea",
    "waves": "sea",
    "wave": "sea",
    "harbour": "sea",
    "harbor": "sea",
    "bay": "sea",
    "coast": "beach",
    "shore": "beach",
    "beach": "beach",
    "seashore": "beach",
    "sand": "beach",
    "sandy": "beach",
    "lake": "lake",
    "pond": "lake",
    "river": "lake",
    "water": "lake",
    "stream": "lake",
    "forest": "forest",
    "woods": "forest",
    "wood": "forest",
    "woodland": "forest",
    "jungle": "forest",
    "meadow": "field",
    "field": "field",
    "fields": "field",
    "grass": "field",
    "grassy": "field",
    "farm": "field",
    "countryside": "field",
    "garden": "field",
    "park": "field",
    "lawn": "field",
    "prairie": "field",
    "hill": "hills",
    "hills": "hills",
    "hillside": "hills",
    "valley": "hills",
    "mountain": "mountains",
    "mountains": "mountains",
    "alps": "mountains",
    "peaks": "mountains",
    "desert": "desert",
    "dunes": "desert",
    "city": "city",
    "town": "city",
    "street": "city",
    "skyline": "city",
    "village": "city",
    "downtown": "city",
    "urban": "city",
    "room": "interior",
    "kitchen": "interior",
    "bedroom": "interior",
    "interior": "interior",
    "indoors": "interior",
    "inside": "interior",
    "office": "interior",
    "library": "interior",
    "classroom": "interior",
    "hall": "interior",
    "studio": "interior",
    "space": "space",
    "sky": "sky",
    "clouds": "sky",
    "island": "beach",
    "landscape": "field",
    "outdoors": "field",
    "nature": "field",
}
# Sky things are painted (not clip art) and placed in the sky.
PAINTED = {"sun": "sun", "moon": "moon", "star": "star", "cloud": "cloud", "rainbow": "rainbow"}
# -ing words that are nouns, not verbs.
ING_NOUNS = wordset(
    "building painting ring king wing swing string spring ceiling evening morning "
    "clothing pudding wedding duckling seedling earring dumpling lightning sibling "
    "stocking icing awning railing sapling darling"
)
FILLER = wordset(
    "is are was be being very quite and or while its it there which who that stands "
    "standing sits sitting lies lying made style manner picture image scene view "
    "painting drawing illustration photo art artwork"
)


@dataclass
class Subject:
    noun: str  # the head noun's lemma: "fox"
    query: str  # what the clip art is searched for: "pine tree"
    text: str  # the words as written: "three red foxes"
    count: int = 1
    colour: str | None = None
    rgb: tuple[int, int, int] | None = None
    size: float = 1.0
    painted: bool = False  # a sky thing, drawn rather than clip art


@dataclass
class Relation:
    subject: int
    relation: str
    target: int


@dataclass
class Scene:
    subjects: list[Subject] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    time: str = ""  # "" until parse sets it: day unless the prompt says otherwise
    weather: str = "clear"
    season: str | None = None
    places: list[str] = field(default_factory=list)
    style: str | None = None
    colours: list[str] = field(default_factory=list)  # colours that name no subject
    dropped: list[str] = field(default_factory=list)  # subjects over MAX_SUBJECTS


def _style(text: str) -> tuple[str, str | None]:
    """Cut a style phrase out of the prompt: "…, in the style of a woodcut" → "woodcut"."""
    patterns = [
        r"\b(?:in|with)\s+(?:the\s+)?(?:style|manner)\s+of\s+(?:an?\s+|the\s+)?([^,;.]+)",
        r"\b(?:in|as)\s+(?:an?\s+)?([a-z -]+?)\s+style\b",
        r"\b([a-z-]+(?:\s[a-z-]+)?)\s+style\b",
        r"\bstyle\s*[:=]\s*([^,;.]+)",
    ]
    for pattern in patterns:
        found = re.search(pattern, text)
        if found:
            return text[: found.start()] + " , " + text[found.end() :], found.group(1).strip()
    for name in sorted(style_names.NAMES, key=len, reverse=True):  # "…, watercolour"
        found = re.search(r"\b" + re.escape(name) + r"\b", text)
        if found:
            return text[: found.start()] + " " + text[found.end() :], name
    return text, None


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+(?:'[a-z]+)?|\d+|[,;.]", text.lower())


def _relation_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The relation phrase starting at token i and its length, if any."""
    for phrase, relation in RELATIONS:
        parts = phrase.split()
        if tokens[i : i + len(parts)] == parts:
            return relation, len(parts)
    return None


def _is_verb(token: str) -> bool:
    pos = parts_of_speech(token)
    if token in ING_NOUNS or token in NUMBERS or token in COLOURS:
        return False
    if token.endswith("ing") and "VERB" in pos:
        return True
    return bool(pos) and pos <= {"VERB", "ADV"}


def parse(prompt: str) -> Scene:
    """The scene a prompt describes (see the module docstring)."""
    scene = Scene()
    text, scene.style = _style(prompt.lower())
    tokens = _tokens(text)
    # Split into noun-phrase chunks, remembering the relation that joins each to the last.
    chunks: list[tuple[str | None, list[str]]] = []
    relation: str | None = None
    current: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        found = _relation_at(tokens, i)
        if found and not (found[0] == "beside" and tokens[i] == "by" and not current):
            chunks.append((relation, current))
            relation, current = found[0], []
            i += found[1]
            continue
        if token in (",", ";", ".", "and", "or", "while", "where") or _is_verb(token):
            chunks.append((relation, current))
            relation = {"and": "and", "or": "and", ",": "comma", ";": "comma"}.get(token, "beside")
            current = []
            i += 1
            continue
        current.append(token)
        i += 1
    chunks.append((relation, current))

    group: list[int] = []  # the subjects a following relation applies to
    between: list[int] = []  # "a cat between a dog and a horse": waiting for the horse
    related = False  # a relation was read since the last comma: a comma starts anew
    for joined_by, chunk in chunks:
        index = _read_chunk(chunk, scene)
        if index is None:
            continue
        if joined_by == "comma":
            joined_by = None if related else "and"
            related = False
        if joined_by in RELATION_NAMES or joined_by == "between":
            _relate(scene, group, joined_by, index)
            pair = joined_by == "between" and scene.subjects[index].count < 2
            between = list(group) if pair else []
            group = [index]
            related = True
        elif joined_by == "and" and between:
            for member in between:
                scene.relations.append(Relation(member, "left_of", index))
            between = []
            group.append(index)
        elif joined_by == "and":
            group.append(index)
        else:
            group = [index]
    if not scene.time:
        night_sky = any(s.noun in ("moon", "star") for s in scene.subjects)
        scene.time = "night" if night_sky else "day"
    return scene


def _relate(scene: Scene, members: list[int], name: str, target: int) -> None:
    """Record `members name target`; "between two trees" stands the trees around it."""
    for member in members:
        if member == target:
            continue
        if name == "between" and scene.subjects[target].count >= 2:
            scene.relations.append(Relation(target, "around", member))
        elif name == "between":
            scene.relations.append(Relation(member, "right_of", target))
        else:
            scene.relations.append(Relation(member, name, target))


def _read_chunk(chunk: list[str], scene: Scene) -> int | None:
    """Take scene words out of a chunk; add its subject, if it names one, to the scene."""
    count: int | None = None
    colour: str | None = None
    shade = 1.0
    size = 1.0
    modifiers: list[str] = []
    nouns: list[str] = []
    for token in chunk:
        if token.isdigit():
            count = int(token)
        elif token in NUMBERS and not (token in ("school", "family") and nouns):
            count = max(count or 0, NUMBERS[token]) if token not in ("a", "an") else count or 1
        elif token in COLOURS:
            colour = token
        elif token in SHADES:
            shade = SHADES[token]
        elif token in SIZES:
            size = SIZES[token]
            if token == "baby":
                modifiers.append(token)
        elif token in TIMES and not nouns:
            scene.time = TIMES[token]
        elif token in WEATHER and token not in PLACES:
            scene.weather = WEATHER[token]
        elif token in SEASONS:
            scene.season = SEASONS[token]
        elif token in PLACES and not (nouns and token in ("wood", "water", "sand")):
            if PLACES[token] not in scene.places:
                scene.places.append(PLACES[token])
            if token in ("snowy",):
                scene.weather = "snow"
        elif token in DETERMINERS or token in FILLER:
            continue
        elif "NOUN" in parts_of_speech(token) or not parts_of_speech(token):
            nouns.append(token)
        else:
            modifiers.append(token)
    if not nouns and chunk and (chunk[-1] in FRUIT_COLOURS or chunk[-1] in COLLECTIVES):
        # "an orange", "a school": the last word was a noun after all.
        nouns = [chunk[-1]]
        colour = None if chunk[-1] == colour else colour
        count = None if chunk[-1] in COLLECTIVES else count
    if not nouns:
        if colour is not None:
            scene.colours.append(colour)
        return None
    head = nouns[-1]
    noun = lemma(head)
    if chunk[0] == "the" and count is None:  # "the house": the one already named
        for index, known in enumerate(scene.subjects):
            if known.noun == noun:
                return index
    plural = head != noun or head in ("sheep", "deer", "fish")
    if count is None:
        count = 3 if plural and head not in ("sheep", "deer", "fish") else 1
    if len(scene.subjects) >= MAX_SUBJECTS:
        scene.dropped.append(" ".join(chunk))
        return None
    rgb = None
    if colour is not None:
        r, g, b = (int(min(255, max(0, c * shade))) for c in COLOURS[colour])
        rgb = (r, g, b)
    query = " ".join([*modifiers, *[lemma(n) for n in nouns]])
    subject = Subject(
        noun=noun,
        query=query,
        text=" ".join(chunk),
        count=max(1, min(count, MAX_COUNT)),
        colour=colour,
        rgb=rgb,
        size=size,
        painted=noun in PAINTED,
    )
    scene.subjects.append(subject)
    return len(scene.subjects) - 1


def summary(scene: Scene) -> str:
    """One line a person can read: what was understood."""
    parts = [f"{s.count}× {s.colour + ' ' if s.colour else ''}{s.query}" for s in scene.subjects]
    relations = [
        f"{scene.subjects[r.subject].noun} {r.relation} {scene.subjects[r.target].noun}"
        for r in scene.relations
    ]
    return "; ".join(parts + relations)
