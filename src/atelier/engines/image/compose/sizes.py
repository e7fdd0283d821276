"""How big things are and where they belong, so that a cat beside a house is smaller
than the house, a bird flies and a boat floats.

Heights in metres for common nouns; any other noun takes the height of the listed noun
nearest to it in meaning (a "fox" is sized like a "dog")."""

from __future__ import annotations

import re
import threading

import numpy as np

from atelier import embeddings
from atelier.engines.image.compose.words import wordset


def _table(text: str) -> dict[str, float]:
    return {
        name.strip(): float(value)
        for name, value in (pair.split("=") for pair in re.split(r",\s*", text.strip()))
    }


HEIGHTS = _table("""
person=1.7, man=1.8, woman=1.7, boy=1.3, girl=1.3, child=1.2, baby=0.6, king=1.8,
soldier=1.8, knight=1.9, robot=1.6, astronaut=1.8, wizard=1.8, angel=1.8, clown=1.7,
cat=0.3, kitten=0.22, dog=0.6, puppy=0.35, fox=0.45, wolf=0.8, bear=1.4, horse=1.7,
cow=1.5, bull=1.6, pig=0.9, sheep=0.9, goat=0.8, deer=1.3, elephant=3.2, giraffe=5.0,
lion=1.2, tiger=1.1, monkey=0.7, rabbit=0.3, mouse=0.08, squirrel=0.25, camel=2.0,
kangaroo=1.6, zebra=1.5, dinosaur=4.0, dragon=4.0, unicorn=1.8, penguin=0.8,
chicken=0.4, rooster=0.5, hen=0.4, duck=0.4, swan=0.9, goose=0.7, owl=0.45,
duckling=0.15, gosling=0.2, cygnet=0.3, chick=0.1, coral=0.5, reef=1.0, stool=0.75,
eagle=0.8, bird=0.25, parrot=0.4, flamingo=1.3, turtle=0.3, frog=0.1, snake=0.3,
lizard=0.15, crocodile=0.5, fish=0.3, dolphin=1.0, whale=4.0, shark=1.5, octopus=0.8,
butterfly=0.08, bee=0.03, ladybug=0.02, spider=0.05, snail=0.05, insect=0.05,
tree=8.0, pine=10.0, palm=8.0, bush=1.2, flower=0.4, rose=0.5, sunflower=1.6,
tulip=0.4, cactus=1.5, mushroom=0.15, plant=0.6, grass=0.2, leaf=0.1,
house=7.0, cottage=5.0, castle=18.0, church=15.0, tower=25.0, lighthouse=18.0,
windmill=14.0, barn=8.0, building=20.0, skyscraper=60.0, hut=3.5, tent=2.0,
temple=12.0, bridge=8.0, fence=1.2, wall=2.0, gate=2.0, well=1.5, fountain=2.0,
car=1.5, truck=3.0, bus=3.2, train=4.0, bicycle=1.1, motorcycle=1.2, tractor=2.5,
engine=3.0, locomotive=4.0, boat=3.0, sailboat=8.0, ship=15.0, airplane=4.0,
helicopter=3.5, rocket=20.0,
balloon=0.5, kite=0.8, ufo=4.0,
table=0.8, chair=1.0, sofa=0.9, couch=0.9, bed=0.6, lamp=0.6, clock=0.4, vase=0.4,
television=0.7, computer=0.45, piano=1.3, guitar=1.0, violin=0.6, drum=0.6, book=0.25,
cup=0.1, mug=0.1, bottle=0.3, glass=0.15, teapot=0.2, plate=0.05, bowl=0.1,
apple=0.09, orange=0.09, banana=0.2, pear=0.1, grape=0.15, cherry=0.05,
strawberry=0.04, cake=0.15, shortcake=0.1, bread=0.12, pizza=0.05, candle=0.25, umbrella=1.0,
hat=0.2, shoe=0.12, ball=0.22, box=0.4, basket=0.35, bag=0.4, key=0.06,
sun=1.0, moon=1.0, star=1.0, cloud=1.0, rainbow=1.0, rock=0.8, stone=0.3,
branch=0.7, streetlamp=4.0, powerline=7.0,
bench=0.9, log=0.5, ladder=2.5, stump=0.5, snowman=1.6, scarecrow=1.8
""")
# Heights of things only the game icons draw, for the noun itself: never the nearest
# listed noun of another (by meaning a firefighter is near a fireplace, a crown a throne).
OWN_HEIGHTS = _table("""
kennel=0.9, wheelbarrow=0.8, throne=1.6, beehive=0.5, bucket=0.35, fireplace=1.2,
garage=3.0, silo=12.0, bamboo=5.0, air balloon=15.0, lily pad=0.05
""")

# Usual width / height of a whole figure (a head or a bust is squarer than a person).
ASPECTS = _table("""
person=0.42, man=0.42, woman=0.42, boy=0.45, girl=0.45, child=0.5, king=0.45,
soldier=0.42, knight=0.5, robot=0.6, astronaut=0.5, wizard=0.5, angel=0.8, clown=0.5,
baby=0.8, cat=1.0, kitten=1.0, dog=1.1, puppy=1.0, fox=1.4, wolf=1.4, bear=1.3,
horse=1.25, cow=1.5, bull=1.5, pig=1.5, sheep=1.3, goat=1.2, deer=1.0, elephant=1.3,
giraffe=0.7, lion=1.4, tiger=1.6, monkey=0.9, rabbit=0.9, mouse=1.5, squirrel=1.0,
camel=1.2, kangaroo=0.8, zebra=1.4, dinosaur=1.5, dragon=1.4, penguin=0.55,
chicken=1.0, rooster=0.9, duck=1.1, swan=1.1, owl=0.6, eagle=1.6, bird=1.2,
flamingo=0.6, turtle=1.5, frog=1.2, snake=2.0, lizard=2.0, crocodile=3.0, fish=1.8,
dolphin=2.0, whale=2.8, shark=2.5, butterfly=1.3, tree=0.75, pine=0.5, palm=0.8,
flower=0.6, sunflower=0.4, cactus=0.6, house=1.2, castle=1.3, church=0.8,
tower=0.35, lighthouse=0.4, windmill=0.7, barn=1.3, skyscraper=0.3, tent=1.5,
car=2.2, truck=2.3, engine=2.3, locomotive=1.5, bus=2.5, train=3.0, bicycle=1.6,
motorcycle=1.6, tractor=1.6,
boat=1.4, sailboat=0.9, ship=1.8, airplane=1.8, helicopter=1.8, rocket=0.35,
balloon=0.7, table=1.4, chair=0.6, sofa=2.0, couch=2.0, bed=1.6, lamp=0.5,
piano=1.3, guitar=0.4, bottle=0.35, cup=1.2, umbrella=1.0
""")

# A person drawn doing something is as tall as the whole drawing (the boat, the horse, the
# wave in it); those on the water float.
DOING_HEIGHTS = _table("""
rowing=1.3, swimming=0.7, surfing=2.0, cycling=1.8, racing=2.5, skiing=1.7,
climbing=2.2, kneeling=1.2, meditating=1.0, cartwheeling=1.6, sleeping=0.9, bathing=1.0
""")
DOING_ON_WATER = wordset("rowing swimming surfing")

# Things that fly (placed in the sky unless something holds them) and that float.
FLYERS = wordset(
    "bird eagle seagull gull crow dove pigeon swallow bat butterfly bee dragonfly "
    "airplane plane aeroplane jet helicopter balloon kite ufo angel dragon fairy "
    "sun moon star cloud rainbow"
)
FLOATERS = wordset("boat sailboat ship yacht canoe kayak swan duck goose") | {"lily pad"}
WADERS = wordset("swan duck goose")  # they float, and they walk beside what stands on land
SWIMMERS = wordset("fish dolphin whale shark octopus jellyfish seahorse")

_lock = threading.Lock()
_names: list[str] = []
_vectors: np.ndarray | None = None


def _similarity(phrase: str) -> np.ndarray:
    """How near in meaning `phrase` is to each listed noun (in HEIGHTS' order)."""
    global _vectors
    with _lock:
        if _vectors is None:
            _names.extend(HEIGHTS)
            _vectors = embeddings.embed([f"a {name}" for name in _names])
        vectors = _vectors
    return np.asarray(vectors @ embeddings.embed([f"a {phrase}"])[0])


def height(noun: str, kind: str | None = None) -> tuple[float, str]:
    """The noun's height in metres, and the listed noun it was taken from (a kind of it
    with a height of its own: a hot *air* balloon is no toy balloon)."""
    if kind and f"{kind} {noun}" in OWN_HEIGHTS:
        return OWN_HEIGHTS[f"{kind} {noun}"], f"{kind} {noun}"
    if noun in HEIGHTS:
        return HEIGHTS[noun], noun
    if noun in OWN_HEIGHTS:
        return OWN_HEIGHTS[noun], noun
    similarity = _similarity(noun)
    best = int(np.argmax(similarity))
    if similarity[best] < 0.45:
        return 1.0, ""
    return HEIGHTS[_names[best]], _names[best]


def nearest(phrase: str) -> list[str]:
    """The listed nouns, the nearest in meaning to `phrase` first: what a refusal offers
    to draw instead of a thing the library lacks."""
    return [_names[i] for i in np.argsort(-_similarity(phrase))]


def unlike(noun: str, metres: float) -> frozenset[str]:
    """Listed nouns of a very different size: a drawing that names one is something else."""
    return frozenset(
        name for name, h in HEIGHTS.items() if name != noun and max(h / metres, metres / h) > 2.5
    )


def aspect(noun: str, like: str) -> float | None:
    """The usual width / height of the thing, when known (for the noun or its like)."""
    return ASPECTS.get(noun) or ASPECTS.get(like)


def habitat(noun: str, like: str) -> str:
    """Where it goes: "sky", "water" (floats on it), "underwater" or "ground"."""
    for name in (noun, like):
        if name in FLYERS:
            return "sky"
        if name in FLOATERS:
            return "water"
        if name in SWIMMERS:
            return "underwater"
    return "ground"
