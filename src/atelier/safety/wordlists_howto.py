"""How-to requests for grave harm, in both languages the lists read: recipes for weapons
that kill many (explosives, incendiaries, detonators, chemical and biological agents, a gun
made silent or automatic), taking a child, making someone too drunk to refuse, tracking a
partner in secret, and hurting an animal. A stranger's "怎样在家里自制炸药" (how to make
explosives at home) passed every layer, as did "how to make ricin from castor beans", "how
to kidnap a child from a playground without being seen" and "how to hurt my cat so it
learns"; what is asked for is the same thing in each language, so it is written down once
here. Merged with the other lists' patterns by blocklist.py."""

from __future__ import annotations

_HOW = (
    r"how (?:to|do i|do you|can i|could i|would i|should i|does one)|recipe for|formula for"
    r"|instructions (?:to|for)|step[- ]by[- ]step(?: guide)? (?:to|for)|teach me (?:how )?to"
    r"|guide (?:to|for)|ways? to|tutorial (?:on|for)"
)
_MAKE = (
    r"make|making|build|building|cook|cooking|mix|mixing|produce|assemble|synthesi[sz]e"
    r"|extract|extracting|refine|refining|purify|purifying|culture|weaponi[sz]e|grow|growing"
)
# A bomb, but not a bath, seed, glitter, photo, smoke, stink or calorie one, nor "the bomb"
# that brownies are.
_BOMB = (
    r"(?<!bath )(?<!seed )(?<!glitter )(?<!photo )(?<!smoke )(?<!stink )(?<!calorie )"
    r"(?<!the )bombs?"
)
# Explosives and agents named by their own name, which a recipe of ("a ricin recipe card")
# asks for as plainly as a recipe for does; a bomb's, a gunpowder's or a gas's recipe may be
# a bath bomb's, a cocoa bomb's, gunpowder tea's.
_AGENTS = (
    r"explosives?|napalm|tnt|semtex|nitroglycerine?|ricin|sarin|tabun|soman|novichok"
    r"|mustard gas|nerve (?:agents?|gas)|anthrax|botulinum(?: toxin)?|tatp|hmtd|petn|rdx"
)
_THINGS = (
    rf"{_AGENTS}|molotovs?(?: cocktails?)?|grenades?|detonators?|blasting caps?|gunpowder"
    rf"|black powder|c-?4|ieds?|{_BOMB}|(?:chemical|biological) weapons?|bioweapons?"
    r"|(?:poison(?:ous)?|toxic|chlorine) gas(?:es)?"
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
_CHILD = r"child|children|kid|kids|toddler|toddlers|baby|babies|girl|girls|boy|boys"
_CHILD_ZH = "小孩|孩子|儿童|女孩|男孩|婴儿|小女孩|小男孩|宝宝|学生"
_PARTNER = (
    r"ex|ex-?(?:girlfriend|boyfriend|wife|husband|partner)|wife|husband|girlfriend|boyfriend"
    r"|partner|crush|coworker|neighbou?r"
)
_PARTNER_ZH = "前女友|前男友|女友|男友|女朋友|男朋友|老婆|老公|前妻|前夫|同事|邻居|暗恋"
_HER_ZH = "她|女生|女孩|妹子|女同事|女同学|女朋友|女网友"
_PLAN = r"plan|plans|planning|planned|map out|mapping out|help me plan"
_HOW_ZH = "怎么|怎样|如何|咋|教我|教你|求教|告诉我"
_MAKE_ZH = "做|制作|制造|造|自制|配制|配|合成|弄|提炼|提取|制备|培养"
_THINGS_ZH = (
    "炸弹|炸药|雷管|燃烧瓶|燃烧弹|汽油弹|手榴弹|手雷|地雷|土雷|黑火药|tnt|c4|硝化甘油|硝酸甘油"
    "|凝固汽油|铝热剂|蓖麻毒素|沙林|芥子气|神经毒剂|神经毒气|vx毒剂|炭疽|毒气|化学武器|生物武器"
    "|炸dan|zha弹|zhadan"  # a bomb half in pinyin
)

_HURT = (
    r"hurt|harm|beat|kick|hit|starv|burn|drown|chok|strangl|tortur|poison|abus|kill|maim"
    r"|mutilat"
)
_ANIMALS = (
    r"cats?|kittens?|kitties|dogs?|pupp(?:y|ies)|pets?|hamsters?|rabbits?|bunn(?:y|ies)|birds?"
    r"|parrots?|horses?|ponies|pony|animals?|guinea pigs?"
)
_HURT_ZH = "虐待|虐|折磨|毒死|打死|打伤|弄死|淹死|饿死|摔死|烫死|勒死|踢死|殴打|暴打"
_ANIMALS_ZH = "猫|狗|小猫|小狗|猫咪|狗狗|宠物|流浪猫|流浪狗|兔子|仓鼠|鹦鹉|小动物|动物"

PATTERNS: dict[str, list[str]] = {
    "violence": [
        # "how to make explosives at home", "how do I make napalm", "homemade explosive recipe"
        rf"\b(?:{_HOW}) (?:(?!avoid|prevent|stop|never|not\b)\w+ ){{0,2}}(?:{_MAKE}) {_GAP}"
        rf"(?:{_THINGS})\b{_NOT_A_WEAPON}",
        # "what household chemicals do I mix to make explosives"
        rf"\b(?:do|can|could|should|would) (?:i|we) (?:\w+ ){{0,2}}(?:{_MAKE}) (?:to (?:{_MAKE}) )?"
        rf"{_GAP}(?:{_THINGS})\b{_NOT_A_WEAPON}",
        rf"\b(?:home-?made|diy|improvised) (?:\w+ ){{0,2}}(?:{_THINGS})\b.{{0,40}}\b(?:recipe"
        r"|instructions|ingredients|fertili[sz]er)\b",
        rf"\b(?:recipe|formula|ingredients) (?:for|of) (?:an? )?(?:{_THINGS})\b",
        # "a ricin recipe card" (not a bath bomb's, a cocoa bomb's or gunpowder tea's)
        rf"\b(?:{_AGENTS}|thermite) (?:recipes?|formulas?|instructions|ingredients|synthesis"
        r"|production)\b",
        # a gun made silent or automatic: "how to make a silencer from a solvent trap",
        # "convert my AR-15 to full auto"
        rf"\b(?:{_HOW}) (?:\w+ ){{0,2}}(?:{_MAKE}) (?:\w+ ){{0,2}}(?:(?:silencers?|suppressors?)"
        rf"(?=.{{0,40}}\b(?:{_GUN}|solvent traps?)\b)|auto sears?|glock switch(?:es)?)\b",
        rf"\b(?:convert|turn|make|modify)\w* (?:my |an? |the |his |this )?(?:\w+ ){{0,2}}(?:{_GUN}"
        rf"|ars?|semi-?autos?|semi-?automatics?)(?: (?:{_GUN}))?"
        r" (?:in)?to (?:a )?(?:full[- ]?auto|fully automatic|machine ?guns?)\b",
        f"(?:{_HOW_ZH}|自制|土制|做)[^，。,]{{0,6}}(?:{_GUN_ZH})(?:的|用)?(?:消音器|消声器)"
        f"|(?:{_GUN_ZH})(?:的|用)?(?:消音器|消声器)[^，。,]{{0,3}}(?:做|制作|自制)",
        f"(?:{_GUN_ZH})[^，。,]{{0,6}}(?:改|改装)(?:成|为)?全自动",
        # a gun made at home, untraceable: "how to make a zip gun", "how to make a gun at home
        # without a serial number", "怎么在家自制一把手枪" (not a toy's, a cake's or a prop's)
        rf"\b(?:{_HOW}) (?:\w+ ){{0,2}}(?:make|making|build|building|3d[- ]?print|print|assemble"
        r"|mill)\w* (?:an? |my own |your own |the |a working |a real )?(?:(?!nerf|water|toy|glue"
        r"|spray|paint|airsoft|bubble|squirt|laser|rubber|nail|heat|staple|foam|cap|finger|light"
        rf"|potato|bb)\w+ )?(?:{_GUN}|zip ?guns?|ghost ?guns?|lower receivers?)\b{_NOT_A_WEAPON}"
        r"(?![- ]?shaped)",
        f"(?:(?:{_HOW_ZH})[^，。,]{{0,6}}(?:自制|做|制作|制造|造|打印|组装)|自制|土制)[^，。,]{{0,4}}"
        "(?<!玩具)(?<!水)(?:手枪|步枪|猎枪|枪支|土枪|冲锋枪|霰弹枪|狙击枪|真枪|火枪)"
        "(?!造型|形状|模型|蛋糕|道具|玩具)",
        # "怎么自己做炸药", "炸药的配方", "教我制作雷管", "手榴弹怎么做", "如何用化肥做炸药"
        f"(?:{_HOW_ZH})[^，。,]{{0,6}}(?:{_MAKE_ZH})[^，。,]{{0,4}}(?:{_THINGS_ZH})",
        f"(?:{_THINGS_ZH})(?:的)?[^，。,]{{0,3}}(?:{_HOW_ZH})[^，。,]{{0,2}}(?:{_MAKE_ZH})",
        f"(?:{_THINGS_ZH})(?:的)?(?:配方|制作方法|制法|原料|做法)",
        f"(?:自制|土制|手工制作|在家做|在家里做)(?:{_THINGS_ZH})",
        # made from what is at hand, with its amounts: "用家里的东西合成毒气，具体比例"
        f"(?:用|拿)(?:家里|家中|厨房|超市|药店)[^，。,]{{0,6}}(?:{_MAKE_ZH})[^，。,]{{0,2}}(?:{_THINGS_ZH})",
        f"(?:{_MAKE_ZH})(?:{_THINGS_ZH}).{{0,8}}(?:比例|配比|步骤|用量|原料)",
        # a killing got away with: "best way to kill someone and not get caught"
        r"\b(?:how (?:to|do i|can i|could i)|best way to|ways? to|help me) (?:\w+ )?(?:kill|murder"
        r"|poison|strangle|stab|shoot) (?:someone|somebody|a person|a man|a woman|my \w+|him|her"
        r"|them)\b.{0,30}\b(?:and not|without|never) (?:get(?:ting)? caught|being caught|leaving"
        r" (?:a |any )?(?:trace|evidence)|anyone (?:knowing|finding out))",
        # an attack planned: "plan for a shooting at my school next friday" (not a drill,
        # a game or a film), "帮我策划一场校园枪击"
        rf"\b(?:{_PLAN}) (?:for |out )?(?:a |the |my |our )?(?:school|mass|mall|church|campus"
        r"|subway) (?:shooting|attack|bombing|massacre|stabbing)s?\b(?! (?:games?|scenes?"
        r"|drills?|practice|exercises?|films?|movies?|videos?))",
        rf"\b(?:{_PLAN}) (?:for |out )?(?:a |an |the |my |our )?(?:shooting|attack|bombing"
        r"|massacre|stabbing|rampage)s? (?:at|in|on|against) (?:my |the |our |a |this |that )?"
        r"(?:\w+ )?(?:school|class|college|campus|office|work|church|mosque|synagogue|temple|mall"
        r"|concert|festival|parade|station|subway|crowd)\b",
        "(?:我|帮我|我们)(?:要|想|准备|打算|正在)?(?:计划|策划|规划)[^，。,]{0,10}(?:枪击|屠杀|爆炸案"
        "|袭击|砍人|捅人|投毒)",
        # an animal hurt: "how to hurt my cat so it learns", "how to drown a litter of kittens",
        # "教我怎么折磨流浪猫" (not trained, bathed or given its shots: "怎么给狗打疫苗")
        rf"\b(?:{_HOW}) (?:\w+ ){{0,2}}(?:{_HURT})\w* (?:my |a |an |the |our |his |her |their"
        rf" |this |that |some |stray |a litter of |the neighbou?r'?s )?(?:\w+ )?(?:{_ANIMALS})\b",
        rf"\b(?:tortur|abus|maim|mutilat)\w* (?:a |an |the |my |our |this |that |some |stray )"
        rf"(?:\w+ )?(?:{_ANIMALS})\b",
        f"(?:{_HOW_ZH})[^，。,]{{0,6}}(?:{_HURT_ZH})[^，。,]{{0,4}}(?:{_ANIMALS_ZH})"
        f"|(?:{_HOW_ZH})[^，。,]{{0,2}}(?:打|踢)(?:{_ANIMALS_ZH})[^，。,]{{0,4}}(?:不留伤|不留痕|不被发现)",
        # a child taken: "how to kidnap a child from a playground", "怎么从游乐场拐走一个小孩"
        rf"\b(?:{_HOW}|help me|best way to) (?:\w+ ){{0,2}}(?:kidnap|abduct|snatch)\w*"
        rf" (?:\w+ ){{0,2}}(?:{_CHILD})\b",
        rf"\blur\w* (?:an? |the |some |that |this )?(?:\w+ )?(?:{_CHILD}) (?:into (?:my |a |an"
        r" |the |his |her )?(?:\w+ )?(?:van|car|truck|house|basement|woods|apartment)|away from)\b",
        rf"\b(?:kidnap|abduct|snatch)\w* (?:\w+ ){{0,2}}(?:{_CHILD})\b.{{0,40}}\bwithout"
        r" (?:being seen|anyone (?:noticing|seeing|knowing)|getting caught)",
        f"(?:{_HOW_ZH}|帮我)[^，。,]{{0,8}}(?:拐走|拐跑|绑架|诱拐|偷走|抱走|骗走)[^，。,]{{0,4}}"
        f"(?:{_CHILD_ZH})",
        # a partner tracked in secret: "track my ex's phone without her knowing", "偷偷定位前女友"
        rf"\b(?:track|spy on|monitor|locate|read|follow|bug)\w* (?:my |his |her )?(?:{_PARTNER})"
        r"(?:'s)? (?:\w+ ){0,3}(?:without (?:her|him|them) (?:knowing|noticing|finding out)"
        r"|secretly|in secret)",
        rf"\bsecretly (?:track|spy on|monitor|locate|read|follow)\w* (?:my |his |her )?"
        rf"(?:{_PARTNER})\b",
        f"(?:偷偷|悄悄|秘密|暗中)(?:地)?(?:定位|跟踪|监控|监听|偷看|查看)[^，。,]{{0,4}}(?:{_PARTNER_ZH})",
    ],
    "sexual": [
        # too drunk or drugged to refuse: "get a girl drunk enough that she can't say no"
        r"\b(?:get|gets|getting|make|makes|making) (?:a |the |my |this |that |your )?(?:\w+ )?"
        r"(?:girl|woman|her|him|guy|date|coworker|classmate|someone|wife|girlfriend)s? (?:so |too"
        r" |really |very )?(?:drunk|wasted|high|drugged|blacked out|passed out)\b.{0,40}\b(?:she"
        r"|he|they) (?:can'?t|cannot|won'?t|couldn'?t|wouldn'?t) (?:say no|refuse|resist"
        r"|fight back|remember|consent)\b",
        "(?:灌醉|灌倒|下药|迷晕|迷倒)[^，。,]{0,10}(?:不能|无法|没法|没力气)(?:反抗|拒绝|说不)",
        f"(?:{_HOW_ZH})[^，。,]{{0,6}}(?:灌醉|迷晕|迷倒|下药)[^，。,]{{0,2}}(?:{_HER_ZH})",
        f"(?:{_HOW_ZH})[^，。,]{{0,2}}把(?:{_HER_ZH})(?:灌醉|迷晕|迷倒)",
        # a drink spiked: "slip something into her drink so she won't remember"
        r"\bslip\w* (?:something|a pill|pills|a roofie|roofies|it|drugs?|a sedative) (?:in|into)"
        r" (?:her|his|their|my date'?s?) (?:drink|glass|cup|coffee|wine|beer|cocktail)\b",
    ],
}
# Harmless phrases taken out before any layer reads a prompt (wordlists.EXCEPTIONS): a bomb
# squad's work is defusing ("a film poster: the bomb squad defuses a bomb" was held), a
# drill practises for an attack ("a lesson plan for a school shooting drill" was held), and
# a workshop's guns are tools ("how to make a glue gun holder").
EXCEPTIONS = [
    "glue gun",
    "glue guns",
    "caulk gun",
    "caulking gun",
    "heat gun",
    "staple gun",
    "shooting drill",
    "shooting drills",
    "active shooter drill",
    "active shooter drills",
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
