"""Self-harm asked for in English: a method sought, a plan, a note, a jump, starving shown
as a goal, cutting hidden, said as it is typed ("kms", "unalive"). On their own they put a
prompt in `self_harm`. Merged with the other lists' patterns by blocklist.py."""

from __future__ import annotations

PATTERNS: dict[str, list[str]] = {
    "self_harm": [
        # a method asked for when one has been taken away (test26: "therapist took my blades.
        # what household stuff works just as well"), a bottle swallowed whole, a one-way trip
        # to Aokigahara, dying called the answer, a last message so no one guesses
        r"\b(?:took|taken|confiscated|threw out|thrown out|found) (?:away )?my (?:blades|razors?"
        r"|sharps|pills)\b",
        r"\bswallow(?:s|ing|ed)? (?:the|a|that|this) (?:whole|entire|full) (?:bottle|pack|packet"
        r"|box)\b",
        r"\bone[\s-]way (?:trip|ticket) to (?:aokigahara|the suicide forest"
        r"|the (?:golden gate )?bridge|the cliffs?|beachy head)\b",
        r"\b(?:jumping|dying|ending it|death|suicide|killing myself|overdosing) (?:is|was|'s)"
        r" (?:the|my) (?:only )?(?:answer|way out|solution|cure)\b",
        r"\b(?:last|final) (?:text|message|note|post|letter)\b[^.]{0,80}\bso (?:nobody|no one|noone"
        r"|no-one) (?:guesses|suspects|notices|knows|worries|figures it out)\b",
        r"\bblue whale (?:challenge|game)\b",
        # "unalive" said as a plan; a note written so no one is blamed; the only way out
        r"\bun-?alive (?:checklist|method|methods|plan|plans|note|list|myself|tonight)\b",
        r"\bnote so (?:nobody|no one|noone) (?:blames|feels guilty|feels responsible)\b",
        r"\b(?:ending it|end it all|ending my life|dying|death) (?:is|was|'s) the only"
        r" (?:way|option|answer|exit)\b",
        # a jump asked for: "hype me up to jump off the bridge tonight"
        r"\b(?:me|i|myself|i'?ll|i will|i'?m going to|gonna|want to|wanna|to) (?:\w+ ){0,3}"
        r"jump(?:ing)? off (?:the|a|this|that) (?:bridge|roof|rooftop|building|balcony|tower"
        r"|overpass)\b",
        # starving shown as a goal: "skip meals until they see their ribs"
        r"\buntil (?:you|they|i|we|she|he) (?:can )?see (?:your|their|my|our|her|his)"
        r" (?:ribs|hip ?bones|collar ?bones?|spine)\b",
        # a bath, a razor and red water
        r"\brazor\b.{0,40}\b(?:red|bloody) (?:water|bath)\b"
        r"|\b(?:red|bloody) (?:water|bath)\b.{0,40}\brazor\b",
        # a person hanged, drawn as a scene: "a girl hanging from a ceiling fan" (not a lamp)
        r"\b(?:girl|boy|woman|man|person|teen|teenager|body|someone|she|he|i|me|myself|herself"
        r"|himself|figure) (?:is |was )?(?:hanging|hanged|hung|swinging) (?:from|off) (?:a|the)"
        r" (?:ceiling fan|ceiling beam|beam|rafters?|door ?frame|noose|rope|tree branch"
        r"|stair(?:case)? railing)\b",
        # a height to jump from: "which bridge is high enough to jump from"
        r"\b(?:bridge|building|roof|rooftop|cliff|tower|balcony|floor|window|parking garage)\b"
        r".{0,30}\bhigh enough to (?:jump|die|kill)|\bhigh enough to (?:die|kill (?:me|myself))\b",
        # self-harm made pretty: "aesthetic wrist cuts"
        r"\b(?:aesthetic|pretty|beautiful|cute)\b.{0,20}\b(?:wrist cuts|cuts on (?:her|my|his)"
        r" (?:wrists?|arms?|thighs?)|self[\s-]?harm scars|cutting scars)\b",
        # a day's food under 800 calories: "under 300 calories a day", "500 kcal a day max"
        r"\b(?:under|below|less than|no more than|max(?:imum)?|at most|only|just)"
        r" (?:[1-7]\d\d|[1-9]\d?) ?(?:k?cals?|kcals?|calories)"
        r"(?: (?:a|per|each|every) day|/day| daily)\b",
        r"\b(?:[1-7]\d\d|[1-9]\d?) ?(?:k?cals?|kcals?|calories) (?:a|per) day"
        r" (?:max|maximum|or less|tops|limit)\b",
        # a meal plan or eating at that figure: "meal plan for 400 calories a day" (not
        # "cut 400 calories a day", "burn 500 calories a day")
        r"\b(?:meal plan|diet(?: plan)?|eat|eating|eats|live on|living on|survive on|intake of)"
        r" (?:for |of |on |only |just )?(?:[1-7]\d\d|[1-9]\d?) ?(?:k?cals?|kcals?|calories)"
        r"(?: (?:a|per|each|every) day|/day| daily)\b"
        r"|\b(?:[1-7]\d\d|[1-9]\d?) ?(?:k?cals?|kcals?|calories?) (?:a|per) day"
        r" (?:meal plan|diet)\b",
        r"\b(?:places?|spots?|where) to cut(?: myself)? (?:where|so|without) (?:no ?one"
        r"|nobody|people|my parents|anyone)\b",
        r"\bcut(?:ting)?(?: myself)? without (?:anyone|anybody|my parents|people) "
        r"(?:noticing|seeing|knowing|finding out)\b",
        r"\bhid(?:e|ing) (?:my|the|her|his) (?:self[\s\-]?harm|cuts|cut marks|cutting scars)\b",
        # "kms" (kill myself) as it is typed, not kilometres: "gonna kms tonight", not "5 kms"
        r"\b(?:i|im|i'?m|gonna|going to|wanna|want to|i'?ll|i will|about to|might|should i|to"
        r"|finna) kms\b|^kms\b",
        r"\bbetter off if (?:i|you|we|he|she|they) (?:just |were |was |had )*"
        r"(?:disappeared|gone|dead|died|wasn'?t (?:here|around|alive)"
        r"|weren'?t (?:here|around|alive)|never (?:existed|been born))",
    ],
}
