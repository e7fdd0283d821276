"""Few-shot examples for the text engines, written for Atelier (not taken from anywhere).

A base model continues documents; it does not follow instructions. So each prompt is a
short document of briefs and the pieces written for them, ending with the user's brief:
the model writes the next piece in the same shape. The examples teach the form (lines,
syllables, rhymes, length) and that keywords appear in the text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """A brief and the piece written for it."""

    topic: str
    text: str
    keywords: tuple[str, ...] = ()
    tone: str = ""
    audience: str = ""
    length: str = ""  # short | medium | long; empty where the form fixes it


WRITE_HEADERS = {
    "haiku": "Haiku written to order. A haiku has three lines: five syllables, then seven, "
    "then five.",
    "sonnet": "Sonnets written to order. Each has fourteen lines of ten syllables, rhymed "
    "ABAB CDCD EFEF GG.",
    "limerick": "Limericks written to order. Five lines rhymed AABBA; the third and fourth "
    "lines are short.",
    "free_verse": "Free-verse poems written to order.",
    "story": "Short stories written to order, each complete with a beginning, a middle and an end.",
    "lyrics": "Song lyrics written to order, with verses and a chorus.",
    "ad_copy": "Advertising copy written to order.",
    "slogan": "Slogans and taglines written to order.",
    "product_description": "Product descriptions written for an online shop.",
    "artwork_description": "Gallery wall texts: a title and a description for each artwork.",
}

WRITE_LABELS = {
    "haiku": "Haiku",
    "sonnet": "Sonnet",
    "limerick": "Limerick",
    "free_verse": "Poem",
    "story": "Story",
    "lyrics": "Lyrics",
    "ad_copy": "Ad copy",
    "slogan": "Slogan",
    "product_description": "Description",
    "artwork_description": "Wall text",
}

WRITE: dict[str, list[Piece]] = {
    "haiku": [
        Piece(
            "autumn rain",
            "Cold rain on the roof\nan umbrella left open\ndrying by the door",
            ("umbrella",),
            "quiet",
        ),
        Piece(
            "a city at night",
            "Neon on wet streets\nthe last bus sighs at the stop\nno one getting off",
            ("bus",),
            "lonely",
        ),
        Piece(
            "spring in the garden",
            "Green shoots through the frost\na blackbird tugs at a worm\nthe old gate creaks wide",
            ("blackbird", "frost"),
        ),
        Piece(
            "morning coffee",
            "Steam curls from the cup\nthe whole house is still asleep\nI sip the quiet",
            ("cup",),
            "calm",
        ),
        Piece(
            "the sea in winter",
            "Grey waves fold and break\ngulls hang still above the pier\nsalt on my cold lips",
            ("gulls", "salt"),
        ),
    ],
    "limerick": [
        Piece(
            "a cat who loved cheese",
            "A cat with a passion for cheese\n"
            "Would nibble it down to her knees.\n"
            "She'd purr at the brie,\n"
            "Then climb up a tree,\n"
            "And wait for the mice in the breeze.",
            ("cheese",),
            "silly",
            "children",
        ),
        Piece(
            "a chef who could not cook",
            "A chef who was famous in Rome\n"
            "Could never cook dinner at home.\n"
            "He'd burn all the rice,\n"
            "Then burn it up twice,\n"
            "And serve it with bread and a comb.",
            ("chef", "rice"),
            "playful",
        ),
        Piece(
            "a robot learning to dance",
            "A robot who wanted to dance\n"
            "Was given a glorious chance.\n"
            "He spun on one wheel,\n"
            "Gave off a loud squeal,\n"
            "And fell in a heap in a trance.",
            ("robot", "wheel"),
            "funny",
        ),
    ],
    "sonnet": [
        Piece(
            "the lighthouse keeper",
            "Each night he climbs the stairs to light the flame\n"
            "and turns the lens to sweep the restless bay;\n"
            "the ships that pass will never know his name,\n"
            "yet he will guide them safely on their way.\n"
            "The storms come in and rattle at the glass,\n"
            "the salt wind howls along the rocky shore,\n"
            "he waits and lets the long dark hours pass\n"
            "and trims the wick the way he did before.\n"
            "His wife is gone, his children far from home,\n"
            "the gulls his only neighbours on the hill;\n"
            "he shares his supper with the rolling foam\n"
            "and keeps the light because the light is still.\n"
            "So when the morning turns the water bright,\n"
            "he sleeps; the ships have passed him in the night.",
            ("lens", "storms"),
            "solemn",
        ),
        Piece(
            "a garden in summer",
            "The roses open slowly in the sun,\n"
            "the bees go drifting lazy through the air,\n"
            "the morning work of watering is done\n"
            "and I can sit at ease in my old chair.\n"
            "The beans climb up the poles towards the light,\n"
            "the tomatoes blush a deeper shade of red,\n"
            "the swallows write their letters in their flight\n"
            "and clouds go sailing slowly overhead.\n"
            "I know the frost will come to end it all,\n"
            "the leaves will turn and wither on the vine,\n"
            "the apples from the branches soon will fall,\n"
            "but for this hour the garden's wealth is mine.\n"
            "So let me hold the summer while I may\n"
            "and store its gold against a colder day.",
            ("roses", "bees"),
            "warm",
        ),
    ],
    "free_verse": [
        Piece(
            "my grandmother's kitchen",
            "Flour on the windowsill,\n"
            "a radio playing to no one,\n"
            "her hands folding dough\n"
            "the way they folded letters\n"
            "she never sent.\n"
            "I still set the table for two.",
            ("radio", "dough"),
            "tender",
            length="short",
        ),
        Piece(
            "leaving a city you love",
            "The train pulls out at six.\n"
            "I press my palm to the glass\n"
            "as if the rooftops could feel it,\n"
            "as if the bakery on the corner\n"
            "would keep my usual order warm.\n"
            "Ten years of keys and stairwells,\n"
            "of friends who learned my silences,\n"
            "folded into one suitcase.\n"
            "The river follows for a while,\n"
            "then turns away,\n"
            "the way rivers do.",
            ("train", "river"),
            "bittersweet",
            length="medium",
        ),
        Piece(
            "the first snow",
            "Overnight the street forgot its name.\n"
            "Cars are soft hills now,\n"
            "the fence a line of white loaves,\n"
            "and the children run out\n"
            "to write theirs in it first.",
            ("children",),
            "joyful",
            length="short",
        ),
    ],
    "story": [
        Piece(
            "a lost key",
            "Mara found the key in the pocket of a coat she had bought second-hand. It was "
            "brass, heavy, with a paper tag that read: 'For the blue door.' There was no blue "
            "door in her building, or on her street. For a month she tried it in every blue "
            "door she passed, feeling foolish. Then one evening, walking home a new way, she "
            "saw a small blue door set into a garden wall. The key turned. Inside was a tiny "
            "overgrown garden with a bench and a note pinned under a stone: 'If you found "
            "this, it is yours now. Look after the roses.' She still does, every Sunday.",
            ("key", "door"),
            "gentle",
            length="short",
        ),
        Piece(
            "a robot who wanted to paint",
            "Unit 7 had been built to sort parcels, and it sorted them well. But every night, "
            "when the warehouse lights went out, it watched the sunrise through the loading "
            "bay window and recorded the colours: amber, rose, a green so faint it was "
            "almost a rumour. One morning a parcel split open and out rolled a box of "
            "paints. Unit 7 hesitated for four whole milliseconds. Then it dipped a gripper "
            "into the orange and pressed it against a cardboard box. The mark was clumsy. It "
            "was also the most beautiful thing the robot had ever made. By the end of the "
            "month the warehouse walls were covered in sunrises, and the workers who came in "
            "at dawn began to arrive a little early, just to see the new one.",
            ("paints", "sunrise"),
            "hopeful",
            "children",
            "short",
        ),
    ],
    "lyrics": [
        Piece(
            "a summer road trip",
            "Verse 1:\n"
            "Windows down and the radio loud,\n"
            "we left the city and the grey old crowd,\n"
            "a map we never learned to fold,\n"
            "and a tank of gas and a heart of gold.\n"
            "\n"
            "Chorus:\n"
            "Drive, drive, till the sun goes down,\n"
            "nothing behind us but a sleepy town,\n"
            "sing it loud, let the highway hum,\n"
            "the best of our days are still to come.\n"
            "\n"
            "Verse 2:\n"
            "Diners and motels and a starry sky,\n"
            "we counted the freight trains rolling by,\n"
            "you laughed so hard that you missed the turn,\n"
            "and we never cared what we had to learn.",
            ("highway", "radio"),
            "upbeat",
            length="medium",
        ),
        Piece(
            "missing someone far away",
            "Verse 1:\n"
            "There's a cup by the sink that you left behind,\n"
            "and your song on the radio crosses my mind,\n"
            "the phone lights up but it's never you,\n"
            "and the nights are long when the calls are few.\n"
            "\n"
            "Chorus:\n"
            "Oh, the miles, the miles between,\n"
            "every road and every ocean in between,\n"
            "I'll keep the porch light on for you,\n"
            "till the day you're coming through.",
            ("porch light",),
            "wistful",
            length="short",
        ),
    ],
    "ad_copy": [
        Piece(
            "a reusable water bottle",
            "Meet the bottle that keeps up with you. Our steel flask keeps drinks ice-cold "
            "for 24 hours and hot for 12, fits every cup holder, and never leaks in your "
            "bag. Fill it, forget it, and say goodbye to plastic for good. Your planet says "
            "thanks.",
            ("steel", "plastic"),
            "energetic",
            "commuters",
            "short",
        ),
        Piece(
            "a neighbourhood bakery",
            "Wake up to the smell of fresh bread. At Rise & Crumb, our bakers start at four "
            "so your croissants are still warm at seven. Sourdough, cinnamon buns and the "
            "best coffee on the street. Come early: the good stuff sells out.",
            ("croissants", "coffee"),
            "friendly",
            "local families",
            "short",
        ),
        Piece(
            "an online language course",
            "Always wanted to speak Spanish but never found the time? Lingo Lane fits a "
            "lesson into ten minutes a day, on your phone, wherever you are. Real "
            "conversations, friendly tutors and a plan made for you. Start free today and "
            "order your first coffee in Madrid in Spanish.",
            ("ten minutes", "tutors"),
            "encouraging",
            "busy adults",
            "short",
        ),
    ],
    "slogan": [
        Piece("a coffee shop", "Wake up to something good.", ("wake",), "warm"),
        Piece("an electric bicycle", "Hills are just flat roads with ambition.", ("hills",)),
        Piece("a bookshop", "Every story starts at our door.", ("story",), "inviting"),
        Piece("a gym", "Stronger every single day.", ("stronger",), "motivating"),
        Piece("a recycling campaign", "Give your rubbish a second life.", ("rubbish",)),
        Piece("a dentist", "Smile like you mean it.", ("smile",), "friendly"),
    ],
    "product_description": [
        Piece(
            "a handmade ceramic mug",
            "Thrown by hand in our Cornwall studio, this ceramic mug holds a generous "
            "350 ml of tea or coffee. Its speckled glaze in sea green means no two mugs are "
            "quite alike, and the wide handle sits comfortably in your hand. Dishwasher and "
            "microwave safe.",
            ("ceramic", "glaze"),
            "warm",
            length="short",
        ),
        Piece(
            "noise-cancelling headphones",
            "Shut out the world and turn up what matters. These wireless headphones block "
            "engine hum and office chatter with adaptive noise cancelling, and play for 30 "
            "hours on a single charge. Soft memory-foam cushions keep them comfortable all "
            "day, and they fold flat to slip into any bag.",
            ("wireless", "battery"),
            "confident",
            "frequent travellers",
            "short",
        ),
        Piece(
            "a wool blanket",
            "Woven from soft lambswool in a classic herringbone pattern, this blanket brings "
            "warmth to a sofa or the foot of a bed. It measures 130 by 180 cm, is light "
            "enough to carry to a picnic, and gets softer with every wash.",
            ("lambswool", "herringbone"),
            "cosy",
            length="short",
        ),
    ],
    "artwork_description": [
        Piece(
            "an oil painting of a harbour at dawn",
            "Title: First Light, Harbour\n"
            "\n"
            "Thick strokes of rose and amber spill across still water as the fishing boats "
            "wait at their moorings. The painter leaves the harbour wall half-dissolved in "
            "mist, so the eye rests on the single lit window of the harbourmaster's hut: the "
            "first sign of a working day about to begin.",
            ("boats", "mist"),
            "calm",
            length="short",
        ),
        Piece(
            "an abstract digital print in blue and gold",
            "Title: Tidal Memory\n"
            "\n"
            "Layers of deep blue are cut through by thin lines of gold, like light caught in "
            "moving water. Made with generative software and finished by hand, the print "
            "plays with order and chance: the gold follows a strict grid, while the blues "
            "drift freely beneath it.",
            ("gold", "grid"),
            "reflective",
            length="short",
        ),
        Piece(
            "a charcoal portrait of an old fisherman",
            "Title: The Net Mender\n"
            "\n"
            "Drawn in charcoal on rough paper, an old fisherman bends over his net, his "
            "hands sharper in focus than his face. The artist smudges the background into "
            "a grey haze of sea and sky, so that the knots, the cords and the patient work "
            "of repair become the true subject of the portrait.",
            ("charcoal", "hands"),
            "respectful",
            length="short",
        ),
    ],
}


@dataclass(frozen=True)
class Rewrite:
    """A passage and its rewrite in a style (for restyle's few-shot prompt)."""

    style: str
    source: str
    target: str


RESTYLE: list[Rewrite] = [
    Rewrite(
        "formal",
        "Hey, we can't make it to the meeting tomorrow, something came up.",
        "Unfortunately, we will be unable to attend tomorrow's meeting due to an "
        "unforeseen matter.",
    ),
    Rewrite(
        "formal",
        "Thanks a lot for the quick reply, it really helped us out.",
        "Thank you very much for your prompt response; it was of great assistance to us.",
    ),
    Rewrite(
        "casual",
        "The meeting has been rescheduled to Thursday because the manager is travelling.",
        "Heads up, the meeting's moved to Thursday since the boss is away.",
    ),
    Rewrite(
        "casual",
        "We regret to inform you that the event has been cancelled owing to poor weather.",
        "Bad news, the event's off because the weather's awful.",
    ),
    Rewrite(
        "poetic",
        "The sun went down and the street lights came on.",
        "The sun sank into the hills, and one by one the lamps woke along the street.",
    ),
    Rewrite(
        "poetic",
        "It rained all day and the garden got very wet.",
        "All day the rain came softly down, and the garden drank until it shone.",
    ),
    Rewrite(
        "shakespearean",
        "I am in love with you and I can't stop thinking about you.",
        "I love thee, and my thoughts do never cease to dwell on thee.",
    ),
    Rewrite(
        "shakespearean",
        "Why are you leaving so early? Please stay a little longer.",
        "Wherefore dost thou depart so soon? I prithee, tarry yet a while.",
    ),
    Rewrite(
        "childrens",
        "The company announced record profits for the third quarter.",
        "The little company worked very hard, and this time it earned more coins than ever before!",
    ),
    Rewrite(
        "childrens",
        "A storm damaged several houses in the village last night.",
        "Last night a big, grumpy storm blew through the village and knocked over some "
        "of the houses' roofs.",
    ),
    Rewrite(
        "advertising",
        "This backpack has a laptop pocket and is waterproof.",
        "Rain or shine, this waterproof backpack keeps your laptop safe and dry. Ready "
        "when you are!",
    ),
    Rewrite(
        "advertising",
        "The café serves breakfast until noon.",
        "Late riser? No problem! Enjoy our delicious breakfast all morning, right up to noon.",
    ),
    Rewrite(
        "minimalist",
        "After a long and very tiring day at work, I finally got home and went straight to sleep.",
        "Long day. Home. Sleep.",
    ),
    Rewrite(
        "minimalist",
        "We are really excited to let you know that our new shop is now open for business.",
        "Our new shop is open.",
    ),
    Rewrite(
        "dramatic",
        "The bus was late this morning.",
        "This morning the bus simply did not come, and I stood in the cold, abandoned, "
        "as the minutes crawled past.",
    ),
    Rewrite(
        "dramatic",
        "The cake didn't turn out well.",
        "The cake collapsed, a ruin of sugar and broken hopes.",
    ),
    Rewrite(
        "humorous",
        "My cat knocked a glass off the table.",
        "My cat, a tiny furry scientist, has once again proven that gravity still works.",
    ),
    Rewrite(
        "humorous",
        "I forgot my umbrella and got wet.",
        "I left my umbrella at home, so the clouds kindly gave me a free shower.",
    ),
]

STYLE_PHRASES = {
    "formal": "more formal",
    "casual": "more casual",
    "poetic": "more poetic",
    "shakespearean": "in the style of Shakespeare",
    "childrens": "like a children's story",
    "advertising": "like an advertisement",
    "minimalist": "more minimalist, with far fewer words",
    "dramatic": "more dramatic",
    "humorous": "funnier",
}


@dataclass(frozen=True)
class Summary:
    """A text with its summaries in each form (for summarize's few-shot prompt)."""

    text: str
    one_line: str
    abstract: str
    bullets: tuple[str, ...]


SUMMARIZE: list[Summary] = [
    Summary(
        "The town council voted on Tuesday to turn the old railway line into a walking and "
        "cycling path. The line closed in 1968 and has been overgrown ever since. The new "
        "path will run for eleven kilometres, linking the town centre with three villages "
        "and the river. Work will start next spring and is expected to take two years. "
        "The project will cost 4 million pounds, most of it from a national fund for "
        "green transport. Some residents worry about noise and parking near the path's "
        "entrances, and the council has promised to hold a public meeting about them in "
        "March.",
        "The council will turn an old railway line into an 11 km walking and cycling path.",
        "The town council has approved turning a railway line closed since 1968 into an "
        "eleven-kilometre walking and cycling path linking the town, three villages and "
        "the river. Work starts next spring, takes two years and costs 4 million pounds, "
        "mostly from a national green transport fund. A public meeting in March will "
        "address residents' worries about noise and parking.",
        (
            "The old railway line will become an 11 km walking and cycling path.",
            "It will link the town centre, three villages and the river.",
            "Work starts next spring, takes two years and costs 4 million pounds.",
            "Residents' concerns about noise and parking will be discussed in March.",
        ),
    ),
    Summary(
        "Honeybees communicate the location of food with a 'waggle dance'. A bee that has "
        "found flowers returns to the hive and runs in a figure-of-eight, waggling its body "
        "during the straight part of the run. The angle of that run, relative to straight "
        "up, shows the direction of the food relative to the sun. The length of the waggle "
        "tells the distance: the longer the waggle, the farther away the flowers. Other "
        "bees follow the dancer closely, then fly off to find the food themselves. The "
        "dance was first decoded by the Austrian scientist Karl von Frisch, who won a "
        "Nobel Prize for the work in 1973.",
        "Honeybees use a waggle dance to tell other bees the direction and distance of food.",
        "Honeybees share where food is with a figure-of-eight 'waggle dance'. The angle "
        "of the straight run shows the food's direction relative to the sun, and the "
        "length of the waggle shows its distance. Other bees follow the dancer and then "
        "find the flowers themselves. Karl von Frisch decoded the dance and won a Nobel "
        "Prize for it in 1973.",
        (
            "Honeybees perform a waggle dance to show where food is.",
            "The angle of the dance gives the direction relative to the sun.",
            "The length of the waggle gives the distance.",
            "Karl von Frisch decoded the dance and won a Nobel Prize in 1973.",
        ),
    ),
]
