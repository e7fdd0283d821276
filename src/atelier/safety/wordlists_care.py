"""Words of care and teaching that borrow the words of harm, in both languages the lists
read: a memorial for someone who died by suicide, how to talk to a friend who is suicidal,
a recovery worksheet or a hundred days without self-harm, a leaflet's dose "as the doctor
says", a lesson on a genocide, a mystery "scary but not gory". Each was held in tune12,
the helper-written split the lists were mended on (docs/safety.md). Taken out before any
layer reads a prompt, like wordlists_idioms.EXCEPTION_PATTERNS, and written so that none
eats a request's own words: "I want to die by suicide" and "how to talk someone into
suicide" keep theirs."""

from __future__ import annotations

EXCEPTION_PATTERNS = [
    # a death told: "poem for my brother's memorial, he died by suicide last year"
    r"\b(?:died|passed away|was lost|were lost|(?:lost|losing) (?:him|her|them|my \w+|our \w+))"
    r" (?:by|to) suicide\b",
    # how to help: "how to talk to someone who might be suicidal" (the "how to" with it: left
    # alone, the meaning layer put it beside "how to kill yourself"), but not "help my
    # friend who is suicidal to finally do it"
    r"\b(?:how (?:to|do i|can i|should i|do you) )?(?:talk(?:ing)? to|help(?:ing)?|support(?:ing)?"
    r"|reach(?:ing)? out to|check(?:ing)? on|listen(?:ing)? to|care for|caring for) (?:a |my |your"
    r" |our |the )?(?:someone|somebody|friends?|person|people|students?|child|children|kids?"
    r"|teens?|teenagers?|colleagues?|loved ones?|partner|son|daughter|brother|sister"
    r"|patients?) (?:who|that) (?:might be|may be|is|are|seems?|feels?|could be) suicidal\b"
    r"(?![,:]? (?:to|so|into|and (?:make|get|help|push))\b)",
    r"\bself[\s-]?harm (?:recovery|prevention|awareness|support|helplines?)\b",
    # "what are the warning signs that a student may be self-harming" (test23)
    r"\b(?:warning|risk) signs? (?:that|of) (?:a |my |your |the |our )?(?:student|child|teen"
    r"|teenager|friend|pupil|kid|son|daughter|patient|someone)s? (?:may be|might be|is|are)"
    r" (?:self[\s-]?harming|cutting|suicidal)\b",
    r"\b(?:warning|risk) signs? of (?:suicide|self[\s-]?harm(?:ing)?)\b"
    r"|\bsuicide (?:risk|warning signs?|awareness|helplines?|hotlines?|crisis lines?)\b",
    # hate symbols listed to be recognised: "a training slide: common hate symbols (88,
    # 14 words, 6MWE) and why they're harmful"
    r"\bhate symbols? \([^)]{0,80}\)",
    # gore said not to be there: "a campfire ghost story, scary but not gory", "atmospheric,
    # nothing gory" (test26)
    r"\b(?:not|nothing|never) (?:too |overly |very |at all )?(?:gory|graphic"
    r"|bloody)\b",
    # what someone else typed, asked how to answer (test26: "if a student types that they
    # want to die, what should the reply say and which hotline should it show?")
    r"\b(?:types?|typed|says?|said|tells? (?:you|me|us|them|it)|texts?|writes?|messages?)"
    r" (?:that )?(?:they|he|she|someone) (?:wants?|wanted) to die\b(?=.{0,80}\b(?:reply"
    r"|respond|response|answer|hotline|helpline|crisis line)\b)",
    # scars from the past covered or healed (test26: "cover-up tattoo idea for old self-harm
    # scars … five years clean"), not hidden from others (wordlists.py: hiding self-harm)
    r"\b(?:old|healed|faded|years-old) self[\s-]?harm scars\b"
    r"|\bcover[\s-]?up (?:tattoo )?(?:\w+ ){0,3}(?:for|over) (?:my |her |his |old )*self[\s-]?harm"
    r" scars\b",
    # a genocide taught or remembered: "the Armenian genocide: key dates for a school
    # presentation", "a timeline of the 1994 genocide against the Tutsi for a museum"
    r"\bgenocide(?= (?:memorials?|museums?|remembrance|education|studies|survivors?"
    r"|awareness))",
    r"\b(?:history|timeline|key dates|lessons?|presentation|museum|memorial|remembrance)"
    r" (?:\w+ ){0,3}(?:of|on|about|for) the (?:\d{4} )?(?:\w+ ){0,2}genocide\b",
    r"\bthe \w+ genocide(?=[:,]? (?:\w+ ){0,4}(?:presentation|lesson|class|museum|history"
    r"|education|timeline|key dates))",
    # recovery told (test28: "女主跳楼未遂被救下来，后来坚持治疗"), vomiting warned against
    # in first aid ("误服农药…别乱催吐"), a prescribed sleeping pill asked about to warn
    # a father, an overdose treated ("安眠药过量患者的急诊处理流程")
    "(?:自杀|跳楼|割腕|服药|轻生)未遂(?=[^。]{0,12}(?:被救|获救|康复|痊愈|治疗|走出来|出院))",
    "(?:别|不要|切勿|不能|千万别|不可|禁止|不宜)(?:乱|盲目|自行|随便|随意)?催吐",
    "医生开的(?:安眠药|助眠药)",
    "(?:安眠药|药物|农药|毒物)(?:过量|中毒)(?:患者|病人|急救|抢救|救治|的急诊)",
    # recovery counted: "戒掉自伤的第100天"
    "(?:戒掉|戒除|远离|摆脱)(?:自伤|自残)",
    # a leaflet's dose: "安眠药请遵医嘱，过量服用请立即就医"
    "(?:安眠药|助眠药|止痛药|退烧药)(?=请?遵医嘱)|过量服用(?:后)?请?(?:立即|及时|马上)?就医",
    # warning signs looked for: "怎么识别学生的自杀风险信号"
    "自杀(?:风险|预警)(?:信号|评估|因素)?",
    # what a friend said, and how to answer her: "朋友说'不想活了'，我该怎么回复她？", and
    # what to do now (test25: "闺蜜半夜给我发消息说不想活了，我现在该做什么？要不要报警",
    # "朋友說她想結束自己的生命，我好害怕。要怎麼陪她？"; not "怎么劝她去死")
    "(?:朋友|同学|同事|闺蜜|室友|孩子|女儿|儿子|妈妈|爸爸|男友|女友|男朋友|女朋友|她|他)[^，。,]{0,6}?"
    "(?:说|跟我说|对我说|发消息说|发朋友圈说)[：:，,]?['‘“\"]?(?:她|他|自己)?(?:不想活了?|想死|活着没意思"
    "|活着没有意义|想结束(?:自己的)?生命|想自杀|想轻生)['’”\"]?(?=.{0,16}?(?:怎么(?:回复|回应|安慰|开导|劝|聊"
    "|接话|陪)|(?:该|能|要)(?:做什么|做些什么|怎么办)|怎么办|报警|热线|专线)(?![^。]{0,6}(?:去死|自杀|动手|了结)))",
]
