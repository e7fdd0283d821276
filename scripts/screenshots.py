"""Screenshots of the main pages, on a desktop and on a phone, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts a throwaway studio (uvicorn in a background thread, one worker, SQLite in a temp
folder), signs up a creator, stylizes one picture through the form, composes a picture
and writes a haiku (both published), and photographs: the landing page as a visitor
sees it, sign in and sign up, home, the first screen after sign-up (/welcome), the create
pages (image and text, and a form refused with an error), the finished job page, a
compose job's 4 variants, "My works", the gallery and a search in it, a work's page, a
creator's page, and the admin's users and status pages; then, in a browser set to Chinese
(zh-CN), home, sign-up, the image page, the job page and the account (NAME-zh-KIND.png).
Uses Debian's Chromium
(/usr/bin/chromium) through Playwright; it never downloads a browser.
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
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
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
ADMIN_PASSWORD = "screenshots admin 1"
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


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


def shoot(page: Page, out: Path, name: str, kind: str) -> None:
    path = out / f"{name}-{kind}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the sign-in form the page shows (it carries its CSRF token)."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def make_work(browser: Browser, url: str, photo: Path) -> str:
    """Sign up, then stylize the photo once through the form; returns the job page's path."""
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/signup")
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    sign_in(page, EMAIL, PASSWORD)  # sign-up never signs in: it would tell who has an account
    page.wait_for_url(f"{url}/welcome")
    page.goto("/create/image.stylize")
    page.locator("#f-image").set_input_files(photo)
    page.get_by_role("radio", name="fauvist (7)", exact=True).check()
    page.get_by_label("Max size").fill("512")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    path = page.url.removeprefix(url)
    context.close()
    return path


def made(studio: Studio, engine: str, params: dict[str, Any]) -> tuple[Principal, Job]:
    """A job run straight through the studio for the creator, to its end."""
    with studio.db.transaction() as s:
        user = accounts.find_user(s, EMAIL)
        assert user is not None
        who = accounts.principal_for(user)
    job, _ = studio.jobs.submit(who, engine, params, seed=7)
    deadline = time.monotonic() + 300
    while not (done := studio.jobs.get(who, job.id)).works:
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


def wait_for_images(page: Page) -> None:
    """Every picture with a source loaded (lazy ones too: the shot is of the whole page)."""
    page.evaluate("() => document.querySelectorAll('img').forEach((i) => { i.loading = 'eager'; })")
    page.wait_for_function(
        "() => [...document.images].filter((i) => i.getAttribute('src'))"
        ".every((i) => i.complete && i.naturalWidth > 0)"
    )


def in_chinese(browser: Browser, url: str, job_path: str, out: Path) -> None:
    """The everyday pages as a browser set to Simplified Chinese sees them."""
    for kind, viewport in SIZES.items():
        phone = kind == "phone"
        context = browser.new_context(
            base_url=url,
            viewport=viewport,
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
        )
        page = context.new_page()
        page.goto("/signup")
        shoot(page, out, "signup-zh", kind)
        page.goto("/login")
        page.get_by_label("电子邮箱").fill(EMAIL)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{url}/")
        shoot(page, out, "home-zh", kind)
        page.goto("/create/image")
        page.get_by_label("提示词").fill("窗下沙发上的两只猫，水彩")
        expect(page.locator("#estimate")).to_contain_text("约")
        shoot(page, out, "create-image-zh", kind)
        page.goto(job_path)
        wait_for_images(page)
        page.locator("details.settings summary").click()
        shoot(page, out, "job-zh", kind)
        page.goto("/account")
        shoot(page, out, "account-zh", kind)
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
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
            _, variants = made(
                studio, "image.compose", {"prompt": "a red fox in the snow", "width": 512}
            )
            published(
                studio,
                "text.write",
                {"form": "haiku", "topic": "the sea at dawn", "candidates": 2},
                "A haiku for the morning tide.",
            )
            for kind, viewport in SIZES.items():
                phone = kind == "phone"
                context = browser.new_context(
                    base_url=url,
                    viewport=viewport,
                    device_scale_factor=2 if phone else 1,
                    is_mobile=phone,
                    has_touch=phone,
                )
                page = context.new_page()
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
                page.get_by_label("E-mail").fill(EMAIL)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{url}/")
                shoot(page, out, "home", kind)
                page.goto("/welcome")
                shoot(page, out, "welcome", kind)
                page.goto("/create/image")
                page.get_by_label("Prompt").fill("two cats on a sofa under a window, watercolour")
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
                page.get_by_role("radio", name="fauvist (7)", exact=True).check()
                shoot(page, out, "create", kind)
                page.evaluate(  # past the browser's own limits, to show the server's message
                    "() => document.querySelectorAll('input[type=number]')"
                    ".forEach((el) => { el.removeAttribute('min'); el.removeAttribute('max'); })"
                )
                page.get_by_label("Max size").fill("9999")
                page.get_by_role("button", name="Create").click()
                page.locator(".error-summary").wait_for()
                shoot(page, out, "create-error", kind)
                page.goto(job_path)
                wait_for_images(page)
                page.locator("details.settings summary").click()
                shoot(page, out, "job", kind)
                page.goto(f"/jobs/{variants.id}")
                wait_for_images(page)
                shoot(page, out, "variants", kind)
                page.goto("/works")
                wait_for_images(page)
                shoot(page, out, "works", kind)
                page.goto("/creators/ada-lovelace")
                wait_for_images(page)
                shoot(page, out, "creator", kind)
                admin = browser.new_context(
                    base_url=url,
                    viewport=viewport,
                    device_scale_factor=2 if phone else 1,
                    is_mobile=phone,
                    has_touch=phone,
                )
                admin_page = admin.new_page()
                admin_page.goto("/login")
                sign_in(admin_page, "admin@localhost", ADMIN_PASSWORD)
                admin_page.wait_for_url(f"{url}/")
                admin_page.goto("/admin/users")
                shoot(admin_page, out, "admin-users", kind)
                admin_page.goto("/admin/status")
                shoot(admin_page, out, "admin-status", kind)
                admin.close()
                context.close()
            in_chinese(browser, url, job_path, out)
            browser.close()


if __name__ == "__main__":
    main()
