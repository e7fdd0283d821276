"""Reading a prompt: its subjects (noun, count, colour), how they stand to each other
(under, left of, behind…), the scene (time of day, weather, season, places) and a style.

A small hand-written grammar rather than a parser model: a prompt of this kind is a few
noun phrases joined by prepositions, and every word it does not use is reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from atelier.engines.image import style_names
from atelier.engines.image.compose import chinese, finish, spelling
from atelier.engines.image.compose.sizes import HEIGHTS
from atelier.engines.image.compose.vocabulary import (
    BODY_PARTS,
    CLOTHES,
    COLLECTIVES,
    COLOURS,
    COMPOUNDS,
    CONTAINERS,
    DETERMINERS,
    DRINKS,
    FILLER,
    FRUIT_COLOURS,
    HELD,
    ING_NOUNS,
    MAX_COUNT,
    MAX_SUBJECTS,
    NUMBERS,
    OWN_PARTS,
    OWNERS,
    PAINTED,
    PAIRED,
    PARTS,
    PLACES,
    PORTIONS,
    POSES,
    PRONOUNS,
    RELATION_NAMES,
    RELATIONS,
    REVERSED,
    SEASONS,
    SHADES,
    SIZES,
    STATES,
    TIMES,
    VIEWS,
    WEATHER,
)
from atelier.engines.image.compose.words import (
    ANOTHER_THING,
    GENERIC,
    KIN,
    NAMED_KINDS,
    is_english,
    kin_of,
    lemma,
    parts_of_speech,
)
from atelier.engines.text import language


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
    kind: str | None = None  # a noun before the head that names the kind: "willow" tree
    doing: str | None = None  # what a person on a thing is doing: "cycling" (carried.ask)


@dataclass
class Relation:
    subject: int
    relation: str
    target: int
    weak: bool = False  # from "with": any other relation of the subject wins


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
    reading: str | None = None  # the English a prompt in another language was read as
    timed: bool = False  # the prompt named a time of day
    materials: list[str] = field(default_factory=list)  # "brick", "stone": the scene's
    caption: str | None = None  # words to write on the picture, not to draw


STYLE_WORDS = (
    r"painting|sketch|drawing|print|engraving|etching|illustration|art|watercolou?r|poster|"
    r"vector|cartoon|icon"
)


def _style(text: str) -> tuple[str, str | None]:
    """Cut a style phrase out of the prompt: "…, in the style of a woodcut" → "woodcut",
    "…, oil painting" → "oil painting"."""
    patterns = [
        r"\b(?:in|with)\s+(?:the\s+)?(?:style|manner)\s+of\s+(?:an?\s+|the\s+)?([^,;.]+)",
        # said first, of what it shows: "children's book illustration of a farmer" (a bare
        # "a drawing of a cat" names no style)
        r"^\s*(?:an?\s+)?((?!an?\s)[a-z'-]+(?:\s[a-z'-]+)*\s(?:" + STYLE_WORDS + r"))\s+of\s+",
        r"\b(?:in|as)\s+(?:an?\s+)?([a-z' -]+?)\s+style\b",
        r"\b([a-z'-]+(?:\s[a-z'-]+)?)\s+style\b",
        r"\bstyle\s*[:=]\s*([^,;.]+)",
        r"[,;]\s*(?:as\s+|in\s+)?(?:an?\s+)?([a-z' -]*?(?:" + STYLE_WORDS + r"))\s*$",
        r"\b(?:as|in)\s+(?:an?\s+)?([a-z' -]*?(?:" + STYLE_WORDS + r"))\s*$",
    ]
    for pattern in patterns:
        found = re.search(pattern, text)
        if found:
            return text[: found.start()] + " , " + text[found.end() :], found.group(1).strip()
    for name in [*finish.SAID_FIRST, *sorted(style_names.NAMES, key=len, reverse=True)]:
        found = re.search(r"\b" + re.escape(name) + r"\b", text)
        if found:
            return text[: found.start()] + " " + text[found.end() :], name
    return text, None


# Words to write, not to draw: after a label ("caption: killed it today", to the end of the
# prompt), or in quotes after a word that says so ('a sign saying "open"', 'with the text
# "sale"'). The phrase that introduces them goes too; a sign itself is still drawn.
CAPTION_PATTERNS = (
    r"[,;]?\s*\b(?:caption|captioned|text|title|headline|tagline|slogan|lettering|words)\s*:\s*"
    r"[\"'“‘]?(?P<words>[^\"”’]+?)[\"'”’]?\s*$",
    r"[,;]?\s*\b(?:saying|that says|which says|says|reading|that reads|reads|captioned|titled"
    r"|with the (?:words?|text|caption|title|slogan)|and the (?:words?|text|caption))\s*"
    r"[\"“‘'](?P<words>[^\"”’]+)[\"”’']",
    # Chinese: "配文：…", "门上写着“…”"
    r"[，,；;]?\s*(?:配文|文字|字幕|标题|标语|文案)\s*[：:]\s*[“「\"']?(?P<words>[^”」\"']+?)[”」\"']?\s*$",
    r"(?:上面)?(?:写着|写上|印着|印上|写有)\s*[：:]?\s*[“「\"'](?P<words>[^”」\"']+)[”」\"']",
)
MAX_CAPTION_CHARS = 80


def _caption(text: str) -> tuple[str, str | None]:
    """Cut the words to write out of the prompt: (the rest, the words)."""
    for pattern in CAPTION_PATTERNS:
        found = re.search(pattern, text, flags=re.IGNORECASE)
        if found and found.group("words").strip():
            words = " ".join(found.group("words").split())[:MAX_CAPTION_CHARS]
            return text[: found.start()] + " " + text[found.end() :], words
    return text, None


# Words that name the code after them ("order x7f3k9q2", "sku 12345"): left out with it.
CODE_LABELS = {
    "order", "ref", "reference", "sku", "model", "id", "no", "number", "code", "item",
    "invoice", "serial", "version", "batch", "lot", "part", "product", "ticket", "job",
}  # fmt: skip
MAX_COUNT_DIGITS = 3  # a longer number is a code or a year, never a count


# Contractions said in full, possessives as the word that owns ("the cat's bowl": a cat
# bowl). Read as words, "he's walking" was three of "he'" walking, "it's raining" a
# subject called "it's", and "my grandma's 90th" could not be read.
CONTRACTIONS = (
    (r"\b(he|she|it|there|that|here|what|who)'s\b", r"\1 is"),
    (r"\b(they|we|you)'re\b", r"\1 are"),
    (r"\bi'm\b", "i am"),
    (r"\bcan't\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\b([a-z]+)n't\b", r"\1 not"),
    (r"\b([a-z]+)'(?:ll|ve|d)\b", r"\1"),
    (r"\b([a-z]+)'s\b", r"\1"),
    (r"\b([a-z]+s)'(?![a-z])", r"\1"),
)


def _without_apostrophes(text: str) -> str:
    text = text.replace("\u2019", "'")
    for pattern, replacement in CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return text


def _tokens(text: str) -> list[str]:
    """Words, counts and punctuation. A run of letters and digits is not drawn: a code
    ("x7f3k9q2", with the word that names it), a format ("4k", "3d", "35mm", "1080p"), an
    ordinal ("2nd") or a long number; read as a count and a word, "4k" was four k's. A
    word joined to a participle describes ("a tree-lined avenue", "a moss-covered rock",
    "a sun-lit meadow"): its noun is not a subject (a tram was set on a tree)."""
    tokens: list[str] = []
    text = _without_apostrophes(text.lower())
    text = re.sub(r"\b[a-z]+-(?:[a-z]+ed|lit|clad|built|made|grown)\b", " ", text)
    text = VIEWS.sub(" ", text)
    for token in re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[,;.]", text):
        word = token.split("'")[0]
        if word.isalpha() or token in ",;." or word.isdigit() and len(word) <= MAX_COUNT_DIGITS:
            tokens.append(token)
        elif tokens and tokens[-1] in CODE_LABELS:
            tokens.pop()
    return tokens


def _relation_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The relation phrase starting at token i and its length, if any."""
    for phrase, relation in RELATIONS:
        parts = phrase.split()
        if tokens[i : i + len(parts)] == parts:
            return relation, len(parts)
    return None


def _is_noun_like(token: str) -> bool:
    return "NOUN" in parts_of_speech(token) or not parts_of_speech(token)


def _is_verb(tokens: list[str], i: int) -> bool:
    """A verb that ends a noun phrase ("sitting", "eats"); not a word that only looks like
    one where it stands: "a log", "a dining table", "two sleeping cats"."""
    token = tokens[i]
    pos = parts_of_speech(token)
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token in ING_NOUNS:  # "children building a sandcastle": a verb before its object
        return after in NUMBERS and _is_noun_like(before) and before not in DETERMINERS
    if token in NUMBERS or token in COLOURS:
        return False
    first = before in ("", ",") and after not in FILLER | DETERMINERS
    if token in POSES and first and _is_noun_like(after):
        return False  # the prompt's first word: "dancing girl", "sleeping cats on a sofa"
    opens = before in NUMBERS or before in DETERMINERS or before in COLOURS or before in SIZES
    opens = opens or parts_of_speech(before) == {"ADJ"}  # "a wooden chopping board"
    if opens and (not token.endswith("ing") or _is_noun_like(after) and after not in FILLER):
        return False
    if token.endswith("ing") and "VERB" in pos:
        return True
    return bool(pos) and pos <= {"VERB", "ADV"}


def read_english(prompt: str) -> str:
    """The prompt as English words: a Chinese prompt is read by chinese.to_english (which
    raises chinese.Unreadable naming what it cannot read)."""
    return chinese.to_english(prompt) if chinese.is_chinese(prompt) else prompt


def parse(prompt: str) -> Scene:
    """The scene a prompt describes (see the module docstring)."""
    scene = Scene()
    written, scene.caption = _caption(prompt)
    english = read_english(written)
    if english == written:
        english = spelling.corrected(written)  # "a wooden tabel"
    if english != written:
        scene.reading = english
    text, scene.style = _style(english.lower())
    for phrase, state in STATES.items():
        text = text.replace(phrase, state)
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
        if token == "of" and current and i + 1 < len(tokens) and lemma(tokens[i + 1]) in DRINKS:
            current.insert(len(current) - 1, tokens[i + 1])  # "a glass of milk": a milk glass
            i += 2
            continue
        if token == "of" and current and lemma(current[-1]) in PARTS:
            current = []  # "on the roof of a henhouse": on the henhouse
            i += 1
            continue
        if token == "of" and current and lemma(current[-1]) in CONTAINERS:
            following = tokens[i + 1 : i + 3]
            if not any(lemma(t) in DRINKS for t in following):
                chunks.append((relation, current))  # "a vase of flowers": flowers in it
                relation, current = "holding_in", []
                i += 1
                continue
        if token in (",", ";", ".", "and", "or", "while", "where") or _is_verb(tokens, i):
            if token in POSES and current:
                current.append(token)  # "cats sleeping on a sofa": sleeping cats
            chunks.append((relation, current))
            relation = {"and": "and", "or": "and", ",": "comma", ";": "comma"}.get(token, "beside")
            current = []
            i += 1
            continue
        current.append(token)
        i += 1
    chunks.append((relation, current))
    _join(scene, chunks)
    # one relation said twice ("a cat and a dog, the cat to the left of the dog") is one
    scene.relations = [r for i, r in enumerate(scene.relations) if r not in scene.relations[:i]]
    scene.timed = bool(scene.time)
    if not scene.time:
        night_sky = any(s.noun in ("moon", "star") for s in scene.subjects)
        scene.time = "night" if night_sky else "day"
    return scene


def _join(scene: Scene, chunks: list[tuple[str | None, list[str]]]) -> None:
    """Read each chunk and record how it stands to the ones before."""
    group: list[int] = []  # the subjects a following relation applies to
    between: list[int] = []  # "a cat between a dog and a horse": waiting for the horse
    related = False  # a relation was read since the last comma: a comma starts anew
    named: list[int] = []  # subjects in the order they were last named (for "it")
    placed: list[int] = []  # what the last place was said of: "a girl under a tree reading…"
    worn: tuple[str, list[int]] | None = None  # "wearing a scarf and a hat": the hat too
    for joined_by, chunk in chunks:
        words = [t for t in chunk if t not in DETERMINERS and t not in NUMBERS]
        body = [w for w in words if lemma(w) in BODY_PARTS]
        owner = words[-2] if len(words) > 1 else ""  # "on a pirate's shoulder": on him
        sided = owner in ("left", "right", "front", "back", "upper", "lower", "other")
        if body and body[-1] == words[-1] and "NOUN" in parts_of_speech(owner) and not sided:
            chunk = words = [owner]
            body = []
        if named and body and (body[-1] == words[-1] or chunk[0] in ("its", "their", "his")):
            continue  # "floating on their backs", "its tail spread": the one before's pose
        if named and words and chunk[0] in OWNERS and lemma(words[-1]) in OWN_PARTS:
            continue  # "from its trunk"
        if joined_by == "in" and words and lemma(words[-1]) == "cloud":
            if "sky" not in scene.places:  # "a castle in the clouds": up in the sky
                scene.places.append("sky")
            continue
        part = len(words) == 1 and lemma(words[0]) in PARTS
        if words and (part or all(t in PRONOUNS for t in words)):  # "above it", "the lid"
            earlier = [n for n in named if n not in group]
            # "it" is the last one thing named, "them" the last many: "a lighthouse between
            # two sailboats, seven seagulls above it" put the gulls above the sailboats
            many = words[-1] == "them"
            agreeing = [n for n in earlier if (scene.subjects[n].count > 1) == many]
            earlier = agreeing if words[-1] in ("it", "them") and agreeing else earlier
            index: int | None = earlier[-1] if earlier else None
        else:
            index = _read_chunk(chunk, scene)
        if index is None:
            continue
        again = index in named and joined_by == "comma"  # ", the boat left of it"
        named = [n for n in named if n != index] + [index]
        if again:  # named again to be placed: what follows is said of it alone
            group, placed, related = [index], [], False
            continue
        if joined_by in ("with", "in") and scene.subjects[index].noun in CLOTHES:
            joined_by = "wearing"  # "a snowman with a hat", "a penguin in a scarf": worn
        if joined_by == "with" and scene.subjects[index].noun in HELD:
            joined_by = "holding"  # "a woman with an umbrella": she holds it
        if joined_by == "comma":
            joined_by = None if related else "and"
            related = False
        if joined_by == "together":
            joined_by = "and"
        if joined_by in REVERSED:  # held or worn by the thing, not by its place
            # ...but what "a plate of biscuits" holds is in the plate, the word before "of"
            # (after "a cup beside" they went into the cup)
            holders = group if joined_by == "holding_in" else placed or group
            for member in holders:
                if member != index:
                    scene.relations.append(Relation(index, REVERSED[joined_by], member))
            related = True
            worn = (REVERSED[joined_by], list(holders)) if joined_by != "holding_in" else None
        elif (
            joined_by == "and" and worn is not None and scene.subjects[index].noun in CLOTHES | HELD
        ):
            for member in worn[1]:
                if member != index:
                    scene.relations.append(Relation(index, worn[0], member))
        elif joined_by in RELATION_NAMES or joined_by in ("between", "with"):
            _relate(scene, group, joined_by, index)
            pair = joined_by == "between" and scene.subjects[index].count < 2
            between = list(group) if pair else []
            placed = list(group)
            group = [index]
            related, worn = True, None
        elif joined_by == "and" and between:
            for member in between:
                scene.relations.append(Relation(member, "left_of", index))
            between = []
            group.append(index)
        elif joined_by == "and" and not related:
            group.append(index)
        else:  # "a tree left of a house and a car …": the car starts a new group
            group, placed = [index], []
            related, worn = False, None


def unreadable(scene: Scene) -> str | None:
    """Why the prompt cannot be drawn, if it cannot: a subject in words no dictionary of
    ours knows ("zorbly quenfaxes"), or nothing read at all."""
    unknown = [s.text for s in scene.subjects if not s.painted and not known_word(s.noun)]
    if unknown:
        return "could not read " + ", ".join(f"'{t}'" for t in unknown) + " in the prompt"
    said = scene.places or scene.season or scene.weather != "clear" or scene.timed
    if not scene.subjects and not said:
        return "found nothing to draw in the prompt: name a thing or a place"
    return None


def not_english(prompt: str) -> list[str]:
    """The prompt's Latin-script words that are not English, when they are too many for it
    to be English (as the text engines judge: three words or more, under half of them
    English); else none. Every word counts, capitalised ones too, as German capitalises
    its nouns. This module's own `is_english` will not do: the CMU dictionary it reads
    knows many foreign words as names ('im', 'parc'), and "Ein Hund im Park" drew nothing
    but a park, "eine Katze auf dem Sofa" a sofa."""
    found = [w.lower() for w in language.WORD.findall(prompt) if not chinese.is_chinese(w[0])]
    return language.not_english(found)


def known_word(noun: str) -> bool:
    return is_english(noun) or noun in KIN or noun in GENERIC or noun in HEIGHTS


def _relate(scene: Scene, members: list[int], name: str, target: int) -> None:
    """Record `members name target`; "between two trees" stands the trees around it; "a
    house with a bird above it" ties the bird to the house only weakly until "above"."""
    for member in members:
        if member == target:
            continue
        if name == "between" and scene.subjects[target].count >= 2:
            scene.relations.append(Relation(target, "around", member))
        elif name == "between":
            scene.relations.append(Relation(member, "right_of", target))
        elif name == "with":
            scene.relations.append(Relation(target, "beside", member, weak=True))
        else:
            scene.relations.append(Relation(member, name, target))


def _scene_word(token: str) -> bool:
    return token in PLACES or token in WEATHER or token in SEASONS or token in TIMES


def _read_chunk(chunk: list[str], scene: Scene) -> int | None:
    """Take scene words out of a chunk; add its subject, if it names one, to the scene.

    A word before a scene word describes the scene, not a subject: "a calm sea", "a
    wheat field"; a scene word before a noun names a kind: "a christmas tree"."""
    count: int | None = None
    colour: str | None = None
    shade = 1.0
    size = 1.0
    modifiers: list[str] = []
    nouns: list[str] = []
    for k, token in enumerate(chunk):
        after = chunk[k + 1] if k + 1 < len(chunk) else ""
        if token.isdigit():
            count = int(token)
        elif token in NUMBERS and not (token in ("school", "family") and after != "of"):
            count = max(count or 0, NUMBERS[token]) if token not in ("a", "an") else count or 1
        elif token in COLOURS and not (after in PLACES and not nouns):
            colour = token
        elif token in SHADES and not (nouns and not after):  # not "a traffic light"
            shade = SHADES[token]
        elif token in SIZES:
            size = SIZES[token]
            if token == "baby":
                modifiers.append(token)
        elif _scene_word(token) and _is_noun_like(after) and not _scene_word(after) and after:
            modifiers.append(token)  # "christmas tree", "kitchen table": a kind of thing
            if token in PLACES and PLACES[token] not in scene.places:
                scene.places.append(PLACES[token])
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
        elif token in DETERMINERS or token in FILLER or token in PORTIONS:
            continue
        elif token in POSES:
            modifiers.append(token)  # "horses running": running horses
        elif after in PLACES and not nouns:
            if "NOUN" in parts_of_speech(token) and "ADJ" not in parts_of_speech(token):
                scene.materials.append(token)  # "a wheat field", "a brick wall"
        elif _is_noun_like(token):
            nouns.append(token)
        else:
            modifiers.append(token)
    if not nouns and chunk and (chunk[-1] in FRUIT_COLOURS or chunk[-1] in COLLECTIVES):
        # "an orange", "a school": the last word was a noun after all.
        nouns = [chunk[-1]]
        colour = None if chunk[-1] == colour else colour
        count = None if chunk[-1] in COLLECTIVES else count
    if not nouns and modifiers and chunk[-1] == modifiers[-1] and chunk[-1] not in POSES:
        nouns = [modifiers.pop()]  # "a log": a word the dictionary knows only as a verb
    if not nouns and "baby" in modifiers:  # "a baby asleep": the baby, not a small thing
        modifiers.remove("baby")
        nouns = ["baby"]
    if not nouns:
        if colour is not None:
            scene.colours.append(colour)
        return None
    compound = [COMPOUNDS.get(" ".join(lemma(t) for t in chunk[-n:])) for n in (2, 1)]
    named = next((c for c in compound if c), None)
    if named in PLACES:  # "on the sea floor", "a tree-lined avenue": the scene's place
        if PLACES[named] not in scene.places:
            scene.places.append(PLACES[named])
        return None
    if named:  # "a lamp post", "a street lamp": one thing
        nouns, modifiers = [named], []
    ends = [" ".join(lemma(t) for t in chunk[-n:]) for n in (2, 1)]
    said = next((end for end in ends if end in NAMED_KINDS), "")
    titled_kind = None
    if said:  # "a steam train": what the library calls it
        titled, titled_kind = NAMED_KINDS[said]
        nouns = [titled]
        modifiers = [m for m in modifiers if lemma(m) not in said.split()]
    head = nouns[-1]
    noun = lemma(head)
    stormy = [WEATHER[t] for t in chunk if WEATHER.get(t) in ("storm", "rain", "cloudy")]
    if noun == "cloud" and stormy:  # "storm clouds": the weather's sky, not white clouds
        scene.weather = stormy[0]
        return None
    if chunk[0] == "the" and count is None:  # "the house": the one already named
        for index, known in enumerate(scene.subjects):
            if known.noun == noun:
                return index
        for index, known in enumerate(scene.subjects):  # "a sailboat … the boat"
            if _same_thing(known.noun, noun):
                return index
    plural = head != noun or head in ("sheep", "deer", "fish")
    plural = plural and head not in PAIRED  # a pair of sunglasses is one thing
    if head in PAIRED and "pair" in chunk:
        count = 1
    plural = plural or bool(said) and lemma(chunk[-1]) != chunk[-1]  # "steam trains"
    if count is None:
        count = 3 if plural and head not in ("sheep", "deer", "fish") else 1
    if len(scene.subjects) >= MAX_SUBJECTS:
        scene.dropped.append(" ".join(chunk))
        return None
    rgb = None
    if colour is not None:
        r, g, b = (int(min(255, max(0, c * shade))) for c in COLOURS[colour])
        rgb = (r, g, b)
    kinds = [lemma(n) for n in nouns[:-1]]
    # a noun before it ("willow" tree), or a word that makes it another thing ("hot" dog)
    kinds += [
        m
        for m in modifiers
        if (_is_noun_like(m) or f"{m} {noun}" in ANOTHER_THING) and m not in POSES
    ]
    named_kind = [titled_kind] if titled_kind else []
    kinds += named_kind
    query = " ".join([*modifiers, *named_kind, *[lemma(n) for n in nouns]])
    subject = Subject(
        noun=noun,
        query=query,
        text=" ".join(chunk),
        count=max(1, min(count, MAX_COUNT)),
        colour=colour,
        rgb=rgb,
        size=size,
        painted=noun in PAINTED,
        kind=" ".join(kinds) or None,
    )
    scene.subjects.append(subject)
    return len(scene.subjects) - 1


def _same_thing(named: str, noun: str) -> bool:
    """`noun` is a broader word for a thing already `named`: "the boat" for a sailboat
    (a word before it: not "the ant" for an elephant), "the bird" for a robin, "the cat"
    for a kitten."""
    compound = named.endswith(noun) and bool(parts_of_speech(named[: -len(noun)]))
    return compound or GENERIC.get(named) == noun or noun in kin_of(named)


def summary(scene: Scene) -> str:
    """One line a person can read: what was understood."""
    parts = [f"{s.count}× {s.colour + ' ' if s.colour else ''}{s.query}" for s in scene.subjects]
    relations = [
        f"{scene.subjects[r.subject].noun} {r.relation} {scene.subjects[r.target].noun}"
        for r in scene.relations
    ]
    return "; ".join(parts + relations)
