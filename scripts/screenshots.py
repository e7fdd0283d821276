"""Screenshots of the main pages, on a desktop and on a phone, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts a throwaway studio (uvicorn in a background thread, one worker, SQLite in a temp
folder), signs up a creator, stylizes one picture through the form, composes a picture
and writes a haiku (both published), composes a melody and three 4-variant grids, and
photographs: the landing page as a visitor sees it, sign in and sign up, home, the first
screen after sign-up (/welcome), the create pages (image and text, the stylize form and
its gallery of styles, and a form refused with an error), the finished job page, the
before/after slider on the stylized work's page, a 4-variant grid and the one variant
kept from it, a melody's page with its downloads, "My works", the gallery and a search
in it, a work's page, a creator's page, the account's API keys, the API reference (/docs,
its first screen), the 404 page, the admin's users and status pages, and the 402 page of
a second creator whose Trial credits do not cover a photo upscale; then, in a browser set
to Chinese (zh-CN), the landing page, sign-up, home, /welcome, the image page, the job
page, a 4-variant grid, a work's page and the account (NAME-zh-KIND.png). Each PNG is
then made smaller: optimised, and put on a palette when it shows no photograph. Uses
Debian's Chromium (/usr/bin/chromium) through Playwright; it never downloads a browser.
"""

from __future__ import annotations

import argparse
import io
import math
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.commerce.plans import PlanSpec
from atelier.settings import Settings
from atelier.store.models import Job
from atelier.studio import Studio
from atelier.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL, PASSWORD = "ada@example.com", "a long screenshot password"
SHORT_EMAIL = "ben@example.com"  # a second creator, with only the Trial's credits
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@localhost", "screenshots admin 1"
FEW_CREDITS = 20  # the Trial's credits when the 402 page is shot
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
SLOW_MS = 300_000  # a job, the style swatches or Swagger UI's layout on a busy machine
WAIT_MS = 60_000  # anything else: a page, a cost line (Playwright's own is 5 s)
# A shot is put on a 256-colour palette (median cut: a page's flat colours are kept exactly)
# when that moves its pixels by less than this on average (of 255 levels): a page without
# photographs, where only the odd anti-aliased edge moves. One with photographs or
# swatches (0.06 and up) would show bands in them: it stays in full colour.
PALETTE_MEAN = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path) -> Iterator[tuple[str, Studio]]:
    """The app on a free port; yields its base URL and its studio."""
    settings = Settings(
        data_dir=data_dir,
        assets_dir=ROOT / "atelier-data" / "assets",  # what `make setup` prepared
        workers=1,
        admin_password=ADMIN_PASSWORD,
        engine_threads=1,
        poll_seconds=0.05,
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app.state.studio
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def landscape(width: int = 640, height: int = 440) -> bytes:
    """A small made-up photo: sky, sun, hills, a lake (no files needed)."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(90 + 150 * t), int(150 + 80 * t), int(230 - 40 * t))
        )
    draw.ellipse([420, 60, 520, 160], fill=(255, 214, 120))
    for depth, colour in ((0.55, (70, 120, 80)), (0.68, (40, 95, 60)), (0.8, (30, 70, 45))):
        points = [(0, height)]
        for x in range(0, width + 8, 8):
            wave = math.sin(x / 70 + depth * 9) * 30 + math.sin(x / 23 + depth) * 8
            points.append((x, int(height * depth + wave)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    draw.rectangle([0, int(height * 0.88), width, height], fill=(70, 120, 170))
    buffer = io.BytesIO()
    picture.filter(ImageFilter.GaussianBlur(1.2)).save(buffer, format="PNG")
    return buffer.getvalue()


def new_context(browser: Browser, url: str, kind: str, locale: str = "en-US") -> BrowserContext:
    """A browser window of the size `kind` names (a phone: touch; one pixel a CSS pixel, as
    on the desktop, for shots a quarter the size of a phone's own)."""
    phone = kind == "phone"
    context = browser.new_context(
        base_url=url,
        viewport=SIZES[kind],
        is_mobile=phone,
        has_touch=phone,
        locale=locale,
    )
    context.set_default_timeout(WAIT_MS)
    return context


def shoot(
    page: Page, out: Path, name: str, kind: str, full_page: bool = True, part: str = ""
) -> None:
    """The whole page (or its first screen, or only the `part` a CSS selector names)."""
    path = out / f"{name}-{kind}.png"
    if part:
        page.locator(part).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def compact(path: Path) -> None:
    """Rewrite the PNG smaller: optimised, and on a palette where that does not show
    (PALETTE_MEAN)."""
    with Image.open(path) as opened:
        picture = opened.convert("RGB")
    paletted = picture.quantize(256, method=Image.Quantize.MEDIANCUT)
    moved = np.abs(
        np.asarray(paletted.convert("RGB"), dtype=np.int16) - np.asarray(picture, dtype=np.int16)
    )
    smaller = io.BytesIO()
    (paletted if moved.mean() < PALETTE_MEAN else picture).save(smaller, "PNG", optimize=True)
    if smaller.tell() < path.stat().st_size:
        path.write_bytes(smaller.getvalue())


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the sign-in form the page shows (it carries its CSRF token)."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_up(browser: Browser, url: str, name: str, email: str) -> Page:
    """A new creator through the sign-up form, signed in on the page returned."""
    page = browser.new_context(base_url=url).new_page()
    page.goto("/signup")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    sign_in(page, email, PASSWORD)  # sign-up never signs in: it would tell who has an account
    page.wait_for_url(f"{url}/welcome")
    return page


def make_work(browser: Browser, url: str, photo: Path) -> str:
    """Sign up, then stylize the photo once through the form; returns the job page's path."""
    page = sign_up(browser, url, "Ada Lovelace", EMAIL)
    page.goto("/create/image.stylize")
    page.locator("#f-image").set_input_files(photo)
    page.get_by_role("radio", name="fauvist (7)", exact=True).check()
    page.get_by_label("Max size").fill("512")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=SLOW_MS)
    path = page.url.removeprefix(url)
    page.context.close()
    return path


def principal(studio: Studio, email: str = EMAIL) -> Principal:
    with studio.db.transaction() as s:
        user = accounts.find_user(s, email)
        assert user is not None
        return accounts.principal_for(user)


def made(studio: Studio, engine: str, params: dict[str, Any]) -> tuple[Principal, Job]:
    """A job run straight through the studio for the creator, to its end."""
    who = principal(studio)
    job, _ = studio.jobs.submit(who, engine, params, seed=7)
    deadline = time.monotonic() + 300
    while (done := studio.jobs.get(who, job.id)).status != "succeeded":
        if done.status in ("failed", "canceled") or time.monotonic() > deadline:
            raise SystemExit(f"{engine} did not finish: {done.status} {done.error}")
        time.sleep(0.2)
    return who, done


def published(studio: Studio, engine: str, params: dict[str, Any], description: str) -> str:
    """A work made straight through the studio and published; returns its id."""
    who, done = made(studio, engine, params)
    work_id = done.works[0].id
    studio.works.update(who, work_id, "public", description=description)
    return work_id


def four_variants(studio: Studio) -> str:
    """A compose job's path: its 4 variants, the form's default."""
    return f"/jobs/{made(studio, 'image.compose', {'prompt': 'a red fox in the snow'})[1].id}"


def wait_for_images(page: Page) -> None:
    """Every picture with a source loaded (lazy ones too: the shot is of the whole page)."""
    page.evaluate("() => document.querySelectorAll('img').forEach((i) => { i.loading = 'eager'; })")
    page.wait_for_function(
        "() => [...document.images].filter((i) => i.getAttribute('src'))"
        ".every((i) => i.complete && i.naturalWidth > 0)",
        timeout=SLOW_MS,
    )


def keep_a_variant(page: Page, out: Path, kind: str) -> None:
    """The grid of 4, then the second variant kept: alone on its job's page."""
    wait_for_images(page)
    shoot(page, out, "variants", kind)
    figures = page.locator("#results.variants figure.result")
    expect(figures).to_have_count(4)
    figures.nth(1).get_by_role("button", name="Keep").click()
    expect(page.locator("#results figure.result")).to_have_count(1)
    wait_for_images(page)
    shoot(page, out, "variant-kept", kind)


def the_api(page: Page, out: Path, kind: str) -> None:
    """An API key made on the account page, then the API reference's first screen."""
    page.goto("/account/keys")
    page.get_by_label("Name").fill(f"render farm ({kind})")
    page.get_by_role("button", name="Make key").click()
    expect(page.get_by_role("status")).to_contain_text("render farm")
    shoot(page, out, "api-keys", kind)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Atelier", timeout=SLOW_MS)
    shoot(page, out, "api-docs", kind, full_page=False)  # the whole reference: ~60 screens


def short_of_credits(browser: Browser, url: str, studio: Studio, photo: Path, out: Path) -> None:
    """A second creator asks for a photo ×2 upscale of `photo` that costs more than his
    credits: the cost line warns, and creating anyway answers the 402 page naming the
    shortfall. The admin first gives the Trial FEW_CREDITS, as `atelier admin plan-set`
    would; it is done last, so no other shot shows it."""
    admin = principal(studio, ADMIN_EMAIL)
    trial = next(p for p in studio.commerce.all_plans(admin) if p.id == "trial")
    spec = {f.name: getattr(trial, f.name) for f in fields(PlanSpec)}
    studio.commerce.save_plan(
        admin, "trial", PlanSpec(**{**spec, "monthly_credits": FEW_CREDITS}), create=False
    )
    sign_up(browser, url, "Ben Short", SHORT_EMAIL).context.close()
    for kind in SIZES:
        context = new_context(browser, url, kind)
        page = context.new_page()
        page.goto("/login")
        sign_in(page, SHORT_EMAIL, PASSWORD)
        page.wait_for_url(f"{url}/")
        page.goto("/create/image.upscale")
        page.get_by_label("Scale").select_option("2")
        page.get_by_label("Model").select_option("photo")
        page.locator("#f-image").set_input_files(photo)
        expect(page.locator("#estimate")).to_contain_text("more than your balance")
        page.get_by_role("button", name="Create").click()
        expect(page.locator("#error-summary")).to_contain_text("Not enough credits")
        shoot(page, out, "no-credits", kind)
        context.close()


def in_chinese(browser: Browser, url: str, shown: dict[str, str], out: Path) -> None:
    """The everyday pages as a browser set to Simplified Chinese sees them; `shown`: the
    paths of the stylize job, a 4-variant job and a published work."""
    for kind in SIZES:
        context = new_context(browser, url, kind, locale="zh-CN")
        page = context.new_page()
        page.goto("/")
        wait_for_images(page)
        shoot(page, out, "landing-zh", kind)
        page.goto("/signup")
        shoot(page, out, "signup-zh", kind)
        page.goto("/login")
        page.get_by_label("电子邮箱").fill(EMAIL)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{url}/")
        shoot(page, out, "home-zh", kind)
        page.goto("/welcome")
        shoot(page, out, "welcome-zh", kind)
        page.goto("/create/image")
        page.get_by_role("textbox", name="提示词").fill("窗下沙发上的两只猫，水彩")
        expect(page.locator("#estimate")).to_contain_text("约")
        shoot(page, out, "create-image-zh", kind)
        page.goto(shown["job"])
        wait_for_images(page)
        page.locator("details.settings summary").click()
        shoot(page, out, "job-zh", kind)
        page.goto(shown["variants"])
        wait_for_images(page)
        shoot(page, out, "variants-zh", kind)
        page.goto(shown["work"])
        wait_for_images(page)
        shoot(page, out, "work-zh", kind)
        page.goto("/account")
        shoot(page, out, "account-zh", kind)
        context.close()


def as_admin(browser: Browser, url: str, out: Path, kind: str) -> None:
    context = new_context(browser, url, kind)
    page = context.new_page()
    page.goto("/login")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.wait_for_url(f"{url}/")
    page.goto("/admin/users")
    shoot(page, out, "admin-users", kind)
    page.goto("/admin/status")
    shoot(page, out, "admin-status", kind)
    context.close()


def as_visitor(page: Page, out: Path, kind: str, picture: str) -> None:
    """The gallery, a search, a work, the landing page and the forms to come in."""
    page.goto("/gallery")
    wait_for_images(page)
    shoot(page, out, "gallery", kind)
    page.get_by_label("Search by meaning").fill("a beacon by the ocean in the evening")
    page.get_by_role("button", name="Search").click()
    wait_for_images(page)
    shoot(page, out, "gallery-search", kind)
    page.goto(f"/works/{picture}")
    wait_for_images(page)
    shoot(page, out, "work", kind)
    page.goto("/")
    wait_for_images(page)
    shoot(page, out, "landing", kind)
    page.goto("/signup")
    shoot(page, out, "signup", kind)
    page.goto("/login")
    shoot(page, out, "login", kind)


def creating(page: Page, out: Path, kind: str, photo: Path) -> None:
    """The create pages: image, text, stylize with its gallery of styles, a refusal."""
    page.goto("/create/image")
    prompt = page.get_by_role("textbox", name="Prompt")
    prompt.fill("two cats on a sofa under a window, watercolour")
    expect(page.locator("#estimate")).to_contain_text("About")
    shoot(page, out, "create-image", kind)
    page.goto("/create/text")
    page.get_by_label("Topic").fill("the first snow in the city")
    expect(page.locator("#estimate")).to_contain_text("About")
    shoot(page, out, "create-text", kind)
    page.goto("/create/image.stylize")
    page.locator("#f-image").set_input_files(photo)
    page.wait_for_function(
        "() => { const i = document.querySelector('.preview');"
        " return i && !i.hidden && i.complete && i.naturalWidth > 0; }"
    )
    wait_for_images(page)  # every style's swatch
    page.locator("#f-style .tile", has=page.get_by_text("fauvist (7)", exact=True)).locator(
        "img"
    ).click()
    expect(page.get_by_role("radio", name="fauvist (7)", exact=True)).to_be_checked()
    shoot(page, out, "create", kind)
    shoot(page, out, "styles", kind, part="#f-style")
    page.evaluate(  # past the browser's own limits, to show the server's message
        "() => document.querySelectorAll('input[type=number]')"
        ".forEach((el) => { el.removeAttribute('min'); el.removeAttribute('max'); })"
    )
    page.get_by_label("Max size").fill("9999")
    page.get_by_role("button", name="Create").click()
    page.locator(".error-summary").wait_for()
    shoot(page, out, "create-error", kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=WAIT_MS)
    started = time.time()
    with (
        tempfile.TemporaryDirectory(prefix="atelier-shots-") as tmp,
        serve(Path(tmp)) as (
            url,
            studio,
        ),
    ):
        photo = Path(tmp) / "lake.png"
        photo.write_bytes(landscape())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            job_path = make_work(browser, url, photo)
            picture = published(
                studio,
                "image.compose",
                {
                    "prompt": "a lighthouse on a cliff above the sea at sunset",
                    "width": 768,
                    "variants": 1,
                },
                "Evening light over the harbour.",
            )
            published(
                studio,
                "text.write",
                {"form": "haiku", "topic": "the sea at dawn", "candidates": 2},
                "A haiku for the morning tide.",
            )
            _, melody = made(studio, "music.compose", {"bars": 4})
            grids = {kind: four_variants(studio) for kind in [*SIZES, "zh"]}
            stylized = studio.jobs.get(principal(studio), job_path.rsplit("/", 1)[1]).works[0]
            for kind in SIZES:
                context = new_context(browser, url, kind)
                page = context.new_page()
                as_visitor(page, out, kind, picture)
                sign_in(page, EMAIL, PASSWORD)
                page.wait_for_url(f"{url}/")
                shoot(page, out, "home", kind)
                page.goto("/welcome")
                shoot(page, out, "welcome", kind)
                creating(page, out, kind, photo)
                page.goto(job_path)
                wait_for_images(page)
                page.locator("details.settings summary").click()
                shoot(page, out, "job", kind)
                page.goto(f"/works/{stylized.id}")
                wait_for_images(page)
                page.get_by_label("Before / after").fill("35")
                shoot(page, out, "compare", kind)
                page.goto(grids[kind])
                keep_a_variant(page, out, kind)
                page.goto(f"/works/{melody.works[0].id}")
                expect(page.locator("section.downloads")).to_contain_text("MusicXML")
                wait_for_images(page)
                shoot(page, out, "music-work", kind)
                page.goto("/works")
                wait_for_images(page)
                shoot(page, out, "works", kind)
                page.goto("/creators/ada-lovelace")
                wait_for_images(page)
                shoot(page, out, "creator", kind)
                the_api(page, out, kind)
                page.goto("/no/such/place")
                shoot(page, out, "not-found", kind)
                context.close()
                as_admin(browser, url, out, kind)
            in_chinese(
                browser,
                url,
                {"job": job_path, "variants": grids["zh"], "work": f"/works/{picture}"},
                out,
            )
            small = Path(tmp) / "small-lake.png"
            small.write_bytes(landscape(480, 330))
            short_of_credits(browser, url, studio, small, out)
            browser.close()
    shots = sorted(p for p in out.glob("*.png") if p.stat().st_mtime >= started)
    for path in shots:
        compact(path)
    total = sum(p.stat().st_size for p in shots)
    print(f"{len(shots)} screenshots, {total / 2**20:.1f} MiB in all")


if __name__ == "__main__":
    main()
