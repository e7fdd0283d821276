"""The Chinese word lists, maintained here beside the English ones (wordlists.py), plus the
kept profanity list of the `glin-profanity` package (MIT) for Chinese.

Terms are written in simplified characters; a prompt is read in simplified characters too
(`normalise.fold` converts traditional ones), so one list reads both. Chinese is written
without spaces, so a Chinese term matches anywhere in the text, not only as a whole word;
that is why the harmless phrases that contain a term ("杀人鲸", a killer whale) are taken
out first, as in English. `atelier eval safety` shows what a change does.
"""

from __future__ import annotations

from functools import lru_cache

# Harmless phrases that contain a listed word: taken out before matching.
EXCEPTIONS = [
    # killing, blood and knives in food, trade, software and nature
    "杀毒", "秒杀", "杀青", "杀虫", "杀菌", "杀价", "杀人鲸", "杀猪菜", "抹杀", "鸭血", "猪血",
    "血旺", "血橙", "血月", "血型", "献血", "血压", "血糖", "屠龙", "剖腹产", "跳楼价",
    "跳楼大甩卖", "剥皮的橘子", "断头台",
    # suicide in titles and prevention
    "自杀小队", "自杀森林", "预防自杀", "自杀预防", "自杀干预", "防止自杀", "自杀热线",
    # nudity words in make-up, colours and sayings
    "裸妆", "裸色", "裸辞", "裸考", "裸眼", "裸婚", "裸钻",
    # bodies in medicine, food and fashion
    "乳腺", "乳制品", "乳酪", "母乳", "胸针", "胸部x光", "胸部ct", "捆绑销售", "捆绑式",
    "内衣品牌", "内衣店",
    # family words that contain a curse's letters ("大妈的" is an aunt's)
    "妈妈", "大妈", "姑妈", "姨妈", "舅妈", "老妈", "后妈", "干妈", "亲妈", "奶妈", "宝妈",
    "杂种优势", "姑娘",
]  # fmt: skip

# Words for children and young teenagers: with sexual content they make `minors`.
MINOR_TERMS = [
    "儿童", "孩子", "小孩", "孩童", "小朋友", "幼儿", "幼童", "幼女", "幼齿", "男童", "女童",
    "小女孩", "小男孩", "少女", "少年", "萝莉", "正太", "小学生", "初中生", "中学生", "高中生",
    "小学", "初中", "女中学生", "高中女生", "高中男生", "女高中生", "中学女生", "学生妹", "幼儿园",
    "婴儿", "婴幼儿", "宝宝", "未成年", "恋童", "雏妓", "童男", "童女", "男孩", "女孩", "小男生",
    "小女生",
]  # fmt: skip
# An age under 18 in figures or characters: "12岁", "十四岁", "7周岁" (not "二十岁").
MINOR_AGE = (
    r"(?<![0-9零一二三四五六七八九十百两])"
    r"(?:1[0-7]|[1-9]|十[一二三四五六七]?|[一二三四五六七八九两])周?岁"
)

# Words that make a picture of a child sexual (as wordlists.SEXUALISING).
SEXUALISING = [
    "性感",
    "诱惑",
    "诱人",
    "撩人",
    "挑逗",
    "裸体",
    "裸露",
    "赤裸",
    "裸身",
    "情趣",
    "暴露",
    "色情",
    "性行为",
    "性交",
    "做爱",
    "露点",
    "淫",
]

# Harmless as often as not ("裸体雕塑", a nude statue; "南京大屠杀纪念馆"): they count
# only when the meaning-based layer agrees.
WEAK_TERMS: dict[str, list[str]] = {
    "sexual": [
        "裸体", "裸露", "赤裸", "裸身", "裸女", "裸男", "性感", "诱惑", "胸部", "乳房", "内衣",
        "捆绑", "人体艺术", "钢管舞", "高潮", "本子",
    ],
    "violence": [
        "尸体", "死尸", "屠杀", "大屠杀", "谋杀", "杀人", "凶杀", "酷刑", "折磨", "处决", "爆头",
        "断头", "剥皮", "打死", "枪击", "恐怖袭击", "头颅", "杀死", "杀掉",
    ],
    "hate": [
        "都该死", "都应该死", "都该被杀", "都应该被杀", "都该杀", "杀光", "消灭所有", "赶出去",
    ],
    "self_harm": [
        "遗书", "皮包骨", "药片", "药瓶", "告别信", "离开这个世界", "刀片", "睡过去",
    ],
}  # fmt: skip

# Terms that on their own put a prompt in a category.
TERMS: dict[str, list[str]] = {
    "minors": [
        "儿童色情", "幼童色情", "儿童裸", "裸体儿童", "儿童性", "恋童", "萝莉控", "萝莉色",
        "萝莉本", "正太控", "幼女色", "幼女裸", "炼铜", "未成年色情", "未成年人色情", "未成年裸",
        "未成年性", "性侵儿童", "猥亵儿童", "童妓", "幼交", "雏妓",
    ],
    "sexual": [
        "色情", "黄图", "黄片", "色图", "涩图", "a片", "三级片", "成人视频", "成人电影",
        "成人漫画", "成人内容", "成人片", "工口", "里番", "18禁", "r18", "无码", "露点", "全裸",
        "裸照", "裸体写真", "裸聊", "一丝不挂", "赤身裸体", "脱光", "扒光", "性交", "做爱", "性爱",
        "性行为", "性关系", "口交", "肛交", "乳交", "群交", "自慰", "手淫", "阴茎", "阴道", "阴部",
        "阴唇", "阴蒂", "生殖器", "性器官", "私处", "下体", "乳头", "奶头", "露乳", "露胸", "巨乳",
        "爆乳", "淫秽", "淫荡", "淫乱", "情色", "色欲", "春宫", "调教", "性奴", "援交", "卖淫",
        "嫖娼", "强奸", "轮奸", "乱伦", "情趣内衣", "脱衣舞", "女优", "黄色视频", "黄色图片",
        "约炮", "一夜情", "裙底", "走光", "露阴", "勃起", "射精", "福利姬",
    ],
    "violence": [
        "血腥", "斩首", "砍头", "砍下人头", "砍下头", "肢解", "分尸", "碎尸", "尸块", "开膛",
        "剖腹", "挖眼", "断肢", "残肢", "血肉模糊", "血肉横飞", "脑浆", "鲜血四溅", "鲜血喷涌",
        "血溅", "血流成河", "血泊", "内脏流", "内脏外露", "肠子流", "活活烧死", "活活打死",
        "烧死", "活埋", "活剥", "凌迟", "虐杀", "虐待致死", "折磨致死", "捅死", "刺死", "砍死",
        "勒死", "掐死", "枪杀", "枪击案", "割喉", "虐猫", "虐狗", "虐待动物", "尸横遍野",
        "满地尸体", "种族灭绝", "碾压致死", "殴打致死", "砍人",
    ],
    "hate": [
        "黑鬼", "尼哥", "尼格", "支那", "小日本", "日本鬼子", "阿三", "绿绿", "蝈蝻", "死基佬",
        "人妖", "劣等民族", "劣等种族", "低等民族", "低等种族", "种族清洗", "种族优越", "白人至上",
        "纳粹万岁", "希特勒万岁", "希特勒是对的", "三k党", "3k党", "洋垃圾", "灭族",
        "否认大屠杀", "大屠杀是假的", "同性恋是病", "同性恋是精神病", "同性恋都是变态",
        "穆斯林都是恐怖分子", "犹太人控制世界", "低人一等",
    ],
    "self_harm": [
        "自杀", "自残", "自伤", "自我伤害", "伤害自己", "划伤自己", "割腕", "割手腕", "上吊",
        "跳楼", "轻生", "寻死", "想死", "不想活", "结束生命", "结束自己的生命", "了结生命",
        "服毒", "吞药", "安眠药", "过量服药", "自尽", "厌食励志", "催吐", "卧轨", "烧炭",
        "跳河", "对准自己的头", "烫自己", "烫伤自己", "割自己", "烧伤自己", "想永远消失",
        "想要永远消失", "一睡不醒", "不想再醒来", "不想醒来", "活着没意思", "活着没有意义",
        "活着没有意思", "没有活下去的理由", "不如死了", "还不如死",
    ],
    "real_person": [
        "换脸", "深度伪造", "深伪",
        # Living public figures, as Chinese prompts name them.
        "习近平", "李强", "特朗普", "川普", "拜登", "奥巴马", "希拉里", "普京", "泽连斯基",
        "马克龙", "默克尔", "朔尔茨", "金正恩", "莫迪", "内塔尼亚胡", "埃尔多安", "岸田文雄",
        "石破茂", "尹锡悦", "李在明", "蔡英文", "赖清德", "马英九", "李家超", "查尔斯国王",
        "威廉王子", "哈里王子", "达赖喇嘛", "马斯克", "贝索斯", "扎克伯格", "比尔盖茨", "巴菲特",
        "蒂姆库克", "黄仁勋", "马云", "马化腾", "雷军", "任正非", "刘强东", "张一鸣", "王健林",
        "泰勒斯威夫特", "霉霉", "碧昂丝", "蕾哈娜", "周杰伦", "刘德华", "张学友", "郭富城",
        "梁朝伟", "周星驰", "成龙", "李连杰", "甄子丹", "吴京", "沈腾", "黄渤", "范冰冰", "杨幂",
        "赵丽颖", "迪丽热巴", "杨紫", "刘亦菲", "章子怡", "巩俐", "王菲", "林志玲", "舒淇",
        "张曼玉", "王一博", "肖战", "易烊千玺", "王俊凯", "蔡徐坤", "鹿晗", "吴亦凡", "杨洋",
        "胡歌", "彭于晏", "姚明", "刘翔", "谷爱凌", "苏炳添", "孙杨", "樊振东", "全红婵",
        "郑钦文", "梅西", "c罗", "内马尔", "姆巴佩", "勒布朗", "贝克汉姆", "汤姆克鲁斯",
        "基努里维斯", "莱昂纳多", "斯嘉丽约翰逊", "艾玛沃森", "安吉丽娜朱莉", "布拉德皮特",
    ],
    "living_artist": [
        "宫崎骏", "新海诚", "草间弥生", "村上隆", "奈良美智", "艾未未", "蔡国强", "徐冰", "曾梵志",
        "岳敏君", "张晓刚", "方力钧", "刘小东", "班克斯", "霍克尼", "杰夫昆斯", "达米恩赫斯特",
        "格哈德里希特", "尾田荣一郎", "伊藤润二", "荒木飞吕彦", "井上雄彦", "天野喜孝",
        "贞本义行", "押井守", "大友克洋", "细田守", "庵野秀明", "几米", "蔡志忠", "鲁特科夫斯基",
    ],
    "profanity": [
        "操你", "草泥马", "傻逼", "傻b", "煞笔", "沙比", "他妈的", "你妈的", "去你妈", "滚你妈",
        "妈的", "妈逼", "狗日的", "王八蛋", "狗娘养的", "婊子", "贱人", "脑残", "混蛋", "滚蛋",
        "屌丝", "尼玛", "卧槽", "我操", "日你妈", "干你娘", "艹你",
    ],
}  # fmt: skip

# Entries of glin-profanity's Chinese list that are harmless as often as not, so not
# used: family words, anatomy and medicine, a county (肥西), a game platform (九游), a
# flute (吹箫), a chair back (靠背), a pheasant (野鸡), "adult", "passion", "virgin"…
# Single characters are never used (性, 奶, 乳 are in too many ordinary words).
GLIN_UNUSED = {
    "九游", "乳房", "交配", "他奶奶", "他妈", "他娘", "你全家", "你妈", "你娘", "刚度", "包皮",
    "十三点", "卵子", "后庭", "吹箫", "处女", "外阴", "妓女", "妓院", "姘头", "娘的", "屁股",
    "成人", "撒尿", "放荡", "月经", "激情", "白痴", "白癡", "祖宗", "笨蛋", "私服", "精子",
    "老二", "老味", "老母", "玉杵", "肥西", "花柳", "迷药", "野鸡", "阳萎", "阴道", "靠背",
    "靠爸", "靠母", "鬼公", "干七八", "干你", "插你", "射你", "日你", "奶奶的熊", "妈妈的",
    "小鸡鸡", "鸡鸡", "打飞机", "瓜娃子", "性无能", "白烂",
}  # fmt: skip


@lru_cache(maxsize=1)
def kept_profanity() -> list[str]:
    """glin-profanity's Chinese list (the List of Dirty, Naughty, Obscene and Otherwise Bad
    Words, kept by that package), less single characters, Latin-only entries and the
    entries above."""
    from glin_profanity.data.dictionary import DictionaryLoader

    from atelier.safety.normalise import HAN_CHAR, fold

    words = DictionaryLoader().get_words("chinese")
    kept = {fold(w) for w in words if len(w) > 1 and HAN_CHAR.search(w)}
    return sorted(kept - {fold(w) for w in GLIN_UNUSED})
