"""Which drawing stands for a subject: one whose own words name it (never one found by
meaning alone), of the kind asked for where the library has it, whole (not a head),
showing nothing else the prompt asks for, and different ones for the copies of a count.

What stood in for what was asked (a tree for a willow tree) is said in `Choice.generic`,
which the work's record carries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from atelier.engines.image.compose import emoji, index, props, reviewed, sizes
from atelier.engines.image.compose.prompt import Subject
from atelier.engines.image.compose.words import (
    ANOTHER_THING,
    DOERS,
    DOING,
    GENERIC,
    kin_of,
    lemma,
    with_kin,
    wordset,
)

# A drawing stands for a noun only if its own words name it; below this score even one
# that does is too poor (an icon, a head, a framed scene) to use.
NAMED_THRESHOLD = 0.3
HEADED_THRESHOLD = 0.15  # its title's head noun is the noun: a title in Italian, say
PROP_THRESHOLD = 0.5  # a poorer drawing than this gives way to a painted prop
# Candidates this close to the best are equally good: the seed picks among them, and the
# copies of a counted subject take different ones where there are several.
TIE = 0.03
COPIES_TIE = 0.12
# Folders named by a thing: a drawing filed under computer hardware is a computer part (its
# "tower" is a PC case), never a thing of another size than a computer (a clock tower).
THING_FOLDERS = wordset("computer")
# People: never drawn from a drawing known only by its file name (see _file_named).
PEOPLE = wordset(
    "man woman boy girl child person farmer king queen knight doctor nurse chef shepherd "
    "fisherman soldier baker teacher postman policeman firefighter"
)
# The young, whom no figure of the emoji library shows doing anything: a grown-up's figure
# is drawn for them at their size, and said (_stand_in).
YOUNG = wordset("girl boy child kid")
YOUNG_AS = {"girl": "woman", "boy": "man"}  # whose figure is tried first, before a person's
# Grown-ups (and those drawn as one: a postman is a man) whose doing the library draws
# only as another's figure (a person in a bed, in a bathtub): that figure is drawn for
# them, and said.
GROWN = wordset("man woman")
# Things drawn standing: a drawing of one whose bottom is a single shape is a head, a bust
# or a portrait more often than a whole figure.
LEGGED = PEOPLE | wordset(
    "dog horse cow bull pig sheep goat deer fox wolf bear lion tiger zebra giraffe "
    "elephant camel donkey pony calf lamb"
)


def a(noun: str) -> str:
    """The noun with its indefinite article, for the reasons users read: "an oak tree"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@dataclass
class Choice:
    """What a subject became: drawings (one per copy where the library has several), a
    painted prop or sky thing, or nothing; and what stood in for what was asked."""

    subject: Subject
    entries: list[index.Entry]
    score: float
    metres: float
    habitat: str
    prop: str | None = None  # the props.py drawing painted for it: "barn" for a henhouse
    generic: str | None = None  # "no drawing of a willow tree: a tree drawn"
    carries: list[str] = field(default_factory=list)  # things its figure draws: "bicycle"

    @property
    def entry(self) -> index.Entry | None:
        return self.entries[0] if self.entries else None

    @property
    def placed(self) -> bool:
        return bool(self.entries or self.prop) or self.subject.painted


def choose(
    clipart: index.ClipArt,
    subject: Subject,
    others: list[str],
    used: set[str],
    rng: np.random.Generator,
) -> Choice:
    """The drawings for a subject: named by their own words, the kind asked for when
    the library has it (else the head noun's, said in `generic`), never one already
    standing for another subject, different ones for the copies where it can."""
    doer = DOERS.get(subject.noun)
    if doer is not None:  # a surfer: a person surfing, where the library draws one
        surfing = _drawn_as(clipart, subject, "person", doer, others, used, rng)
        if surfing is not None:
            return surfing
    metres, like = sizes.height(subject.noun, subject.kind)
    where = sizes.habitat(subject.noun, like)
    if subject.painted:
        return Choice(subject, [], 1.0, metres, where if where != "ground" else "sky")
    kind = frozenset(w for k in (subject.kind or "").split() for w in kin_of(lemma(k)))
    doing = doing_of(subject)
    wanted = index.Wanted(
        query=with_kin(subject.query),
        heads=kin_of(subject.noun),
        kind=kind,
        colour=subject.rgb,
        aspect=sizes.aspect(subject.noun, like),
        unlike=sizes.unlike(subject.noun, metres),
        avoid=frozenset(w for o in others for w in kin_of(o)) - kin_of(subject.noun),
        doing=doing,
    )
    asked = kind | frozenset(subject.query.split())  # a kind the prompt names for it
    person = like == "person" or subject.noun in PEOPLE
    matches = _named(clipart, wanted, asked, used, person)
    clean = _clean(matches, asked)  # nothing unasked beside the subject (a Christmas tree's stand)
    if not props.has(subject.noun) and (not clean or (kind and not any(m.kind for m in clean))):
        # A game icon: of the kind asked before another kind, and of the thing where nothing
        # clean is named for it. A prop painted for the thing comes before any icon.
        icon_matches = _named(clipart, wanted, asked, used, person, last_resort=True)
        clean_icons = _clean(icon_matches, asked)
        clean = [m for m in clean_icons if m.kind] or clean or clean_icons
        matches = matches or icon_matches
    matches = clean or matches  # one with something beside it only where nothing is clean
    active = [m for m in matches if doing & m.entry.title_words]
    if doing and not active and kin_of(subject.noun) & (YOUNG | GROWN):  # none of theirs
        stand_in = _stand_in(clipart, subject, min(doing), metres, others, used, rng)
        if stand_in is not None:
            return stand_in
    if any(m.kind for m in matches):  # the kind asked for, where the library has it
        matches = [m for m in matches if m.kind]
    elif active:  # drawn doing what the prompt says, where the library draws it so
        matches = active
    else:  # the plain thing, titled by the noun alone, before a named kind of it
        plain = [m for m in matches if _plain(m.entry, wanted.heads)]
        if plain or kind:  # none of the kind asked: another kind never stands in for it
            matches = plain
        if any(f"{k} {subject.noun}" in ANOTHER_THING for k in kind):
            matches = []  # nor the plain thing for another thing: a dog for a hot dog
    if any(m.titled for m in matches):  # a title naming it beats a keyword that does
        matches = [m for m in matches if m.titled]
    if subject.noun in LEGGED:  # a whole figure, not a head: see LEGGED
        matches = sorted(matches, key=lambda m: -(m.score - 0.4 * (clipart.feet(m.entry) < 2)))
    if props.has(subject.noun) and (not matches or matches[0].score < PROP_THRESHOLD):
        return Choice(subject, [], 1.0, metres, where, prop=subject.noun)
    if not matches and subject.noun in GENERIC:
        broader = replace(subject, noun=GENERIC[subject.noun], kind=subject.noun)
        choice = choose(clipart, broader, others, used, rng)
        choice.subject = subject
        if like == subject.noun:  # its own size where listed: a duck drawn a duckling's
            choice.metres = metres
        choice.generic = f"no drawing of {a(subject.query)} in the library: {a(broader.noun)} drawn"
        return choice
    if not matches:
        return Choice(subject, [], 0.0, metres, where)
    best = matches[0]
    good = [m for m in matches if m.score >= best.score - TIE and m.kind == best.kind]
    animal = subject.noun in LEGGED - PEOPLE  # a person's legs may be drawn together
    if animal and clipart.feet(best.entry) >= 2:  # heads tie on score alone
        good = [m for m in good if clipart.feet(m.entry) >= 2]
    first = good[int(rng.integers(0, len(good)))]
    copies = [first.entry]
    if emoji.is_figure(first.entry.path):  # a person in one of its skin tones, each copy
        tones = emoji.tones(first.entry.path, first.entry.root)
        picked = rng.permutation(len(tones))[: max(1, subject.count)]
        copies = [replace(first.entry, path=tones[i]) for i in picked]
    elif subject.count > 1:  # other drawings of the kind for the other copies
        near = [m for m in matches if m.score >= best.score - COPIES_TIE and m is not first]
        whole = subject.noun not in LEGGED or clipart.feet(first.entry) < 2
        near = [m for m in near if m.kind == best.kind and (whole or clipart.feet(m.entry) >= 2)]
        copies += [m.entry for m in near][: subject.count - 1]
    generic = None
    if kind and not best.kind:
        generic = f"no drawing of {a(subject.query)} in the library: {a(subject.noun)} drawn"
    shown = first.entry.title_words & sizes.DOING_HEIGHTS.keys()
    if like in ("person", *PEOPLE) and shown:  # the boat, horse or wave is in the drawing
        metres = sizes.DOING_HEIGHTS[min(shown)]
        where = "water" if shown & sizes.DOING_ON_WATER else where
    return Choice(subject, copies, first.score, metres, where, generic=generic)


def _named(
    clipart: index.ClipArt,
    wanted: index.Wanted,
    asked: frozenset[str],
    used: set[str],
    person: bool,
    last_resort: bool = False,
) -> list[index.Match]:
    """The drawings whose own words name the subject, good enough to stand for it, not
    already standing for another; of the game icons alone with `last_resort`, whose names
    were reviewed: there a shape unlike the one guessed for the thing (a kennel's, from a
    couch's) counts for nothing."""
    if last_resort:
        wanted = replace(wanted, aspect=None, unlike=frozenset())
    matches = [
        m
        for m in clipart.search(wanted, limit=24, last_resort=last_resort)
        if m.named
        and not m.other
        and m.entry.path not in used
        and not emoji.is_tile(m.entry.path)
        and m.score >= (HEADED_THRESHOLD if _headed(m.entry, wanted.heads) else NAMED_THRESHOLD)
        and not m.entry.category & THING_FOLDERS & wanted.unlike
        and not _another_thing(m.entry, asked)
        and not reviewed.shown(m.entry.path) & wanted.avoid  # another subject, drawn twice
    ]
    if person:  # never a drawing named by a file only
        matches = [m for m in matches if not _file_named(m)]
    if last_resort:  # nor an icon that draws another subject too: a garage with a car
        matches = [m for m in matches if not m.entry.beside & wanted.avoid]
    return matches


def _clean(matches: list[index.Match], asked: frozenset[str]) -> list[index.Match]:
    """Those whose drawing shows nothing the prompt does not ask for beside the subject
    (reviewed.EXTRAS)."""
    return [m for m in matches if not reviewed.extras(m.entry.path) - asked]


def doing_of(subject: Subject) -> frozenset[str]:
    """What the prompt asks a subject to be doing (words.DOING's values): its own words
    ("rowing man"), what names it (a surfer surfs), or what it rides (carried.ask)."""
    doing = {DOING[w] for w in subject.query.split() if w in DOING}
    doing |= {DOERS[subject.noun]} if subject.noun in DOERS else set()
    doing |= {subject.doing} if subject.doing else set()
    return frozenset(doing)


def _drawn_as(
    clipart: index.ClipArt,
    subject: Subject,
    noun: str,
    doing: str,
    others: list[str],
    used: set[str],
    rng: np.random.Generator,
) -> Choice | None:
    """The subject drawn as a `noun` doing it (a surfer as a person surfing), where the
    library has such a figure; None where it has not."""
    other = replace(subject, noun=noun, query=f"{doing} {noun}", kind=None)
    choice = choose(clipart, other, others, used, rng)
    if choice.entry is None or doing not in choice.entry.title_words:
        return None
    choice.subject = subject
    return choice


def _stand_in(
    clipart: index.ClipArt,
    subject: Subject,
    doing: str,
    metres: float,
    others: list[str],
    used: set[str],
    rng: np.random.Generator,
) -> Choice | None:
    """Someone doing what the library draws only as another's figure, and said: a child
    as a grown-up at the child's size (a woman for a girl, a man for a boy, else a person),
    a man or woman (or one drawn as a man: a postman) as a man's figure, else a person's
    (in a bed, in a bathtub). None where no figure does it."""
    young = bool(kin_of(subject.noun) & YOUNG)
    first = [YOUNG_AS.get(subject.noun)] if young else sorted(kin_of(subject.noun) & GROWN)
    for noun in [n for n in (*first, "person") if n and n != subject.noun]:
        choice = _drawn_as(clipart, subject, noun, doing, others, used, rng)
        if choice is None:
            continue
        if young:
            choice.metres *= metres / sizes.HEIGHTS[noun]
            drawn = choice.entry.head if choice.entry is not None else noun  # a person's, maybe
            choice.generic = (
                f"no drawing of {a(subject.noun)} {doing} in the library: "
                f"{a(drawn)} {doing} drawn, at {a(subject.noun)}'s size"
            )
        else:
            choice.generic = f"{a(noun)} {doing} drawn for {a(subject.noun)} {doing}"
        return choice
    return None


def _plain(entry: index.Entry, heads: frozenset[str]) -> bool:
    """Its title is headed by the noun, names no kind of its own before it and no other
    thing beside it: a "Microphone Stand" is no cake stand, a "Cat Scratching Post" no fence
    post, a "Curling Stone" no stone, and a "couch and lamp" brings a lamp (two children
    stood on its back, which was the lamp's top)."""
    return _headed(entry, heads) and not entry.qualifiers - heads and "and" not in entry.title_words


def _another_thing(entry: index.Entry, asked: frozenset[str]) -> bool:
    """Its title names another thing than its head noun ("flying saucer", "hot dog"),
    unless the prompt's words for the subject ask for it ("a teddy bear")."""
    return any(f"{q} {entry.head}" in ANOTHER_THING and q not in asked for q in entry.qualifiers)


def _file_named(match: index.Match) -> bool:
    """Its title is junk, its file name gives its words, and it is filed away from people
    (and not unsorted): "farmer_onelette.svg", titled "R16 sibmission", is a farmer's
    omelette sandwich filed under food."""
    filed = match.entry.category & {"people", "unsort"}  # folder lemmas: "unsorted" is "unsort"
    return index.junk_title(match.entry.title) and not filed


def _headed(entry: index.Entry, heads: frozenset[str]) -> bool:
    """Its title is headed by the noun ("Cigno", "Church Building")."""
    return entry.head in heads or bool(entry.head_words & heads)
