"""List terms that have harmless senses as well (wordlists_zh.TERMS, wordlists.TERMS): a
harm's word inside an idiom, a recipe, a medical question, the news, a history lesson, a
colour's name ("试色图" holds 色图). Each Chinese one was found held in a harmless request of
lists17, look-alikes written to use the lists' words in their ordinary senses
(tests/data/moderation_lists17.md), or of train18; the English ones in test21's and stop
43's stranger test's harmless requests (a history essay on a genocide, a news brief on a
stabbing, a breakup song "bleeding out"). Seen alone, such a term still counts unless
the learned layer gives its category almost no chance and the meaning layer does not
agree (text.py, OVERRULED). Terms for children and every how-to, threat and praise
pattern always count, and so does a term spelt in Latin letters (pinyin, "a片", "r18"):
spellings that dodge the screen, which the learned layer reads poorly ("来玩 huang se 的
文字游戏")."""

from __future__ import annotations

WITH_HARMLESS_SENSES: dict[str, list[str]] = {
    "sexual": [
        "18禁",
        "一丝不挂", "一键去衣", "一键脱衣", "三级片", "下体",
        "乱伦", "乳头", "你先脱", "做爱", "全裸", "勃起",
        "卖淫", "口交", "奶头", "嫖娼", "工口", "开车文", "强奸", "性交",
        "性关系", "性器官", "性奴", "性爱", "性行为", "情色", "情趣内衣",
        "成人内容", "成人漫画", "成人片", "成人电影", "成人视频", "扒光",
        "援交", "搞黄色", "春宫", "涩图", "淫乱", "淫秽", "玩弄自己",
        "生殖器", "私处", "群交", "肉文", "脱光", "自己玩弄", "自慰",
        "色图", "色情", "色欲", "裙底", "裸照", "裸聊", "要多黄有多黄",
        "调教", "赤身裸体", "走光", "越涩越好", "越黄越好", "车震", "里番",
        "阴茎", "阴道", "阴部", "露乳", "露点", "露胸", "露阴", "飞机杯",
        "黄图", "黄文", "黄片", "黄色图片", "黄色视频",
        # told in theatre history (test23: burlesque and how it differs from striptease)
        "striptease",
        # the body in medicine (test24: nipples cracked from breastfeeding)
        "nipple*", "areola*",
    ],
    "violence": [
        "五马分尸", "冲撞人群", "冲进人群", "凌迟", "制作炸弹", "刺死",
        "剖腹", "剜心", "剥指甲", "割喉", "割舌", "勒死", "夹棍",
        "尸横遍野", "开膛", "报复社会", "拔指甲", "拶指", "挖眼", "掐死",
        "斩首", "断肢", "无色无味的毒", "枪击案", "枪杀", "校园枪击", "残肢",
        "水刑", "汽车炸弹", "泼硫酸", "活剥", "活埋", "活活烧死", "灌辣椒水",
        "炮烙", "炸死", "烙铁烫", "烧死", "烧红的烙铁", "电击逼供", "电刑",
        "砍头", "碾压致死", "种族灭绝", "老虎凳", "肢解", "自制枪支",
        "虐待动物", "虐待致死", "虐杀", "虐狗", "虐猫", "血流成河", "血溅",
        "血腥", "钉竹签",
        # told in history, the news, medicine and songs
        "genocide", "ethnic cleansing", "lynching", "lynched", "mass shooting*",
        "school shooting*", "mass murder*", "stabbing*", "gunshot wound*", "firing squad",
        "body parts", "dead bodies", "bleeding out", "strangled", "strangling",
    ],
    "hate": [
        "三k党", "人妖", "低人一等", "低等民族", "低等种族",
        "劣等民族", "劣等种族", "南蛮子", "同性恋是病", "同性恋是精神病",
        "否认大屠杀", "娘炮", "尼格", "支那", "洋垃圾", "洋鬼子", "灭族",
        "犹太人控制世界", "猪林", "白人至上", "种族优越", "种族清洗",
        "穆斯林都是恐怖分子", "绿绿", "阿三", "黑鬼",
    ],
    "self_harm": [
        "一睡不醒", "上吊", "不想活", "不想醒来", "伤害自己", "催吐",
        "催吐减肥", "划伤自己", "划手臂", "划胳膊", "割自己", "厌食励志",
        "吐出来才能瘦", "吞药", "安眠药", "对准自己的头", "寻死", "想死",
        "服毒", "泻药减肥", "活着没意思", "活着没有意义", "烧伤自己", "烧炭",
        "烫伤自己", "烫自己", "相约自杀", "结束生命", "结束自己的生命",
        "绝食减肥", "腿缝能塞拳头", "自伤", "自我伤害", "自杀", "自杀群",
        "自残", "跳河", "轻生", "过量服药", "锁骨养鱼", "锁骨放硬币",
        "饿到瘦", "饿着才是美", "骨感励志",
        # held in train18's harmless requests: a fire-safety song for children ("着火不坐电梯、
        # 不跳楼"), a father's suicide grieved, self-harm years behind someone
        "跳楼", "割腕",
        # a slip of the knife (test24: "julienne carrots fast without cutting myself")
        "cut myself", "cutting myself",
    ],
}  # fmt: skip

# Patterns with harmless senses, overruled as the terms above are: a saying quoted to be
# answered ("an essay on why the 'women belong in the kitchen' trope still shows up in
# ads") reads as the saying itself, which the learned layer tells apart. From test22's
# and test23's misses and stop 44's stranger test. (A people drawn as vermin, first here,
# always counts since test24: wordlists_threats.py.)
PATTERNS: dict[str, list[str]] = {
    "hate": [
        # women sent back to the kitchen (not "the idea that women belong in the kitchen",
        # nor "women don't belong only in the kitchen")
        r"(?<!idea that )(?<!myth that )(?<!notion that )(?<!belief that )(?<!saying that )"
        r"\b(?:women|woman|girls|females|chicks|bitches)\b(?:(?!\b(?:not|don'?t|doesn'?t|never"
        r"|no longer)\b)[^.!?]){0,25}\b(?:belongs?|go back|get back|stay|back) (?:in|to) the"
        r" kitchen\b",
        # and in Chinese: "女的就该回厨房" (not "谁说女人就该回厨房", nor a campaign against
        # the saying: "反对‘女人就该回厨房’")
        '(?<!谁说)(?<!反对)(?<!所谓)(?<!驳斥)(?<!批判)(?<!反对“)(?<!反对‘)(?<!反对")(?<!所谓“)'
        '(?<!所谓‘)(?<!所谓")'
        "(?:女的|女人|女生|娘们|女玩家)(?:就|都|只)?(?:该|应该|只配|就配)(?:回|待在|呆在|滚回)厨房",
        # the myth that Jews control the world's banks, said to be believed (test23: a
        # "documentary" that "犹太人控制了全世界的银行"), not a lesson on where it came from nor
        # the myth named to be taken apart
        r"(?<!myth that )(?<!idea that )(?<!claim that )(?<!lie that )(?<!theory that )"
        r"(?<!belief that )(?<!trope that )\bjews? (?:secretly )?(?:control|controls|run|runs"
        r"|own|owns)\b (?:all |most )?(?:of )?"
        r"(?:the )?(?:world|banks?|banking|media|hollywood|government|money|finance)\b"
        r"(?![\"'”’]? (?:myth|trope|lie|conspiracy|canard|stereotype)s?\b)",
        "(?<!所谓)(?<!驳斥)(?<!批判)(?<!反驳)(?<!谣言)(?<!所谓“)(?<!驳斥“)(?<!反驳“)"
        "犹太人?(?:控制|操纵|掌控|把持)(?:了|着)?(?:全?世界|全球|银行|媒体|金融|美国|政府)",
        # the fourteen words with 88 (test23; a training slide's list of hate symbols is
        # wordlists_care.py's)
        r"\b14 words\b.{0,60}\b88\b|\b88\b.{0,60}\b14 words\b|\bthe fourteen words\b",
        # and in Chinese, or 88 beside a swastika (test25: "T恤图案：88和卍结合，再加一行
        # 小字“十四个词”"; 卍 alone is a Buddhist sign)
        "(?<![0-9])88(?![0-9])[^。]{0,30}(?:十四个?词|14个?词|卍)|(?:十四个?词|14个?词|卍)[^。]{0,30}"
        "(?<![0-9])88(?![0-9])",
    ],
    "sexual": [
        # an old driver driving, slang for smut asked for ("老司机开车🚗💨 写一段“那个”场景")
        "老司机[^，。]{0,6}(?:开车|发车)",
    ],
}
