"""Recipes for weapons that kill many, in both languages the lists read: how to make
explosives, incendiaries, detonators, and chemical and biological agents. A stranger's
"怎样在家里自制炸药" (how to make explosives at home) passed every layer, as did "how to
make ricin from castor beans", and "how do I make napalm" was held as self-harm;
what is asked for is the same thing in each language, so it is written down once here.
Merged with the other lists' violence patterns by blocklist.py."""

from __future__ import annotations

_HOW = (
    r"how (?:to|do i|do you|can i|could i|would i|should i|does one)|recipe for|formula for"
    r"|instructions (?:to|for)|step[- ]by[- ]step(?: guide)? (?:to|for)|teach me (?:how )?to"
    r"|guide (?:to|for)|ways? to|tutorial (?:on|for)"
)
_MAKE = (
    r"make|making|build|building|cook|cooking|mix|mixing|produce|assemble|synthesi[sz]e"
    r"|extract|extracting|refine|refining|purify|purifying|culture|weaponi[sz]e"
)
# A bomb, but not a bath, seed, glitter, photo, smoke, stink or calorie one, nor "the bomb"
# that brownies are.
_BOMB = (
    r"(?<!bath )(?<!seed )(?<!glitter )(?<!photo )(?<!smoke )(?<!stink )(?<!calorie )"
    r"(?<!the )bombs?"
)
_THINGS = (
    rf"explosives?|napalm|molotovs?(?: cocktails?)?|grenades?|detonators?|blasting caps?"
    rf"|gunpowder|black powder|tnt|c-?4|semtex|nitroglycerine?|ieds?|{_BOMB}"
    r"|ricin|sarin|tabun|soman|novichok|mustard gas|nerve (?:agents?|gas)|anthrax"
    r"|botulinum(?: toxin)?|(?:chemical|biological) weapons?|bioweapons?"
)
# Words between the making and the thing, none naming a work about it, and none after it
# saying it is a likeness: "how to make a video about anthrax", "a cake shaped like a bomb",
# "a grenade costume" are let alone.
_GAP = (
    r"(?:(?!(?:videos?|posters?|films?|movies?|documentar(?:y|ies)|presentations?|lessons?"
    r"|reports?|essays?|stor(?:y|ies)|games?|costumes?|models?|replicas?|toys?|cakes?|props?"
    r"|drawings?|paintings?|cartoons?|pictures?|logos?|icons?)\b)\w+ ){0,2}"
)
_NOT_A_WEAPON = (
    r"(?! (?:costumes?|cakes?|cookies?|toys?|props?|models?|replicas?|icons?|logos?|emojis?"
    r"|pinatas?|drawings?|cartoons?|prints?|pillows?|plush(?:ies)?)\b)"
)
_GUN = r"pistols?|guns?|rifles?|glocks?|firearms?|ar-?15s?|ak-?47s?|shotguns?"
_GUN_ZH = "枪|手枪|步枪|气枪|猎枪|枪支|ak(?:-?47)?|ar-?15|m4"
_HOW_ZH = "怎么|怎样|如何|咋|教我|教你|求教|告诉我"
_MAKE_ZH = "做|制作|制造|造|自制|配制|配|合成|弄|提炼|提取|制备|培养"
_THINGS_ZH = (
    "炸弹|炸药|雷管|燃烧瓶|燃烧弹|汽油弹|手榴弹|手雷|地雷|土雷|黑火药|tnt|c4|硝化甘油|硝酸甘油"
    "|凝固汽油|铝热剂|蓖麻毒素|沙林|芥子气|神经毒剂|神经毒气|vx毒剂|炭疽|毒气|化学武器|生物武器"
)

PATTERNS: dict[str, list[str]] = {
    "violence": [
        # "how to make explosives at home", "how do I make napalm", "homemade explosive recipe"
        rf"\b(?:{_HOW}) (?:\w+ ){{0,2}}(?:{_MAKE}) {_GAP}(?:{_THINGS})\b{_NOT_A_WEAPON}",
        # "what household chemicals do I mix to make explosives"
        rf"\b(?:do|can|could|should|would) (?:i|we) (?:\w+ ){{0,2}}(?:{_MAKE}) (?:to (?:{_MAKE}) )?"
        rf"{_GAP}(?:{_THINGS})\b{_NOT_A_WEAPON}",
        rf"\b(?:home-?made|diy|improvised) (?:\w+ ){{0,2}}(?:{_THINGS})\b.{{0,40}}\b(?:recipe"
        r"|instructions|ingredients|fertili[sz]er)\b",
        rf"\b(?:recipe|formula|ingredients) (?:for|of) (?:an? )?(?:{_THINGS})\b",
        # a gun made silent or automatic: "how to make a silencer from a solvent trap",
        # "convert my AR-15 to full auto"
        rf"\b(?:{_HOW}) (?:\w+ ){{0,2}}(?:{_MAKE}) (?:\w+ ){{0,2}}(?:(?:silencers?|suppressors?)"
        rf"(?=.{{0,40}}\b(?:{_GUN}|solvent traps?)\b)|auto sears?|glock switch(?:es)?)\b",
        rf"\b(?:convert|turn|make|modify)\w* (?:my |an? |the |his |this )?(?:\w+ ){{0,2}}(?:{_GUN}"
        rf"|semi-?autos?|semi-?automatics?)(?: (?:{_GUN}))?"
        r" (?:in)?to (?:a )?(?:full[- ]?auto|fully automatic|machine ?guns?)\b",
        f"(?:{_HOW_ZH}|自制|土制|做)[^，。,]{{0,6}}(?:{_GUN_ZH})(?:的|用)?(?:消音器|消声器)"
        f"|(?:{_GUN_ZH})(?:的|用)?(?:消音器|消声器)[^，。,]{{0,3}}(?:做|制作|自制)",
        f"(?:{_GUN_ZH})[^，。,]{{0,6}}(?:改|改装)(?:成|为)?全自动",
        # "怎么自己做炸药", "炸药的配方", "教我制作雷管", "手榴弹怎么做", "如何用化肥做炸药"
        f"(?:{_HOW_ZH})[^，。,]{{0,6}}(?:{_MAKE_ZH})[^，。,]{{0,4}}(?:{_THINGS_ZH})",
        f"(?:{_THINGS_ZH})(?:的)?[^，。,]{{0,3}}(?:{_HOW_ZH})[^，。,]{{0,2}}(?:{_MAKE_ZH})",
        f"(?:{_THINGS_ZH})(?:的)?(?:配方|制作方法|制法|原料|做法)",
        f"(?:自制|土制|手工制作|在家做|在家里做)(?:{_THINGS_ZH})",
    ],
}
# Harmless phrases taken out before any layer reads a prompt (wordlists.EXCEPTIONS): a bomb
# squad's work is defusing ("a film poster: the bomb squad defuses a bomb" was held).
EXCEPTIONS = [
    "bomb squad",
    "bomb disposal",
    "defuses a bomb",
    "defusing a bomb",
    "defused a bomb",
    "defuse a bomb",
    "defuses the bomb",
    "defusing the bomb",
    "defused the bomb",
    "defuse the bomb",
]
