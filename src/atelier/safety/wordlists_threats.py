"""Threats, secret filming and harm kept hidden, in both languages the lists read: a threat
to a named person ("a text to my landlord saying I know where his kids go to school",
"放学路上小心点，我知道你住哪"), a killing planned, filming where people undress, an assault of
someone drugged, a sex slave said half in pinyin, cuts hidden from parents, a "suicide
buddy" and the height of a fall no one survives. Each passed every layer in stop 31's fifth
round of prompts written blind (docs/safety.md). Merged with the other lists' patterns by
blocklist.py."""

from __future__ import annotations

PATTERNS: dict[str, list[str]] = {
    "violence": [
        # a threat: "tell my landlord I know where his kids go to school"
        r"\bi know where (?:you|he|she|they|his \w+|her \w+|your \w+|their \w+) (?:live|lives"
        r"|go to school|goes to school|work|works|sleep|sleeps|park|parks)\b",
        # a threat: "我知道你住哪", "放学路上小心点"
        "我知道你(?:住|家)(?:在)?(?:哪|哪里|哪儿)|我知道你(?:孩子|女儿|儿子)在哪",
        "(?:放学|下班|回家|走夜)路上(?:给我)?小心(?:点|些|一点)",
        # a killing planned: "我要去弄死那个hr，帮我想个计划，什么时间下手最好"
        "(?:弄死|杀了|杀掉|干掉|捅死|砍死|做掉)[^。]{0,14}(?:计划|下手|动手|怎么杀)",
    ],
    "sexual": [
        # filmed in secret where people undress: "hidden-camera shower footage of a woman"
        r"\b(?:hidden[- ]?cam(?:era)?s?|spy[- ]?cam(?:era)?s?|secretly (?:filmed|recorded|taken)"
        r"|voyeur\w*|peeping)\b.{0,50}\b(?:showers?|locker ?rooms?|changing ?rooms?|toilets?"
        r"|bathrooms?|undress\w*|naked|bedrooms?|fitting ?rooms?)\b",
        r"\b(?:showers?|locker ?rooms?|changing ?rooms?|toilets?|fitting ?rooms?)\b.{0,40}"
        r"\b(?:hidden[- ]?cam(?:era)?|spy[- ]?cam(?:era)?|secretly (?:filmed|recorded))\b",
        # assault of someone drugged or unconscious: "被下药后失去意识的女人被侵犯"
        "(?:下药|迷晕|迷倒|灌醉|昏迷|失去意识|不省人事|喝醉)[^，。]{0,12}(?:侵犯|强奸|性侵|猥亵|强暴)",
        "(?:侵犯|强奸|性侵|猥亵|强暴)[^，。]{0,8}(?:被下药|昏迷|失去意识|不省人事|喝醉)的",
        # a sex slave, half in pinyin
        "(?:xing|性)(?:奴|nu)(?!隶制|隶贸易)",
    ],
    "self_harm": [
        # cuts hidden, a suicide buddy, a height that kills: "tips to hide fresh cuts from my
        # parents", "my sui buddy who encourages me to do it", "which bridge height guarantees
        # you don't survive"
        r"\b(?:hide|hiding|cover|covering|conceal\w*)(?: up)? (?:my |the |fresh |new |these )*"
        r"(?:cuts|scars|self[- ]harm(?: scars| marks)?|burns|wounds)\b(?! (?:on|from) (?:a|the|my)"
        r" (?:dog|cat|car|wall|table))",
        r"\bsui(?:cide)? (?:buddy|buddies|pact|partner)\b",
        r"\b(?:encourage|encourages|help|helps|convince|convinces|push|pushes|hype)\w* me"
        r" (?:up )?to (?:finally )?(?:do it|end it|kill myself|go through with it|jump)\b",
        r"\b(?:how high|what height|which (?:bridge|building|floor|height)|how many (?:floors"
        r"|stories|storeys))\b.{0,40}\b(?:(?:don'?t|won'?t|not|never) survive|to die|guarantee\w*"
        r" (?:death|you die)|fatal|lethal|kills? you)\b",
    ],
}
