"""The words a prompt is read with: numbers, colours, sizes, relation phrases, and the
scene's words (times of day, weather, seasons, places). Tables only; prompt.py reads."""

from __future__ import annotations

import re

from atelier.engines.image.compose.words import DOING, wordset

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
FRUIT_COLOURS = frozenset(("orange", "lime", "olive", "coral"))  # colours that are also things
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
    ("leaning against", "leaning_against"),
    ("leaning on", "leaning_against"),
    ("propped against", "leaning_against"),
    ("side by side", "together"),
    ("in a row", "together"),
    ("in a line", "together"),
    ("out of", "in"),
    ("full of", "holding_in"),
    ("filled with", "holding_in"),
    ("hanging from", "on"),
    ("crossing", "on"),  # "a steam train crossing a bridge": on it, not beside it
    ("going over", "on"),
    ("perched on", "on"),
    ("dressed in", "wearing"),
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
    ("past", "beside"),
    ("by", "beside"),
    ("with", "with"),
    ("wearing", "wearing"),
    ("wears", "wearing"),
    ("holding", "holding"),
    ("holds", "holding"),
    ("carrying", "holding"),
    ("swinging", "holding"),  # "a man swinging a golf club"
    ("swings", "holding"),
    # a kite flown flies, not its flier: "a girl flying a kite" chose a drawing for a flying
    # girl (a seated one, which hung in the air); the kite, apart, goes up as kites do
    ("flying a", "beside"),
    ("flying an", "beside"),
    ("flying the", "beside"),
    ("flying his", "beside"),
    ("flying her", "beside"),
    ("flying their", "beside"),
    ("flies a", "beside"),
    ("reading", "holding"),  # "a girl reading a book": the book in her hands
    ("reads", "holding"),
    ("hugging", "holding"),
    ("hugs", "holding"),
    ("eating", "holding"),
    ("eats", "holding"),
    ("riding", "on"),
    ("together", "together"),
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
    ("against", "leaning_against"),
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
    "leaning_against",
    "worn_by",
    "held_by",
)
# Relations read the other way round: "a cat wearing a hat" puts the hat on the cat.
REVERSED = {"wearing": "worn_by", "holding": "held_by", "holding_in": "in"}
CLOTHES = wordset("hat cap crown helmet scarf glasses sunglasses bonnet beret tie bow")
# "A vase of flowers": the flowers in the vase; "a loaf of bread": bread; "a glass of
# milk": a glass (a drink is not drawn apart from what holds it).
CONTAINERS = wordset("vase bowl basket box jar bucket pot bag crate tray plate dish")
PORTIONS = wordset("loaf slice piece bouquet pile stack heap handful bunch")
DRINKS = wordset("milk water tea coffee juice wine beer lemonade soup cocoa honey jam")
HELD = wordset("umbrella parasol balloon flag kite torch lantern bouquet sword wand")
OVERHEAD = wordset("umbrella parasol")  # held over the holder's head (layout._against)
# Flowers cut and put in something that holds water: a bouquet over its rim (layout).
CUT_FLOWERS = wordset("rose flower tulip sunflower daisy lily daffodil orchid carnation peony")
VESSELS = wordset("vase jar jug pot bottle glass bucket pitcher can")
PRONOUNS = wordset("it them him her")
# Where a thing set "on" another stands, as a fraction of that one's drawing height down
# from its top: a seat below a chair's or a sofa's back, a bed below its headboard, a deck
# below a ship's masts, an animal's back below its head; anything else just under its top
# (a table, a roof, a rock).
SURFACES = {
    **dict.fromkeys(wordset("sofa couch armchair chair bench"), 0.5),
    **dict.fromkeys(wordset("bed"), 0.45),
    **dict.fromkeys(wordset("sailboat ship yacht"), 0.72),
    **dict.fromkeys(wordset("boat"), 0.55),
    # a rider sits on the back, below the head and the neck ("一个男孩骑着马" stood him above
    # the horse's ears)
    **dict.fromkeys(wordset("horse pony donkey camel elephant cow zebra"), 0.3),
}
ON_TOP = 0.12
# Verbs that say how a thing is: kept with it to find a drawing that shows it so.
# What a person is drawn doing (words.DOING) is a pose too, but for "fencing", which is
# also a thing ("a garden with fencing").
POSES = wordset(
    "sleeping running flying swimming jumping walking grazing galloping dancing asleep awake "
    "blooming"
) | (DOING.keys() - {"fencing"})
# Phrases of a state that read like a place: "cherry trees in bloom" put the trees inside a
# flower, sized to fit it.
STATES = {"in full bloom": "blooming", "in bloom": "blooming", "in blossom": "blooming"}
# Two words that name one thing the library or the props know by another name.
COMPOUNDS = {
    "police officer": "policeman",
    "golf club": "golfclub",  # what the golfer's figure holds (carried.py), not a club house
    "soccer player": "footballer",
    "football player": "footballer",
    "power line": "powerline",
    "telephone wire": "powerline",
    "electric wire": "powerline",
    "telegraph wire": "powerline",
    "wire": "powerline",
    "lamp post": "streetlamp",
    "street lamp": "streetlamp",
    "street light": "streetlamp",
    "lamppost": "streetlamp",
    "streetlight": "streetlamp",
    # places said in two words, or in a word the scene words lack
    "watering hole": "pond",
    "water hole": "pond",
    "sea floor": "sea",
    "ocean floor": "sea",
    "seabed": "sea",
    "avenue": "street",
    "boulevard": "street",
    "rice field": "field",
    "paddy field": "field",
    "paddy": "field",
    "town square": "street",
    "market square": "street",
    "square": "street",
    "windowsill": "room",
    "window sill": "room",
    "balcony": "street",
    "porch": "garden",
    # an animal whose name ends in another's: a sea lion is no lion (it drew one)
    "sea lion": "sealion",
}
# "the roof of a henhouse", "the lid": a part of a thing stands for the thing.
PARTS = wordset("roof top lid side edge corner surface tip")
# "floating on their backs", "standing on one leg": a body part is a pose, not a subject.
BODY_PARTS = wordset(
    "back tail leg head arm hand wing paw foot feet ear nose neck shoulder knee belly"
)
# ...and these only where said to be its own ("spraying water from its trunk"): a tree
# trunk, a car's horn or a fish's fin said alone are things.
OWN_PARTS = wordset("trunk horn beak mane fin whisker antler hoof")

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
    "ice": "snow",
    "icy": "snow",
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
    "island": "beach",
    "rocky": "rocks",
    "rocks": "rocks",
    "cliff": "rocks",
    "cliffs": "rocks",
    "landscape": "field",
    "road": "field",
    "highway": "field",
    "path": "field",
    "mud": "field",
    "waterhole": "lake",
    "marsh": "lake",
    "marshland": "lake",
    "swamp": "lake",
    "wetland": "lake",
    "wetlands": "lake",
    "bog": "lake",
    "fen": "lake",
    # Edges of a place are the place: "two ducks at the lakeside" is a lake scene.
    "lakeside": "lake",
    "lakeshore": "lake",
    "riverside": "lake",
    "riverbank": "lake",
    "pondside": "lake",
    "waterside": "lake",
    "waterfront": "sea",
    "seafront": "sea",
    "coastline": "beach",
    "mountainside": "mountains",
    "foothills": "hills",
    "roadside": "field",
    "wayside": "field",
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
    "painting drawing illustration photo art artwork render rendered rendering uhd hd hdr "
    "wallpaper masterpiece out up away down downhill uphill together trick tricks"
)

# How the picture is framed, not what is in it: "a vintage car, side view" (the car was
# refused: no drawing of a "side").
VIEWS = re.compile(
    r"\b(?:(?:side|front|rear|back|top|aerial|overhead|profile|three quarter|birds eye)"
    r"[ -]view|close[ -]?up|(?:seen )?from (?:the side|the front))\b"
)
OWNERS = ("its", "their", "his", "her")
# Things named in the plural that are one thing: "sunglasses" is a pair, not three
# sunglass (three were drawn on a dog's back).
PAIRED = frozenset(
    ("sunglasses", "goggles", "scissors", "binoculars", "jeans", "shorts", "trousers",
     "headphones", "pyjamas", "tongs", "pliers")
)  # fmt: skip
