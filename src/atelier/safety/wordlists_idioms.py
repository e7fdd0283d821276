"""English idioms, photography and film jargon, software's words and what a prompt asks to
leave out, all borrowing the words of harm ("you killed me with that smile", "drop-dead
gorgeous", "shot on 35mm", "bloody brilliant", "so hungry I could die", "kill -9", "no
gore"): taken out before any layer reads a prompt, like wordlists.EXCEPTIONS. Each is
written so that it never eats a harmful phrase's words ("i'm starving" but not "i'm
starving myself"). Merged with the other lists' exceptions by blocklist.py."""

from __future__ import annotations

EXCEPTION_PATTERNS = [
    r"\b(?:kill|kills|killed|killing|killin) (?:me|us|everyone) (?:softly|with (?:that|your|her|his"
    r"|their|those|this|a) (?:smile|look|looks|eyes|kindness|beauty|voice|laugh|charm|words"
    r"|jokes?|love|dance|moves|outfit|style|cuteness))\b",
    r"\b(?:your|her|his|their|that|this|those) (?:smile|eyes|look|looks|voice|laugh|charm|beauty"
    r"|outfit|jokes?|cuteness) (?:is |are |was |were )?(?:killing|kills|killed|slay\w*) me\b",
    r"\b(?:killing|killed|kills|killin) it\b(?! (?:with|by|and|slowly|in|for))",
    r"\bkiller (?:look|looks|smile|outfit|heels|abs|legs|body|view|views|deal|deals|idea|beat"
    r"|riff|solo|track|song|playlist|feature|combo|moves|style|workout|recipe|instinct|cocktail)s?\b",
    r"\bdrop[\s\-]?dead (?:gorgeous|beautiful|handsome|stunning|funny)\b",
    r"\b(?:to die for|dressed to kill|dead tired|dead funny|dead serious|dead on)\b",
    r"\bdying (?:to (?:see|try|meet|go|know|visit|get|read|watch|hear|eat)|of laughter|laughing)\b",
    r"\bbloody (?:brilliant|good|great|awesome|marvell?ous|lovely|hell|amazing|fantastic|genius"
    r"|nice|cold|hot|well|right)\b",
    r"\b(?:hungry|starving|tired|bored|full|excited|embarrassed) (?:that )?i could (?:die|eat)\b",
    r"\bcould murder (?:a|an|some) (?:burger|pizza|curry|beer|pint|coffee|sandwich|steak|kebab)\b",
    r"\b(?:i'?m|i am|we'?re|we are|i was|so) (?:so |absolutely |literally )?(?:starving|famished)"
    r"(?! ?(?:my|him|her|them|your|our)sel)",
    # work and drink told as hyperbole: "a teacher drowning in a pile of marking", "so drunk
    # he can't remember where he parked" (not "drowning in the pool", nor what he did)
    r"\bdrowning in (?:(?:a |an )?(?:pile|piles|sea|mountain|mountains|stack|stacks|flood"
    r"|ocean|avalanche) of )?(?:work|paperwork|marking|grading|emails?|homework|deadlines"
    r"|bills|debt|laundry|assignments|meetings|admin|notes|essays|exams|orders|tickets|chores"
    r"|spreadsheets|reports|invoices|dishes|toys|requests)\b",
    r"\b(?:so|too) (?:drunk|tipsy|hungover|wasted|sleepy|tired) (?:that )?(?:he|she|i|they|we"
    r"|you) (?:can'?t|couldn'?t|cannot|don'?t|didn'?t|won'?t) remember where\b",
    r"\bshot (?:on|with) (?:an? |my |the )?(?:\d+ ?mm|film|kodak|portra|fuji\w*|leica|canon|nikon"
    r"|sony|iphone|a phone|digital|polaroid|hasselblad|medium format|large format|35"
    r"|\d+ ?mm lens)\b",
    r"\b(?:shoot|shooting|shoots) (?:a |an |the |some |my |our |your |his |her )?(?:portraits?"
    r"|headshots?|photos?|pictures?|film|movie|video|music video|scene|weddings?|campaign"
    r"|editorial|lookbook|footage|commercial|documentary|selfies?|landscapes?|street photography"
    r"|in raw|raw|on film|on location)\b",
    r"\b(?:photo|film|video|fashion|wedding|studio|location|product|movie|music video) shoot"
    r"(?:s|ing)?\b",
    r"\b(?:close-?up|wide|long|medium|establishing|tracking|aerial|drone|hero|jump|beauty|product)"
    r" shots?\b",
    r"\bheadshots? (?:photo\w*|portrait|session)\b",
    # recovery told: "two years free from self-harm" (not a method, nor a wish)
    r"\b(?:free|clean|recovered|recovering|recovery|healing|healed) (?:from |of )?(?:self[\s-]?harm"
    r"|cutting|self[\s-]?injury)\b",
    # software's kill: "kill a hanging python process", "kill -9"
    r"\bkill(?:ing|ed|s)? (?:(?:a|the|that|this|my|an|all|every) )?(?:[\w.\-]+ ){0,3}"
    r"(?:process|processes|task|tasks|job|jobs|thread|threads|container|containers|pod|pods"
    r"|session|sessions|daemon|server|app|application|program|tab|tabs|query|queries)\b"
    r"|\bkill -\d+\b|\bpkill\b|\bkillall\b",
    # what a prompt asks to leave out: "a horror poster, no gore"
    r"\b(?:no|without|zero|not any|avoid|nothing) (?:blood|gore|violence|nudity)"
    r"(?:(?:,| or| and|, or|, and) (?:blood|gore|violence|nudity))*\b",
    # a number left blank (test26: "points people to a crisis line (leave the number as
    # XXX)"), not a rating
    r"\b(?:number|phone|tel|hotline|helpline|line|code|extension|ext)\b[^.]{0,20}\bxxx\b"
    r"(?![\s-]*(?:rated|movie|film|video|content|pics?))|\bxxx[\s-]+xxx\b",
    # boasts of a good quarter and hyperbole of hunger and bosses (test26, test27: "we
    # absolutely massacred Q3 targets", "i could literally murder a burger", "my boss is
    # gonna murder me if this deck isn't done")
    r"\b(?:massacred|murdered|slaughtered|crushed|destroyed) (?:our |the |my |their |all )?"
    r"(?:q[1-4] |quarterly |sales |annual |monthly )?(?:targets?|goals?|numbers|quotas?|kpis?"
    r"|the competition)\b",
    r"\b(?:could|would|gonna|going to|want to|wanna) (?:literally |totally |absolutely )?(?:murder"
    r"|kill|destroy) (?:a|an|some|that|this) (?:burger|pizza|kebab|curry|steak|pint|beer|coffee"
    r"|drink|sandwich|taco|burrito|cake|plate of \w+|bowl of \w+)\b",
    r"\b(?:boss|mum|mom|dad|wife|husband|teacher|coach|manager|editor|client)\b[^.]{0,20}\b(?:is"
    r" )?(?:gonna|going to|will|would) (?:literally )?(?:murder|kill) me if\b",
]
