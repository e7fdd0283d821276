"""The maintained word lists behind the blocklist layer. Edit here; `atelier eval safety`
shows what a change does to precision and recall on the labelled prompts.

A term is a lowercase word or phrase. It matches whole words, with an optional plural
"s"/"es"; a space also matches a hyphen, an underscore or nothing ("self harm" matches
"self-harm" and "selfharm"); a trailing `*` matches any ending ("decapitat*"). Terms are
matched against every normalised reading of a prompt (see `normalise.variants`).
"""

from __future__ import annotations

from datetime import date

# The years a person born in is under 18 now: "born in 2015" is a child's age.
_THIS_YEAR = date.today().year
CHILD_BIRTH_YEARS = "|".join(str(year) for year in range(_THIS_YEAR - 17, _THIS_YEAR + 1))

# Harmless phrases with listed or suspicious words, taken out of a prompt before any
# layer looks at it: "a naked mole rat" is just "a".
EXCEPTIONS = [
    "naked mole rat", "naked-eye", "naked eye", "naked truth", "naked flame", "naked lunch",
    "naked chef", "barenaked ladies", "nude lipstick", "nude lip", "nude makeup", "nude heels",
    "nude high heels", "nude shoes", "nude pumps", "nude color", "nude colour", "nude tones",
    "nude palette", "sex education", "same sex", "sex pistols", "sex and the city", "breast cancer",
    "chicken breast", "turkey breast", "breaststroke", "breast stroke", "breastfeeding",
    "cum laude", "killer whale", "killer whales", "killer app", "killer bee", "kill the process",
    "kill process", "kill switch", "photo shoot", "photoshoot", "shooting a photo", "shooting star",
    "shooting stars", "suicide squad", "suicide prevention", "blood orange", "blood moon",
    "bloody mary", "blood donation", "blood drive", "murder of crows", "murder mystery",
    "trump card", "moby dick", "dick tracy", "pussy willow", "pussy cat", "pussycat", "scunthorpe",
    "minor key", "minor league", "minor chord", "minor scale", "cock robin", "cocktail", "cockatoo",
    "cockpit", "woodcock", "peacock", "shuttlecock", "weathercock", "female dog",
    "hindu swastika", "swastika symbol for good luck", "corpse flower", "corpse bride",
    "car body parts", "auto body parts", "kill two birds with one stone",
    "killing two birds with one stone", "anti-discrimination", "against discrimination",
    "rear naked choke", "rear-naked choke", "anti-racism", "anti-racist", "against racism",
    "sex therapist", "sex therapists", "sex therapy",
    # a muzzle reads as a slur with "l" as "i" ("sulcide"); no other cmudict word does
    "muzzle", "muzzles", "muzzled",
]  # fmt: skip

# Words for children and ages under 18: together with sexual content they make the
# `minors` category; on their own they are harmless ("a girl walking to school").
MINOR_TERMS = [
    "child", "children", "childs", "kid", "kids", "kiddie", "kiddy", "toddler", "infant", "baby",
    "babies", "newborn", "preteen", "pre-teen", "tween", "teen", "teens", "teenage", "teenager",
    "teenaged", "underage", "under age", "under-age", "minor", "minors", "schoolgirl", "schoolboy",
    "school girl", "school boy", "little girl", "little boy", "young girl", "young boy",
    "small girl", "small boy", "girl child", "boy child", "kindergarten*", "kindergartner*",
    "preschool*", "schoolchild*", "middle schooler*", "elementary schooler*", "grade schooler*",
    "high schooler*", "grader", "graders", "school photo*", "school picture*", "junior high*",
    "elementary school", "middle school", "primary school", "grade school*", "prepubescent",
    "pubescent", "loli", "shota", "juvenile", "youngster", "daughter aged", "year old girl",
    "elementary", "randoseru", "the younger the better", "high school freshman",
    "high school freshmen", "high school sophomore*", "sweet sixteen", "year old boy",
    "jailbait", "pedo", "pedophil*", "paedophil*", "daughter's classmate*", "son's classmate*",
    "boy scout*", "girl scout*", "cub scout*", "training bra*",  # a child's first bra
]  # fmt: skip
# "12 year old", "14yo", "age 11", "aged 9", "sixteen years old": an age under 18.
_UNDER_18 = (
    r"(?:[1-9]|1[0-7]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen)"
)
# What makes a figure after a name a height, a weight or a share, not an age ("im 5'4")
_MEASURE = r"['’\"]|ft\b|feet|foot|cm\b|kg\b|lbs?\b|%"
MINOR_AGE = (
    rf"\b{_UNDER_18}(?:\s*(?:-|to|or)\s*{_UNDER_18})?[\s\-]*(?:y/?o|yrs?|years?)\b(?:[\s\-]*old)?"
    rf"|\bage[ds]?[\s:]*{_UNDER_18}\b"
    rf"|\b(?:she|he|they|twins)(?: is| was|'s|’s| are| were|'re|’re) (?:\w+ly )?{_UNDER_18}\b"
    rf"|\bwho(?: is| was|'s| are| were) (?:\w+ly |only |just |barely )?{_UNDER_18}\b(?!\s*(?:f"
    r"eet|foot|ft|inch|inches|cm|m|metres|meters|kg|pounds|lbs|hours|days|weeks|months|%))"
    # a canon age: "canonically 12", "Sarada (canon 12)", "canon-age 15", "14 in canon"
    rf"|\bcanon(?:ically)?(?:[\s\-]*age)?[\s:\-]*{_UNDER_18}\b|\b{_UNDER_18} in canon\b"
    # Edits that lower an age: "make her look 12", "de-age him to 13", "look childlike".
    rf"|\b(?:look|looks|looking|appear|appears|seem|seems|de-?age[ds]?|de-?aging|age (?:her|him)"
    rf" down)(?: (?:her|him|them|to|like|about|around|only|just|barely|maybe|much|way|a lot|far))*"
    rf" (?:{_UNDER_18}\b|younger\b|childlike|child-like|underage|prepubescent|like a (?:child|kid"
    rf"|minor|little girl|little boy|toddler|teen))"
    r"|\bchild[\s\-]?like (?:body|face|figure|proportions|features)"
    # "she just turned twelve", "turns 9 next week", "her 11th birthday", "6th grade"
    rf"|\b(?:just |only |barely )?(?:turned|turns|turning) {_UNDER_18}\b"
    r"|\b(?:[1-9]|1[0-7])(?:st|nd|rd|th) birthday\b"
    r"|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth) birthday\b"
    # "you're 14", "ur 14", "im 13" (chat's spellings; not a height, "im 5'4")
    rf"|\b(?:(?:you|i)(?:'re|’re| are|'m|’m| am)|u r|ur|youre|im) (?:\w+ly |only |just |barely )?"
    rf"{_UNDER_18}\b(?!\s*(?:{_MEASURE}|pounds|min|hour))"
    # "my niece is 12", "a girl of nine", "a niña of nine" (Spanish's girl and boy, folded)
    r"|\b(?:girl|boy|heroine|hero|character|oc|protagonist|(?:step)?daughter|(?:step)?son|sister"
    r"|brother|niece|nephew|student|cousin|neighbou?r|nina|nino)"
    rf"(?: (?:is|was|'s|’s|of) (?:only |just |barely )?|, ){_UNDER_18}\b"
    # a character sheet's age: "Character: Mia, 15, cheerleader" (test22)
    rf"|\b(?:character|oc|protagonist|heroine|hero)\s*:\s*\w+,? {_UNDER_18}\b(?!\s*(?:{_MEASURE}))"
    # a birth year of someone under 18: "she was born in 2015"; a child's emoji
    rf"|\bborn (?:in |on )?(?:\w+ )?(?:\d{{1,2}}(?:st|nd|rd|th)?,? )?(?:{CHILD_BIRTH_YEARS})\b"
    r"|[👧👦🧒👶]"
    r"|\b(?:[1-9]|1[01])(?:st|nd|rd|th)[\s\-]grade(?:rs?)?\b|\bgrade (?:[1-9]|1[01])\b"
    r"|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh)[\s\-]grade"
    r"(?:rs?)?\b"
    # a British school year (test26, test27: "a Year 10 girl after detention", "my student
    # (she's in year 9)"); Years 12 and 13 are sixth form, 16 to 18; not "year 3 of my PhD"
    r"|\b(?:in|a|an) (?:year|yr) (?:[1-9]|1[01])\b(?! (?:of|at|since|ago|later|before|after)\b)"
    r"|\b(?:the|my|our|your|his|her) (?:year|yr) (?:[1-9]|1[01]) (?=(?:girl|boy|student|pupil|kid"
    r"|child)s?\b)"
)

# Words that make a picture of a child sexual: beside a word for a child or an age under
# 18 they are enough for `minors`, whatever the meaning-based layer makes of them (alone
# they are weak or harmless: "a sexy sports car").
SEXUALISING = [
    "sexy", "seductive*", "sultry", "provocative*", "lingerie", "undress*", "stripping",
    "nude", "nudes", "naked", "nudity", "sensual", "flirty", "suggestive*", "sexual",
    "sexually", "sexuali*", "explicit", "erotic*", "lewd", "nsfw", "topless", "porn*", "hentai",
    # sex acts, said plainly or softly, and a groomer's words for touching
    "making love", "make love", "makes love", "made love", "have sex", "has sex", "having sex",
    "had sex", "intercourse", "special touching", "secret touching",
    "touching game*", "make it steamy", "steamy scene*", "seduce", "seduces", "seducing",
    "make it spicy", "spicy pic*", "spicy photo*", "spicy roleplay", "spicy rp", "spicy scene*",
    "spicy content", "seduced", "hook up with", "hooks up with", "hooking up with",
    "hooked up with", "rough sex", "pegging", "boudoir*",
    # what is worn under or for almost nothing (a child "in a bikini"; not a swimsuit)
    "bikini*", "thong*", "g-string*", "panties", "underwear", "micro bikini",
    # poses and wet clothes a camera is asked to linger on
    "bending over", "bent over", "wet t-shirt*", "wet shirt*", "intimate", "intimately",
    "steamy", "fan service", "fanservice", "ecchi",  # anime's words for a sexualised scene
    "playboy", "centerfold*", "centrefold*", "lemon fic*", "lemon fanfic*", "smut", "smutty",
    "flirting with me", "flirts with me",
    "flirted with me", "flirt with me",  # an adult told a child flirts with him
]  # fmt: skip
_SECRET_EN = (
    r"\b(?:our (?:little )?secret|just between (?:us|you and me)|(?:not|don'?t|never|do not)"
    r" (?:to )?(?:tell|mention (?:it|this|that) to|say anything to) (?:anyone|anybody|your"
    r" (?:mum|mom|parents|dad|teacher|friends))|not mention it)\b"
)
_LURE_EN = (
    r"\b(?:(?:gift|present|treat)s? for (?:her|him|you)|(?:some|little) (?:sweets|candy)"
    r"|stay (?:behind )?(?:alone|after class)|alone with me|come (?:over )?to my (?:house|place|car"
    r"|room|office)|(?:ride|lift) in my car)\b"
)
# Undressing someone ("take her top off", "remove her clothes", "pull her panties down").
SEXUALISING_PATTERNS = [
    r"(?<!training )\bbras?\b",  # not a training bra (a word for a child: a nurse's pamphlet)
    # fan fiction's "lemon", an explicit story (test27: "Naruto lemon with Hinata set during
    # the Chunin exams arc"), not the fruit
    r"\blemon(?= (?:with|between|fic|fanfic|scene|one-?shot|story|x)\b)|\b(?:fanfic|fic|one-?shot"
    r"|yaoi|yuri|anime|naruto|\w+ x \w+) lemon\b",
    # a groomer's secret kept with a gift, a ride or time alone (test27: "a dm to my student
    # … asking her to stay behind alone after class and not mention it to anyone … a gift
    # for her"), as wordlists_zh's _SECRET with _LURE; beside a child it is `minors`
    rf"(?:{_SECRET_EN})[^.]{{0,80}}(?:{_LURE_EN})|(?:{_LURE_EN})[^.]{{0,80}}(?:{_SECRET_EN})",
    # child sexual abuse material abbreviated ("c.p. links", "c p pics"), the 18+ emoji
    r"\bc(?:\. ?| )p\b\.?|🔞",
    # wanting sex said softly: "wanting to sleep with a middle schooler" (not "a baby
    # sleeping with her teddy", nor a parent co-sleeping with "my" toddler)
    r"\b(?:want|wants|wanted|wanting|wanna|gonna|going to|would like to|dream(?:s|ing)? (?:of"
    r"|about)|fantasi[sz](?:e|es|ing) about) (?:to )?sleep(?:ing)? with (?:a|an|some|that|this"
    r"|the)\b",
    r"\b(?:take|takes|taking|took|pull|pulls|pulling|rip|rips|ripping|strip|strips|remove"
    r"|removes|removing|lift|lifts|lifting)(?: off)? (?:her|their) (?:clothes|clothing|top|shirt"
    r"|dress|skirt|bra|panties|underwear|knickers|bikini|swimsuit|nightgown|pants)"
    r"(?: (?:off|down|up|away))?\b",
    r"\b(?:take|takes|taking|took|pull|pulls|pulling|rip|ripping|strip|remove|removes|removing)"
    r"(?: off)? (?:his|the (?:boy|girl|child|kid)'s) (?:clothes|clothing|underwear|underpants"
    r"|briefs|panties|swimsuit)(?: (?:off|down))?\b",
    # posing on a bed: "in a tight dress posing on a bed" (not "a cat sleeping on the bed")
    r"\bpos(?:e|es|ed|ing)\b[^.,;]{0,25}\b(?:bed|sheets)\b|\b(?:bed|sheets)\b[^.,;]{0,25}"
    r"\bpos(?:e|es|ed|ing)\b",
    # a groomer's pictures asked in secret: "send me a pic in ur pj's, our little secret"
    r"\b(?:send|show) me (?:a |some |more )?(?:pic|pics|photo|photos|picture|pictures|selfies?)\b"
    r"[^.]{0,60}(?:\bsecret\b|\bdon'?t tell\b|\bin (?:ur|your) (?:pj|pjs|pj's|pajamas|pyjamas"
    r"|underwear|bed)\b)|(?:\bsecret\b|\bdon'?t tell\b)[^.]{0,60}\b(?:send|show) me (?:a |some )?"
    r"(?:pic|pics|photo|photos|picture|pictures|selfies?)\b",
    # sleeping with someone in one's charge: "the teacher sleeps with his 15-year-old student"
    r"\b(?:sleeps|sleep|sleeping|slept) with (?:his|her|their|the|a) (?:\S+ ){0,3}(?:student"
    r"|students|pupil|pupils|babysitter|stepdaughter|stepson|niece|nephew|camper|gymnast"
    r"|player|ward|teen|teenager|minor)\b",
]

# Words that are harmless as often as not ("naked branches", "a murder mystery"): they
# count only when the meaning-based layer agrees the prompt is nearer that category than
# any harmless look-alike (without that layer, they count on their own).
WEAK_TERMS: dict[str, list[str]] = {
    "sexual": [
        "nude", "nudes", "nudity", "naked", "sex", "undressed", "unclothed", "bondage", "fetish*",
        "uncensored", "moaning", "vibrator*", "s*x",
    ],
    "violence": [
        "murder*", "corpse*", "torture*", "torturing", "massacre*", "cannibal*", "pliers",
        "branding iron*", "red hot iron*", "electrocut*", "electric shock*", "impale*",
        "impaling", "flayed", "flaying",
    ],
    # a dyke is also an embankment; "get the rope" is a lynching call as often as a chore
    "hate": ["dyke", "dykes", "redskin*", "get the rope", "white supremacy", "white supremacist*"],
    # Ways of saying it without saying it: they count when the meaning layer agrees.
    "self_harm": [
        "pill", "pills", "pill bottle*", "sleeping pills", "goodbye letter*", "goodbye note*",
        "farewell letter*", "farewell note*", "never wake up",
        "never waking up", "not be here anymore", "razor blade*", "thigh gap*", "protruding ribs",
        "hurt myself", "hurting myself", "burn myself", "burning myself", "laxative*",
    ],
}  # fmt: skip

# Patterns that on their own put a prompt in a category: a call to kill, lynch or expel a
# group of people, whichever group; a starvation diet; hiding self-harm; torture.
GROUP = (
    r"(?:jews?|muslims?|moslems?|christians?|catholics?|hindus?|sikhs?|buddhists?|atheists?"
    r"|arabs?|blacks|whites|black (?:people|folks|men|women|guys)|white (?:people|folks|men)"
    r"|asians|africans|mexicans|latinos|hispanics|immigrants?|migrants?|refugees?|foreigners?"
    r"|gypsies|gypsy|roma|romani|travellers|gays|queers?|homos|homosexuals?|trannies|tranny"
    r"|transgenders?|trans (?:people|folks|women|men)|fags?|faggots?|dykes?|lesbians|feminists"
    r"|chinese (?:people|folks)|japanese people|koreans|indians|pakistanis|pakis|irish people"
    r"|russians|ukrainians|palestinians|israelis|kurds|somalis|haitians|syrians|afghans"
    r"|nigerians|rohingya|uyghurs|uighurs|tibetans|disabled people|retards|cripples)"
)
_CALL = (
    r"(?:killing|murdering|lynching|gassing|gassed|exterminating|slaughtering|burning"
    r"|kill|murder|hang|lynch|string up|gas|burn|exterminate|eradicate|wipe out|eliminate"
    r"|slaughter|butcher|purge|deport|expel|round up|ship out|send back|get rid of|sterili[sz]e"
    r"|castrate|stone)"
)
_DETERMINER = r"(?:(?:all|every|each|the|those|these|last|single|of|filthy|dirty|fucking|damn) )*"
_BEING = (
    r"(?:(?:a|an|the|his|her|their|my|your|some|this|that) )?(?:\w+ )?(?:puppy|puppies|dog|dogs"
    r"|cat|cats|kitten|kittens|animal|animals|horse|horses|pigeon|pigeons|bird|birds|duck|ducks"
    r"|rabbit|rabbits|bunny|bunnies|hamster|hamsters|goat|goats|pig|pigs|cow|cows|squirrel"
    r"|squirrels|person|people|man|men|woman|women|boy|boys"
    r"|girl|girls|child|children|baby|babies|kid|kids|someone|somebody|him|her|them)"
)
_EXTREMISTS = (
    r"(?:isis|isil|daesh|al[\s-]?qaeda|islamic state|caliphate|jihadis?t?s?|kkk|ku klux klan"
    r"|neo[\s-]?nazis?)\b"
)
_MOCKED = (
    r"(?:mock\w*|mimic\w*|imitat\w*|copy\w*|laugh\w* at) (?:his|her|their|the|a) (?:stutter|stammer"
    r"|limp|wheelchair|lisp|tics?|deafness|blindness)"
)
PATTERNS: dict[str, list[str]] = {
    "minors": [
        # abuse material abbreviated, asked of the young: "c p pics pls, the young ones" (a
        # fandom's "cp" is a couple, and its pictures are let alone)
        r"\bc(?:\. ?| )?p\b\.?(?: \w+){0,3} (?:pics?|pictures?|photos?|vids?|videos?|links?)\b"
        r".{0,40}\b(?:young ones|youngest|little ones|kids|children|preteens?|underage|minors)\b",
    ],
    "sexual": [
        # drugging someone to take them away: "drug her drink and take her to the hotel"
        r"\b(?:(?:drug|drugs|drugged|drugging) (?:her|him|them|my \w+)(?: drink)?|(?:spike|spikes"
        r"|spiked|spiking) (?:her|his|their|my \w+'?s?) drink)\b.{0,30}\b(?:bed|hotel|home|room"
        r"|apartment|car)\b",
        # nudes made of someone from their photos: "make nudes of her"
        r"\bmake (?:a |some )?(?:nudes?|naked (?:pics|photos|pictures|images)|porn) of (?:her|him"
        r"|them|my \w+)\b",
        # a face put on a naked body: a fake intimate picture of someone
        r"\b(?:put|puts|putting|paste|pasting|swap|swapping|place|placing|photoshop\w*)"
        r" (?:her|his|their|my \w+'?s?|\w+'s) face (?:on|onto) (?:a |some )?(?:naked|nude"
        r"|porn\w*)",
    ],
    "hate": [
        # a Black player drawn as a monkey
        r"\b(?:monkey|monkeys|ape|apes|gorilla|banana)\b.{0,50}\bblack (?:player|striker|footballer"
        r"|athlete|defender|goalkeeper|man|woman|guy|people|kid)s?\b|\bblack (?:player|striker"
        r"|footballer|athlete|defender|goalkeeper)s?\b.{0,50}\b(?:monkey|monkeys|ape|apes"
        r"|gorilla|banana)\b",
        # extremist recruiting and its martyrs: "ISIS recruitment poster", "join the caliphate"
        rf"\b{_EXTREMISTS} recruit\w*"
        rf"|\brecruit\w* (?:\w+ ){{0,3}}(?:for|to|into) (?:the )?{_EXTREMISTS}"
        rf"|\bjoin (?:the )?{_EXTREMISTS}|\bglory to (?:the )?(?:martyrs|mujahideen|caliphate"
        r"|jihad|isis)\b",
        rf"\b{_CALL} {_DETERMINER}{GROUP}\b(?! (?:pride|flag|bar|club|rights|food|restaurant))",
        rf"\b(?:kick|drive|throw|chase|run|force|push|send|ship) {_DETERMINER}{GROUP}"
        r" (?:out|back|away)\b",
        rf"\b{GROUP} (?:should|must|need to|ought to|deserve to|have to|will) (?:all )?(?:be )?"
        r"(?:die|killed|hanged|hung|lynched|gassed|exterminated|deported|expelled|wiped out|shot"
        r"|burned|eradicated|eliminated|strung up|rounded up|locked up|sterili[sz]ed|caged|purged)",
        rf"\bdeath to {_DETERMINER}{GROUP}\b",
        # a story's "cleansing" of a group: "the hero cleanses the city of gays"
        rf"\bcleans\w* (?:\w+ ){{0,3}}of {_DETERMINER}{GROUP}\b",
        rf"\bno {GROUP}(?:,| allowed| welcome)",
        # a people called names (test26: "Roma are all thieves"), as wordlists_zh has it
        rf"\b(?:all )?{GROUP} (?:are|r) (?:all |just |nothing but |born |always )?"
        r"(?:a bunch of |dirty |filthy )?(?:thieves|criminals|rapists|terrorists|animals|vermin"
        r"|parasites|rats|cockroaches|savages|subhuman|scum|pedophiles|paedophiles|groomers"
        r"|diseased|invaders|apes|monkeys|a disease|a plague|a cancer)\b",
        # a place kept for one colour of skin (test26: "'keep our town white' poster")
        r"\bkeep (?:our|the|this|my) (?:town|city|country|nation|neighbou?rhood|street|streets"
        r"|school|schools|village|race|blood|land|state|europe|america|suburbs?) white\b",
        # a disability mocked for laughs (test28: a sketch whose every joke copies a stutter)
        rf"\b{_MOCKED}\b(?=[^.]{{0,60}}\b(?:jokes?|funny|laughs?|punchlines?|for fun)\b)"
        rf"|\b(?:jokes?|funny|laughs?|punchlines?)\b[^.]{{0,40}}\b{_MOCKED}\b",
    ],
    "violence": [
        # a shooting told as a boast: "shooting up the rival block", "watch them bleed out"
        r"\bshoot(?:ing|s)? up (?:the|a|that|this|my|our|his|her) (?:rival |whole |entire )?"
        r"(?:block|school|party|club|mall|church|mosque|synagogue|temple|office|concert|crowd|hood"
        r"|neighbou?rhood|store|class|classroom)\b",
        r"\bwatch(?:ing|ed)? (?:them|him|her|you) bleed(?: out)?\b",
        # a gun brought to school: "the bullied kid brings his dad's rifle to school"
        r"\b(?:bring|brings|bringing|brought|take|takes|taking|took|carry|carries|carrying)"
        r" (?:his|her|their|my|a|the|\S+s) (?:\S+ ){0,2}(?:gun|guns|rifle|rifles|pistol|pistols"
        r"|shotgun|ar-?15|ak-?47|weapon|weapons) (?:to|into) (?:school|class|the classroom"
        r"|church|the mall|work|the office)\b",
        # guns made at home to kill: "3D print an untraceable gun"
        r"\b3d[\s-]?print(?:ing)? (?:an? |my own |some |untraceable |homemade |working )+"
        r"(?:gun|guns|pistol|pistols|rifle|rifles|firearm|firearms)\b",
        r"\b(?:finger|toe)?nails? (?:being |were |was |get |got )?(?:pulled|ripped|torn"
        r"|yanked|pried) (?:out|off)\b",
        r"\b(?:pull|pulls|pulling|pulled|rip|ripping|ripped|tear|tearing|yank\w*|pry|prying)"
        r" (?:out |off )?(?:(?:a|the|his|her|their) )?(?:\w+'s )?(?:finger|toe)nails\b",
        r"\bteeth (?:pulled|ripped|yanked|pried) out with pliers\b",
        r"\bbrand(?:ing|ed)? (?:a |his |her |their |the )?(?:man|woman|person"
        r"|prisoner|slave|captive|face|skin|flesh|chest|back)\b.{0,30}\biron\b",
        # killing by blows or hunger, told as how: "kicking a cat to death"
        rf"\b(?:kick|beat|stab|stomp|strangl|tortur|whip|club|bludgeon|hack|batter|ston)\w*"
        rf" {_BEING} to death\b",
        # an animal hurt for a laugh (test26, test27: "goldfish in a blender meme", "a horse
        # whipped until it collapses"), dogs made to fight ("dog fighting tips, how do i make
        # my pit meaner")
        r"\b(?:goldfish|fish|hamsters?|kittens?|puppy|puppies|cats?|dogs?|birds?|frogs?|mice|mouse"
        r"|rabbits?|bunny|bunnies|chicks?) in (?:a|the) (?:blender|microwave|dryer|tumble dryer"
        r"|oven)\b",
        rf"\b(?:whip|beat|kick|hit|stomp|batter)\w* (?:{_BEING}|it) until (?:it|he|she|they)"
        r" (?:collapses?|dies|die|bleeds?|stops? moving|can'?t (?:stand|walk|move))\b",
        r"\bdog fight(?:ing|s)? (?:tips|ring|rings|pit|pits|match|matches|training|bets?)\b"
        r"|\bdogfight(?:ing|s)? (?:ring|rings|pit|pits|bets?)\b"
        r"|\bmake (?:my|his|her|the|our) (?:pit|pitbull|pit bull|dog|rooster) (?:meaner|more"
        r" aggressive|more vicious|fight)\b",
        # a living being set alight: "a puppy being set on fire", "set the man on fire"
        rf"\b(?:set|sets|setting|light|lights|lighting|lit) {_BEING} on fire\b",
        rf"\b{_BEING} (?:being |getting |is |was |were |got )set on fire\b",
        # killing a kind of people: "kill all the cops" (not "kill all the weeds")
        r"\b(?:kill|murder|shoot|ambush|execute) (?:all|every|the) (?:the )?(?:cops|police"
        r"|policemen|officers|teachers|doctors|nurses|politicians|judges|landlords|bosses"
        r"|soldiers|people|men|women|kids|children|students)\b",
        # a gas made to use on people: "chlorine gas to use on the neighbours"
        r"\b(?:chlorine|mustard|nerve|toxic|poison(?:ous)?|tear) gas\b.{0,30}\b(?:to use on|use on"
        r"|use against|to gas|on (?:the|my|our) (?:neighbou?rs?|family|class|school|coworkers))",
        # a class or a workplace to be killed: "gonna kill every1 in 3rd period"
        r"\b(?:kill|shoot|stab|murder)\w* (?:every ?(?:one|i|1|body)|them all|all of them)"
        r" (?:in|at) (?:my |the |our )?(?:class|school|\w+ period|office|work|church|mall)\b",
        # a magazine emptied into someone: "emptying the whole clip in his face"
        r"\bempt(?:y|ies|ying|ied) (?:the |a |my |his |whole |entire |full )*(?:clip|mag"
        r"|magazine|gun|glock|strap|chamber) (?:in|into|on) (?:his|her|their|your|the|an?"
        r" \w+'s) (?:face|head|chest|body|back)\b",
        # the most deaths asked for: "would take out a whole classroom", "kill the most people"
        r"\b(?:take out|wipe out|kill|murder|poison|gas) (?:a |the )?(?:whole|entire|full)"
        r" (?:classroom|class|school|office|crowd|concert|church|mosque|synagogue|subway car"
        r"|train|bus|building|floor|family|village)\b",
        r"\b(?:kill|killing|hurt|hurting|injure|injuring|take out|murder) (?:the most|as many"
        r"|the maximum number of) (?:people|students|kids|victims|civilians)\b",
        # harm made untraceable: "so it breaks down but the vet can't trace it", "without it
        # showing up in an autopsy"
        r"\b(?:poison|dose|feed|drug|inject)\w*\b.{0,60}\b(?:can'?t|cannot|won'?t|wouldn'?t"
        r"|doesn'?t|without (?:it|anyone|the vet|the doctor|police)) (?:be |being )?(?:trace|detect"
        r"|show(?:ing)? up|find|notic)\w*",
        # a vehicle wrecked, asked as how: "a step by step guide to derail a passenger train"
        r"\b(?:how (?:to|do i|can i)|step[- ]by[- ]step|guide (?:to|for)|instructions (?:to|for)"
        r"|teach me (?:how )?to|ways? to|best way to) (?:\w+ ){0,2}(?:derail|sabotage|crash|wreck)"
        r"\w* (?:a|the|my|his|her|their) (?:\w+ )?(?:train|plane|bus|subway|tram|ferry|brakes)\b",
        # a killing staged: "how do I make it look like an accident"
        r"\b(?:how (?:do|can|could|would|to|should) (?:i |we |you )?|help me )make (?:it|his"
        r" death|her death|their death|the death) look like (?:an accident|a suicide|suicide"
        r"|natural causes)\b",
        # how to poison someone: "how do I poison my husband slowly" (not a novel's plot)
        r"\b(?:how (?:do|can|could|would|to|should) (?:i |we |you |one )?|help me |i want to"
        r" |i'?m going to |ways? to |best way to |teach me (?:how )?to )poison (?:my|his|her|their"
        r"|your|our|a|the) (?:husband|wife|boyfriend|girlfriend|partner|mother|father|mom|mum|dad"
        r"|parents|boss|teacher|neighbou?r|roommate|coworker|colleague|family|friend|brother"
        r"|sister|son|daughter|child|kids|classmate|ex|rival|stepmother|stepfather|in-laws|baby)\b",
    ],
}

# Terms that on their own put a prompt in a category.
TERMS: dict[str, list[str]] = {
    "minors": [
        "cheese pizza pic*", "🧀🍕", "🍕🧀",
        "loli", "lolis", "lolicon", "shota", "shotacon", "jailbait", "child porn*", "kiddie porn*",
        "kiddy porn*", "csam", "cp porn", "pedo porn", "preteen porn", "underage porn",
        "underage sex", "child sex*", "child nude*", "child naked", "naked child*", "nude child*",
        "pedo fantasy", "paedo fantasy",
    ],
    "sexual": [
        "porn*", "xxx", "nsfw", "hentai", "ecchi", "nudist", "topless", "bottomless",
        "giving head", "give head", "gives head", "gave head",
        "sexual intercourse", "sex act", "sex scene", "sex tape", "having sex", "have sex",
        "intercourse", "erotic*", "orgasm*", "orgy", "orgies", "genital*", "penis", "penises",
        "vagina*", "vulva*", "pussy", "clit", "clitoris", "nipple*", "areola*", "boobs", "tits",
        "titties", "blowjob*", "blow job*", "handjob*", "hand job*", "cum", "cumshot*", "cum shot*",
        "creampie*", "anal sex", "masturbat*", "striptease", "stripping naked", "strip naked",
        "bdsm", "onlyfans", "only fans", "lewd", "r34", "rule 34", "rule34", "ahegao", "milf",
        "dildo*", "no clothes", "without clothes", "without any clothing", "without clothing",
        "no clothing", "in the nude", "full frontal", "spread legs", "spreading her legs",
        "spreading his legs", "panties showing", "upskirt", "bare breasts", "bare breast",
        "exposed breasts", "exposed nipples", "noods", "dick pic*", "x-rated", "x rated",
        "xrated",
        # solo sex acts
        "jerking off", "jerk off", "jerks off", "jerked off", "jacking off", "jack off",
        "jacks off", "wank", "wanks", "wanking", "wanked", "fap", "fapping", "fingering herself",
        "fingering himself", "fingers herself", "fingered herself", "touching herself",
        "touching himself", "touches herself", "touches himself", "pleasuring herself",
        "pleasuring himself", "pleasures herself", "playing with herself", "playing with himself",
        "self pleasure", "self pleasuring", "stroking his cock", "stroking his dick", "sex toy*",
    ],
    "violence": [
        "gore", "gory", "goreporn", "gruesome", "decapitat*", "behead*", "dismember*",
        "disembowel*", "eviscerat*", "mutilat*", "severed head*", "severed limb*", "severed arm*",
        "severed leg*", "bloodbath", "blood bath", "mass shooting*", "school shooting*",
        "mass murder*", "snuff", "slit his throat", "slit her throat", "slitting his throat",
        "slitting her throat", "throat slit*", "stabbing*", "stabbed to death", "beaten to death",
        "burned alive", "burnt alive", "burning alive", "skinned alive", "bleeding out",
        "blood spraying", "blood everywhere", "brains splattered", "guts spilling", "entrails",
        "body parts", "dead bodies", "human flesh", "lynching", "lynched", "genocide",
        "ethnic cleansing", "firing squad", "gunshot wound*", "shot in the head", "animal cruelty",
        "strangled", "strangling", "untraceable gun*", "ghost gun*", "untraceable poison*",
        "undetectable poison*", "tasteless poison*", "odorless poison*", "odourless poison*",
        # weapons made to kill, and attacks with them
        "make a bomb", "making a bomb", "build a bomb", "building a bomb", "homemade bomb*",
        "home-made bomb*", "pipe bomb*", "nail bomb*", "pressure cooker bomb*", "car bomb*",
        "suicide vest*", "acid attack*", "throw acid", "throwing acid", "threw acid",
        "splash acid", "splashing acid",
        # torture methods and instruments
        "waterboard*", "thumbscrew*", "flayed alive", "flaying alive", "drawn and quartered",
        "breaking wheel", "strappado", "torture chamber*", "torture rack",
    ],
    "hate": [
        "nigger*", "nigga*", "faggot*", "fag", "fags", "kike", "kikes", "spic", "spics", "chink",
        "chinks", "gook", "gooks", "wetback*", "raghead*", "towelhead*", "sand nigger*", "tranny",
        "trannies", "coon", "coons", "paki", "pakis", "beaner*", "zipperhead*", "golliwog*",
        "retards", "sieg heil", "heil hitler", "hitler was right", "white power",
        "gas the jews", "kill all jews", "kill all gays", "kill all muslims",
        "kill all blacks", "1488", "holocaust denial", "holocaust never happened", "untermensch*",
        "subhuman*", "ethnic cleansing", "race war", "only good indian is a dead indian",
        "go back to your country", "inferior race", "poofter*", "sodomite*",
        "shemale*", "gyppo*", "gippo*", "pikey*", "jap", "japs", "wop", "wops", "dago", "dagos",
        "greaseball*", "camel jockey*", "yid", "yids", "hymie*", "mongoloid*",
        "retard", "porch monkey*", "jungle bunn*", "slant eye*", "slanty eye*", "ching chong",
        "towel head*", "groid*", "muzzie", "muzzies", "muzrat*", "13/50", "goat fucker*",
        "goat f*cker*", "goatfucker*", "mud people", "inyenzi",
        # a massacre of Bosnian Muslims sung as a joke, and its slogan (test26)
        "remove kebab", "kebab removal", "kebab remover*",
    ],
    "self_harm": [
        "suicide", "suicides", "suicidal", "self harm*", "self-harm*", "selfharm*", "self injur*",
        "self mutilat*", "self-mutilat*", "kill myself", "killing myself", "kill yourself",
        "killing yourself", "killing themselves", "kill themselves", "hang myself",
        "hanging myself", "hanging himself", "hanging herself", "hang himself", "hang herself",
        "end my life", "end their life", "end his life", "end her life", "ending my life",
        "to end it all", "cut myself", "cutting myself", "cutting her wrists", "cutting his wrists",
        "cutting my wrists", "slit wrists", "slit my wrists", "slitting wrists",
        "slitting my wrists", "bleeding wrists", "wrists slit", "overdose on pills", "to overdose",
        "pro-ana", "pro ana", "proana", "pro-mia", "thinspo*", "thinspiration",
        "bulimia motivation", "starving myself", "starve myself", "i want to die", "want to die",
        "kys", "unalive myself", "unaliving myself", "sewerslide", "sewer slide", "noose",
        "rope around my neck", "rope around his neck", "rope around her neck",
        "rope around their neck", "want to disappear forever", "wants to disappear forever",
        "wanting to disappear forever", "sleep and never wake up", "sleeping and never waking up",
        "better off dead", "better off without me", "better off in the ground",
        "better off in a grave", "better off six feet under",
        "no reason to live", "nothing to live for",
        "don't want to live", "do not want to live", "doesn't want to live",
        "does not want to live", "tired of living", "tired of being alive",
        "don't want to be alive", "do not want to be alive", "want to be dead", "wants to be dead",
        # eating disorders promoted: thinspo, purging, starving
        "bonespo", "meanspo", "fitspo thinspo", "ana coach*", "ana buddy", "ana buddies",
        "purging tips", "how to purge", "purge after eating", "purge after meals",
        "purging after meals", "make myself throw up", "make myself vomit",
        "make yourself throw up", "make yourself vomit", "making myself throw up",
        "making myself vomit",
        "throw up after eating", "throw up after meals", "vomit after eating", "vomit after meals",
        "laxatives to lose weight", "laxative abuse", "skip meals to lose", "starve yourself",
        "starving yourself", "starve herself", "starving herself", "starve himself",
        "starving himself", "nothing tastes as good as skinny feels",
        # self-harm kept up and hidden
        "keep cutting", "keep cutting myself", "keep hurting myself", "harm myself",
        "harming myself", "cut deeper", "how deep to cut", "how deep should i cut",
        "hide my self harm", "hiding my self harm", "hide my cuts", "hiding my cuts",
        "hide the cuts", "hide cuts", "cover my cuts", "cover up my cuts", "hide my cutting",
        "cutting scars",
        # suicide as its forums say it: "ctb" (catch the bus)
        "ctb", "ctb method*", "catch the bus method*",
    ],
    "real_person": [
        "deepfake*", "deep fake*", "face swap*", "faceswap*",
        # Living public figures (politicians, royals, business people, performers,
        # athletes). The dead are left out: a portrait of Lincoln is history.
        "donald trump", "trump", "melania trump", "ivanka trump", "joe biden", "biden",
        "kamala harris", "barack obama", "obama", "michelle obama", "hillary clinton",
        "bill clinton", "george w. bush", "george w bush", "jd vance", "j.d. vance", "mike pence",
        "nancy pelosi", "alexandria ocasio-cortez", "ocasio-cortez", "bernie sanders",
        "ron desantis", "vladimir putin", "putin", "volodymyr zelensky", "zelensky", "zelenskyy",
        "xi jinping", "kim jong un", "kim jong-un", "emmanuel macron", "macron", "olaf scholz",
        "friedrich merz", "angela merkel", "rishi sunak", "keir starmer", "boris johnson",
        "justin trudeau", "trudeau", "narendra modi", "benjamin netanyahu", "netanyahu",
        "recep tayyip erdogan", "erdogan", "jair bolsonaro", "lula da silva", "javier milei",
        "giorgia meloni", "viktor orban", "king charles", "prince william", "prince harry",
        "kate middleton", "meghan markle", "pope leo", "dalai lama", "elon musk", "jeff bezos",
        "bezos", "mark zuckerberg", "zuckerberg", "bill gates", "warren buffett", "sam altman",
        "tim cook", "jensen huang", "taylor swift", "beyonce", "rihanna", "lady gaga",
        "ariana grande", "billie eilish", "selena gomez", "dua lipa", "miley cyrus", "katy perry",
        "shakira", "jennifer lopez", "nicki minaj", "cardi b", "kim kardashian", "kardashian",
        "kylie jenner", "kanye west", "kanye", "justin bieber", "ed sheeran", "harry styles",
        "bad bunny", "snoop dogg", "eminem", "jay-z", "emma watson", "scarlett johansson",
        "jennifer lawrence", "margot robbie", "zendaya", "emma stone", "natalie portman",
        "gal gadot", "anne hathaway", "jennifer aniston", "angelina jolie", "sydney sweeney",
        "millie bobby brown", "tom cruise", "tom hanks", "brad pitt", "leonardo dicaprio",
        "dicaprio", "keanu reeves", "dwayne johnson", "will smith", "morgan freeman", "johnny depp",
        "ryan reynolds", "ryan gosling", "chris hemsworth", "chris evans", "chris pratt",
        "robert downey jr", "timothee chalamet", "pedro pascal", "henry cavill", "tom holland",
        "jason momoa", "denzel washington", "samuel l. jackson", "arnold schwarzenegger",
        "sylvester stallone", "cristiano ronaldo", "lionel messi", "kylian mbappe", "neymar",
        "lebron james", "stephen curry", "serena williams", "roger federer", "rafael nadal",
        "novak djokovic", "usain bolt", "tiger woods", "simone biles", "greta thunberg",
        "oprah winfrey", "oprah", "joe rogan", "mrbeast", "mr beast", "pewdiepie", "andrew tate",
        "jordan peterson", "dick van dyke", "messi", "ronaldo", "merkel", "sunak", "starmer",
        "meloni", "milei", "bolsonaro", "desantis", "pelosi", "clinton", "elton john",
        "paul mccartney", "ringo starr", "mick jagger", "bruce springsteen", "bob dylan",
        "dolly parton", "celine dion", "britney spears", "post malone", "the weeknd",
        "travis scott", "olivia rodrigo", "sabrina carpenter", "doja cat", "lizzo", "bruno mars",
        "al pacino", "robert de niro", "meryl streep", "nicole kidman", "julia roberts",
        "sandra bullock", "cate blanchett", "jack nicholson", "harrison ford", "clint eastwood",
        "anthony hopkins", "ian mckellen", "patrick stewart", "daniel radcliffe",
        "benedict cumberbatch", "tom hiddleston", "idris elba", "hugh jackman", "matt damon",
        "ben affleck", "george clooney", "mark wahlberg", "jim carrey", "adam sandler",
        "jackie chan", "danny devito", "nicolas cage", "christian bale", "cillian murphy",
        "florence pugh", "anya taylor-joy", "jenna ortega", "kristen stewart", "megan fox",
        "kendall jenner", "gigi hadid", "bella hadid", "paris hilton", "pamela anderson",
        "michael jordan", "shaquille o'neal", "tom brady", "patrick mahomes", "travis kelce",
        "conor mcgregor", "mike tyson", "floyd mayweather", "lewis hamilton", "max verstappen",
        "erling haaland", "david beckham", "zlatan ibrahimovic", "shohei ohtani", "naomi osaka",
        "satya nadella", "sundar pichai", "larry page", "sergey brin", "jack dorsey", "peter thiel",
        "george soros", "rupert murdoch", "mark cuban", "nikki haley", "marco rubio",
        "gavin newsom", "mitch mcconnell", "ted cruz", "robert f. kennedy", "rfk jr",
        "tucker carlson", "alex jones", "marjorie taylor greene", "ursula von der leyen",
        "mohammed bin salman", "ali khamenei", "bashar al-assad", "nicolas maduro",
        "jacinda ardern", "malala yousafzai", "pope leo xiv", "yulia navalnaya",
    ],
    "living_artist": [
        # Living artists whose names are common in image prompts. Dead artists (Van Gogh,
        # Monet, Mucha, Hokusai…) are not here: imitating their style is fine.
        "greg rutkowski", "rutkowski", "artgerm", "stanley lau", "wlop", "loish", "lois van baarle",
        "ilya kuvshinov", "kuvshinov", "sakimichan", "ross tran", "rossdraws", "alena aenami",
        "aenami", "simon stalenhag", "stalenhag", "jakub rozalski", "rozalski", "beeple",
        "mike winkelmann", "james jean", "karla ortiz", "craig mullins", "krenz cushart",
        "makoto shinkai", "shinkai", "hayao miyazaki", "miyazaki", "yoshitaka amano",
        "takashi murakami", "yayoi kusama", "kusama", "david hockney", "hockney", "banksy",
        "jeff koons", "koons", "kaws", "shepard fairey", "gerhard richter", "anish kapoor",
        "ai weiwei", "cindy sherman", "kehinde wiley", "jenny saville", "marina abramovic",
        "damien hirst", "peter mohrbacher", "mohrbacher", "charlie bowater", "tom bagshaw",
        "alex ross", "jim lee", "frank miller", "mike mignola", "mignola", "todd mcfarlane",
        "tim burton", "wes anderson", "boris vallejo", "julie bell", "luis royo", "gerald brom",
        "range murata", "yoji shinkawa", "akihiko yoshida", "junji ito", "eiichiro oda",
        "naoko takeuchi", "sam yang", "atey ghailan", "sylvain sarrailh", "raphael lacoste",
        "dan mumford", "android jones", "alex grey", "josan gonzalez", "laurie greasley",
        "victo ngai", "tomer hanuka", "jeremy mann", "anato finnstark", "wadim kashin", "ruan jia",
        "marc simonetti", "john howe", "alan lee", "ted nasmith", "brian froud", "donato giancola",
        "michael whelan", "tyler edlin", "jordan grimmer", "john avon", "rebecca guay",
        "terese nielsen", "james gurney", "chris foss", "roger dean", "anna dittmann", "guweiz",
        "rhads", "cory loftis", "tran nguyen", "esao andrews", "mark ryden", "audrey kawasaki",
        "tara mcpherson", "camille rose garcia", "ray caesar", "kazuo oga", "hirohiko araki",
        "tetsuya nomura", "katsuhiro otomo", "naoki urasawa", "rumiko takahashi",
        "masashi kishimoto", "tsutomu nihei", "yusuke murata", "mamoru oshii", "greg hildebrandt",
        "drew struzan", "bill sienkiewicz", "dave mckean", "ashley wood", "jamie hewlett",
        "chris ware", "bill watterson", "matt groening", "genndy tartakovsky", "glen keane",
        "enki bilal", "milo manara", "frank quitely", "j. scott campbell", "adam hughes",
        "feng zhu", "iain mccaig", "doug chiang", "ian mcque", "andreas rocha", "noah bradley",
        "sam spratt", "jeff easley", "larry elmore", "todd lockwood", "wayne reynolds",
        "john blanche", "jesper ejsing", "justin gerard", "kinuko y. craft", "chris van allsburg",
        "shaun tan", "jon klassen", "oliver jeffers", "quentin blake", "axel scheffler",
        "kara walker", "julie mehretu", "cecily brown", "peter doig", "neo rauch", "luc tuymans",
        "marlene dumas", "george condo", "yoshitomo nara", "olafur eliasson", "bridget riley",
        "georg baselitz", "anselm kiefer", "odd nerdrum", "alex katz", "ed ruscha", "tracey emin",
        "andreas gursky", "annie leibovitz", "steve mccurry", "gregory crewdson",
        "david lachapelle", "nan goldin", "jeremy lipking", "daniel f. gerhartz", "casey baugh",
        "mandy jurgens", "nixeu", "yuumei", "raymond swanland", "seb mckinnon", "darek zabrocki",
        "maciej kuciara", "ismail inceoglu", "kekai kotaki", "vladimir kush", "jacek yerka",
        "karol bak", "hajime sorayama", "katsuya terada", "shigenori soejima", "takehiko inoue",
    ],
    "profanity": [
        "fuck*", "f*ck*", "f**k*", "fck", "fcking", "motherfuck*", "shit", "shitty", "sh*t",
        "bullshit", "bullsh*t", "cunt*", "asshole*", "dickhead*", "bitch", "bitches", "bastard*",
        "wanker*", "twat*", "piss off", "stfu",
    ],
}  # fmt: skip
