"""Things a figure of a person is drawn with: the bicycle a girl rides, the boat a man rows,
the wheelchair a person sits in. The emoji library's figures draw the person and the thing
as one ("cycling woman on a bicycle"), so where such a figure is chosen the thing is not
drawn a second time beside it: it is carried by the figure, and the work's record says so.
"""

from __future__ import annotations

from dataclasses import replace

from atelier.engines.image.compose import emoji
from atelier.engines.image.compose.choose import PEOPLE, Choice, doing_of
from atelier.engines.image.compose.prompt import NUMBERS, Relation, Scene, Subject
from atelier.engines.image.compose.words import DOERS, DOING, GENERIC, kin_of

# A thing, and what a person on or in it is drawn doing.
CARRIED = {
    "bicycle": "cycling", "bike": "cycling", "boat": "rowing", "rowboat": "rowing",
    "canoe": "rowing", "kayak": "rowing", "wheelchair": "wheelchair",
    "surfboard": "surfing", "ski": "skiing", "horse": "racing", "golfclub": "golfing",
    "bed": "sleeping", "bathtub": "bathing", "bath": "bathing",
}  # fmt: skip
RIDDEN = ("on", "in")  # the relations that put a person on or in the thing
HELD = "held_by"  # the thing in a person's hands: "a man swinging a golf club"


def _person(noun: str) -> bool:
    """A person: by name, by kin, by what they do or by the person drawn for them (a
    grandmother is drawn as a woman)."""
    return noun in DOERS or bool(kin_of(noun) & PEOPLE) or GENERIC.get(noun) in PEOPLE


def ask(scene: Scene) -> None:
    """A person on or in a carried thing, or holding it, is asked to be doing what it is
    for ("a girl riding a bicycle": cycling), unless the prompt says what they do. A horse
    asks nothing of its rider: only a jockey's figure shows one."""
    for r in scene.relations:
        if r.relation not in (*RIDDEN, HELD):
            continue
        who, what = (r.target, r.subject) if r.relation == HELD else (r.subject, r.target)
        person, thing = scene.subjects[who], scene.subjects[what]
        doing = CARRIED.get(thing.noun)
        if doing in (None, "racing") or not _person(person.noun):
            continue
        if person.doing is None and not any(w in DOING for w in person.query.split()):
            scene.subjects[who] = replace(person, doing=doing)


def merge(scene: Scene, choices: list[Choice]) -> tuple[Scene, list[Choice]]:
    """The scene and choices without the things a chosen figure already draws; each such
    figure's choice names what it carries."""
    for j, thing in enumerate(scene.subjects):
        doing = CARRIED.get(thing.noun)
        for i, choice in enumerate(choices):
            entry = choice.entry
            if i == j or doing is None or entry is None or doing not in entry.title_words:
                continue
            if not emoji.is_figure(entry.path):  # a sleeping cat lies beside its bed
                continue
            linked = any({r.subject, r.target} == {i, j} for r in scene.relations)
            asked = doing in doing_of(choice.subject)
            # one each ("two girls on bicycles"), never one shared: two rowers in a boat
            if (linked or asked) and (thing.count == choice.subject.count or _bare_plural(thing)):
                choice.carries.append(thing.noun)
                return merge(_without(scene, j, i), choices[:j] + choices[j + 1 :])
    return scene, choices


def _bare_plural(thing: Subject) -> bool:
    """Several without a number: "bikes", not "a boat" or "three boats"."""
    numbered = any(w.isdigit() or w in NUMBERS for w in thing.text.split())
    return thing.count > 1 and not numbered


def _without(scene: Scene, j: int, into: int) -> Scene:
    """The scene without subject `j`: its relations with `into` go, others name `into`
    in its place, and the subjects after it move down one."""

    def moved(k: int) -> int:
        k = into if k == j else k
        return k - 1 if k > j else k

    relations = [
        Relation(moved(r.subject), r.relation, moved(r.target), r.weak)
        for r in scene.relations
        if {r.subject, r.target} != {j, into}
    ]
    return replace(
        scene, subjects=scene.subjects[:j] + scene.subjects[j + 1 :], relations=relations
    )
