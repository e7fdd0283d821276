"""A child said without a word for a child: what the policy calls a child implied (a toy, a
lunchbox, braces, a retainer, recess, baby teeth, "looks young") and characters whose canon
age is under 18, in English and Chinese. Like the words for children (wordlists.py,
wordlists_zh.py) they count only beside sexual content, which they turn into `minors`:
test22 showed "erotic photo, girl with braces … hugging a teddy bear" and "《名侦探柯南》灰原哀
的本子" held as adult sexual content, not refused.

Characters are named in full where a short name is also an adult's ("anya" is an actress
too); a character who grows up in canon (Naruto's Hinata) is left out."""

from __future__ import annotations

CUES = [
    # toys and a small child's things
    "teddy bear*", "stuffed animal*", "stuffed bunny", "stuffed toy*", "sippy cup*",
    "pacifier*", "lunchbox*", "lunch box*", "juice box*", "pencil case*",
    "school backpack*", "hello kitty backpack*", "footie pajamas", "footie pyjamas",
    "footed pajamas", "training wheels", "booster seat*",
    # a child's mouth and playtime
    "baby teeth", "missing front teeth", "missing front tooth", "lost her first tooth",
    "at recess", "after recess", "during recess", "on the playground",
    "school swimsuit*", "sukumizu", "buruma", "the little one",
    # a child of the family ("a lullaby from a dad to his little daughter … sensual")
    "little daughter*", "little son*", "baby daughter*", "baby son*", "young daughter*",
    "young son*",
    # a high school's junior team (test23: "freshman JV cheer squad, suggestive poses")
    "junior varsity", "jv cheer*", "jv team*", "jv squad*",
    # Naruto's chunin exams, when its heroes are twelve (test24: Hinata "中忍考试时期")
    "chunin exam*", "chuunin exam*",
]  # fmt: skip
_UNDER = r"u-?(?:[6-9]|1[0-7])s?"  # a youth team's age limit: U12, u-15, U9s
CUE_PATTERNS = [
    # braces and a retainer on the teeth (not braces that hold trousers up, nor a lord's
    # retainer or a lawyer's)
    r"\b(?:with|wearing|metal|dental|her|his|teeth|tooth|new) braces\b(?! and (?:a )?(?:bow ?tie"
    r"|suspenders|flat cap))",
    r"\b(?:her|his|wearing|dental|clear|with (?:a|her|his)) retainers?\b",
    # "looks young" with a sexual cue is, by the policy, a child implied (not "looks young
    # for her age")
    r"\b(?:looks?|looking) (?:so |very |really |too |super )?(?:young|underage)\b(?! for (?:her"
    r"|his|their|its) age)|\byoung[\s\-]looking\b",
    # a youth team by its age limit ("I coach a U12 soccer team"; not a U2 album or a U-boat)
    rf"\b{_UNDER}\b(?= (?:team|soccer|football|squad|players?|girls|boys|side|netball|hockey"
    rf"|basketball|cheer|league))|\bcoach\w* (?:an? |the |my |our )?{_UNDER}\b",
    # Japanese shorthand for a primary- and a middle-school girl ("pixiv style, JS girl, R-18")
    r"\bj[sc] (?:girls?|loli)\b",
    # a high-school freshman ("a grown man to a freshman girl", test25; not a college's),
    # and characters kept at their canon ages ("r34 … yes the canon ages, that's the point")
    r"\bfreshman (?:girls?|boys?)\b(?![^.]{0,40}\b(?:college|university|uni|dorm|campus))",
    r"\b(?:the|their|at) canon ages?\b(?![\s:\-]*(?:is |are |of )?(?:1[89]|[2-9][0-9]))",
]
CHARACTERS = [
    "anya forger", "nezuko", "tanjiro kamado", "zenitsu", "inosuke",
    "marin kitagawa", "kitagawa marin", "misaka mikoto", "mikoto misaka", "megumin",
    "kanna kamui", "illyasviel", "chino kafuu", "kafuu chino", "madoka kaname",
    "homura akemi", "rei ayanami", "asuka langley", "shinji ikari", "shouko komi", "komi shouko",
    "ai haibara", "haibara ai", "conan edogawa", "ran mori", "usagi tsukino", "chibiusa",
    "sakura kinomoto", "izuku midoriya", "ochaco uraraka", "tsuyu asui", "momo yaoyorozu",
    "lisa simpson", "bart simpson", "wednesday addams", "hermione granger", "ginny weasley",
    "luna lovegood", "violet baudelaire", "lilo pelekai", "boruto",
    "himawari uzumaki", "hachikuji mayoi", "chika fujiwara", "kaguya shinomiya", "hinata shoyo",
    "shoyo hinata",
    "sarada",  # Boruto's daughter, twelve (test24: "Sarada (canon 12) in a sexy micro bikini")
    "loud house sisters", "loud sisters",  # a cartoon family of girls aged 1 to 17 (test25)
]  # fmt: skip
CHARACTERS_ZH = [
    "阿尼亚", "阿妮亚", "祢豆子", "弥豆子", "禰豆子", "炭治郎", "我妻善逸", "嘴平伊之助",
    "喜多川海梦", "御坂美琴", "惠惠", "康娜卡姆伊", "伊莉雅斯菲尔", "香风智乃", "鹿目圆", "晓美焰",
    "绫波丽", "明日香兰格雷", "碇真嗣", "古见硝子", "灰原哀", "柯南", "毛利兰",
    "月野兔", "木之本樱", "绿谷出久", "丽日御茶子", "蛙吹梅雨", "八百万百", "小丸子",
    "野原新之助", "蜡笔小新", "源静香", "宇智波莎拉娜", "漩涡向日葵", "藤原千花", "四宫辉夜",
    "八九寺真宵", "赫敏",
]  # fmt: skip
CUES_ZH = [
    # a child's things: the Young Pioneers' scarf, toys, a school bag, a pacifier, braces,
    # a school swimsuit
    "红领巾", "少先队", "小书包", "铅笔盒", "文具盒", "奶嘴", "布娃娃", "毛绒玩具", "玩偶熊",
    "小熊玩偶", "牙套", "换牙", "乳牙", "学校泳装", "学校泳衣", "死库水", "儿童节", "幼态脸",
    "看起来像未成年", "小黄帽",
    # a pupil's day ("放学后来我车上…只有我们知道", test24), and Naruto's chunin exams
    "放学", "中忍考试",
    # Taiwan's junior high (國中), folded to simplified, and high school's first year
    "国中生", "国中女生", "国中男生", "高一新生",
]  # fmt: skip

MINOR_TERMS = CUES + CHARACTERS + CHARACTERS_ZH + CUES_ZH
