"""Words for a child and ages under 18 in languages the screen does not otherwise read
(Spanish, French, German, Portuguese, Italian, Russian, Japanese, Korean). Their prompts
are held as unreadable (language.py); where the multilingual meaning layer sees sexual
content, a child's word or age beside it makes the prompt sexual content involving
minors, refused rather than held ("una niña de 10 años en bikini, pose sensual" was held
as sexual); so does a sexualising word of the same languages ("ein zwölfjähriges Mädchen
in Unterwäsche, verführerische Pose" was only held as unreadable). Written as typed:
blocklist.py folds them as it folds what it reads. Words that are also English words or
names ("Kind", "niña" folded to "nina") are left out: ages carry those; so are "nude"
(Italian) and "dessous" (French for "under" too)."""

from __future__ import annotations

import re

from atelier.safety.normalise import fold

MINOR_TERMS = [
    # Spanish, Portuguese, Italian
    "niño", "niños", "niñas", "menor de edad", "menores de edad", "colegiala", "colegialas",
    "menina", "meninas", "menino", "criança", "crianças", "menor de idade", "bambina",
    "bambine", "bambino", "ragazzina", "ragazzine",
    # French, German
    "fillette", "fillettes", "enfant", "enfants", "mineure", "mineures", "écolière",
    "collégienne", "mädchen", "kinder", "minderjährig", "minderjährige", "schülerin",
    # Russian
    "девочка", "девочки", "ребёнок", "ребенок", "школьница", "несовершеннолетняя",
    # Japanese, Korean (their Han words, 少女 or 小学生, are in the Chinese list)
    "女の子", "男の子", "ロリ", "소녀", "어린이", "초등학생", "중학생", "여중생", "미성년",
]  # fmt: skip

# Said of a child, these make a request sexual content involving minors (blocklist.py
# reads them only beside a child's word or age): underwear, naked, seductive, erotic.
SEXUALISING = [
    # German
    "unterwäsche", "nackt", "nackte", "nackten", "verführerisch*", "erotisch*",
    "aufreizend*", "sinnlich*",
    # Spanish, Portuguese, Italian
    "lencería", "ropa interior", "desnuda", "desnudo", "desnudas", "erótica", "erótico",
    "seductora", "provocativa", "provocativo", "calcinha", "nua", "nuas",
    "sedutora", "nuda", "seducente", "provocante", "biancheria intima",
    # French
    "sous-vêtements", "sous vêtements", "dénudée", "déshabillée", "érotique",
    "séduisante", "aguicheuse", "sensuelle", "lascive",
    # Russian
    "голая", "голый", "голые", "нижнем белье", "нижнее белье", "эротичн*", "эротическ*",
    "соблазнительн*", "сексуальн*",
    # Japanese (not its Han words: 下着, underwear, is "falling" in 下着雨), Korean
    "エロ", "セクシー", "ヌード", "したぎ", "야한", "섹시", "알몸", "속옷",
]  # fmt: skip

_UNITS = [
    "años", "anos", "ans", "jahre", "jahren", "jährige", "jähriges", "jährigen", "jähriger",
    "jährig", "anni", "лет", "годиков",
]  # fmt: skip
# Ages from ten to seventeen written out, before a unit ("douze ans", "doce años", "zwölf
# Jahre", "zwölfjährige", "dodici anni", "двенадцать лет"): "une fille de douze ans en
# lingerie, pose sexy" was held as sexual rather than refused (stop 43's stranger test).
# Not two to nine: they end the numbers past twenty ("vingt-cinq ans", "treinta y dos años").
_NUMBERS = [
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix sept",
    "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete",
    "dez", "doze", "treze", "quatorze", "dezesseis", "dezasseis", "dezessete", "dezassete",
    "dieci", "undici", "dodici", "tredici", "quattordici", "quindici", "sedici", "diciassette",
    "zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn",
    "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
    "шестнадцать", "семнадцать",
]  # fmt: skip
_UNIT = "|".join(re.escape(fold(unit)) for unit in _UNITS)
_NUMBER = "|".join(re.escape(fold(number)) for number in _NUMBERS)
# "10 años", "9 ans", "12 Jahre", "11 anni", "12 лет", "12歳", "12살", "12세", "douze ans"
MINOR_AGE = (
    rf"(?<![0-9])(?:[1-9]|1[0-7])[\s\-]*(?:{_UNIT})(?![a-z])"
    rf"|(?<![a-z-])(?:{_NUMBER})[\s\-]*(?:{_UNIT})(?![a-z])"
    r"|(?<![0-9])(?:[1-9]|1[0-7])\s*(?:歳|살|세)"
)
