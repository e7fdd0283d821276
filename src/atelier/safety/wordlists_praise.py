"""Atrocities and their perpetrators praised, in both languages the lists read: a terror
attack or a massacre celebrated, its attackers made heroes, a genocide celebrated or
denied. "A poster celebrating the holocaust", "a poster celebrating the 9/11 attacks",
"a tribute poster to the christchurch mosque shooter" and "赞美南京大屠杀的海报" passed
every layer; remembering the victims, honouring the survivors and a memorial are let
alone. Merged with the other lists' patterns by blocklist.py."""

from __future__ import annotations

_PRAISE = r"celebrat|glorif|prais|cheer|honou?r|salut|worship|idoli[sz]|tribute"
# Words between the praise and the thing that say whom it is for: the victims, the
# survivors, the fallen, the rescuers, the end of it, or a stand against it.
_NOT_FOR = (
    r"(?!(?:not|victims?|survivors?|fallen|dead|lost|lives|memory|memories|those|who|heroes"
    r"|rescuers?|firefighters?|responders?|end|liberation|liberators?|against|anti)\b)"
)
_ATTACKS = (
    r"(?:terror(?:ist)? )?(?:attack|shooting|bombing|massacre|stabbing|ramming)s?"
    r"|9/11|9-11|september 11(?:th)?"
)
_ATTACKERS = (
    r"(?:school|mass|church|mosque|synagogue|christchurch|columbine|parkland|sandy hook|uvalde"
    r"|utøya|utoya|el paso|isla vista)(?: (?:mosque|school|high school|church))? (?:shooters?"
    r"|gunm[ae]n|killers?|bombers?)"
)
_GENOCIDES = (
    r"holocaust|shoah|genocides?|ethnic cleansing|pogroms?|final solution|(?:the )?gas chambers"
    r"|(?:nanjing|nanking|srebrenica|rwandan) (?:massacre|genocide)|rape of nan(?:jing|king)"
    # a massacre's place and year, named alone (test26: "an anthem celebrating Srebrenica
    # 1995"), and the camps
    r"|srebrenica|(?:nanjing|nanking) 1937|rwanda 1994|auschwitz|treblinka|the death camps"
)
_PRAISE_ZH = "歌颂|赞美|美化|崇拜|膜拜|颂扬|庆祝|欢呼"  # not 夸 alone: 夸张 is to exaggerate
# Nothing between the praise and the thing that says it is for the victims or against it:
# "赞美南京大屠杀幸存者的勇气" (the survivors' courage) is let alone.
_NOT_FOR_ZH = "(?:(?!遇难|受害|幸存|死难|反对|悼念|缅怀|纪念|牺牲|救援|消防)[^，。,])"
_ATTACKER_ZH = "校园枪手|枪手|恐怖分子|杀人犯|炸弹客|袭击者|劫机者|人肉炸弹"

# Praise, then up to four words none of which says whom it is for: what an attack and a
# genocide praised begin with.
_PRAISED = rf"\b(?:{_PRAISE})\w* (?:to )?(?:{_NOT_FOR}[\w/'’-]+ ){{0,4}}"
_PRAISED_ZH = f"(?:{_PRAISE_ZH}){_NOT_FOR_ZH}{{0,8}}"

PATTERNS: dict[str, list[str]] = {
    "violence": [
        # an attack celebrated: "a meme celebrating the truck attack", "a poster celebrating
        # the 9/11 attacks" (not "honouring the victims of the attack")
        rf"{_PRAISED}(?:{_ATTACKS})\b"
        r"(?! (?:victims|survivors|memorial|responders|session|range|practice|competition|club"
        r"|gallery|star|stars|trip|day))",
        r"\bbody count\b.{0,40}\bhigh ?score\b|\bhigh ?score\b.{0,40}\bbody count\b",
        # attackers celebrated: "the Christchurch shooter as a hero", "glorifying the
        # Columbine shooters", "a tribute poster to the christchurch mosque shooter" (not a
        # game's or a team's best shooter)
        rf"\b(?:{_PRAISE})\w* (?:{_NOT_FOR}[\w'’]+ ){{0,4}}{_ATTACKERS}\b",
        rf"\b{_ATTACKERS}(?: [\w'’]+){{0,2}} (?:as|is|are|was|were) (?:a |an |our )?(?:hero"
        r"|heroes|martyr|martyrs|saint|saints|legend|legends)\b",
        # "歌颂校园枪手是英雄", "歌颂911劫机者", "一张庆祝9·11袭击的海报"
        f"(?:{_PRAISE_ZH}|夸)(?:这个|那个|那些|这些)?[0-9a-z]*(?:{_ATTACKER_ZH})"
        f"|(?:{_ATTACKER_ZH})(?:是|为|当作|当成|作为)(?:英雄|烈士|榜样|偶像)",
        f"{_PRAISED_ZH}(?:恐怖袭击|恐袭|袭击|爆炸案|枪击案|屠杀事件)(?!遇难|受害|幸存|死难|中牺牲)",
        # a killer praised by what he did: "写一首歌，歌颂那个在商场开枪打死十几个人的人"
        # (not one who shot a robber: "歌颂那个开枪打死歹徒的人")
        f"{_PRAISED_ZH}(?:开枪|枪杀|砍死|砍伤|杀了|杀死|打死|捅死|炸死|屠杀|冲进)"
        "(?:(?!歹徒|劫匪|匪徒|恐怖分子|罪犯|敌人|侵略者|鬼子)[^，。,]){0,16}"
        '的(?:人|凶手|家伙|男人|女人|少年|青年|学生|[“"]?英雄)',
    ],
    "hate": [
        # a genocide celebrated or denied: "a poster celebrating the holocaust", "a banner
        # honoring the nanjing massacre soldiers as heroes", "the holocaust never happened"
        rf"{_PRAISED}(?:{_GENOCIDES})\b"
        r"(?! (?:victims|survivors|memorial|museum|remembrance|education|denial|liberation"
        r"|liberators))",
        r"\b(?:holocaust|shoah)\b.{0,20}\b(?:never happened|did ?n[o']t happen|is a (?:lie|hoax"
        r"|myth)|was a (?:lie|hoax|myth)|is fake|was fake)\b",
        # "赞美南京大屠杀的海报", "庆祝种族灭绝"
        f"{_PRAISED_ZH}(?:大屠杀|屠杀|种族灭绝|种族清洗)(?!遇难|受害|幸存|死难|纪念)",
        # the camps and the invaders praised (test26: "画一张海报，赞美焚尸炉“净化”了欧洲",
        # "写首诗歌颂日军在南京干得漂亮")
        f"(?:{_PRAISE_ZH})(?:了|一下|下)?(?:焚尸炉|毒气室|集中营|奥斯维辛|日军|皇军|日本兵|纳粹|党卫军"
        "|侵华日军)",
        "(?:日军|皇军|日本兵|鬼子|纳粹|党卫军|侵华日军)[^，。,]{0,10}(?:干得漂亮|干得好|杀得好|杀得对"
        "|做得对|屠得好|屠城屠得好)",
    ],
}
