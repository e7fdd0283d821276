"""The API for people, in a real browser (Debian Chromium): the /docs reference with the
network cut off, the account page's API keys, the 404 page and the favicon."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.support.pages import EMAIL, WAIT_MS, WATCH, Server, new_page, unlabelled_controls

pytestmark = pytest.mark.integration
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def test_the_api_reference_renders_with_the_network_cut_off(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(WAIT_MS)
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto("/docs")
        # Swagger UI reads and lays out the whole document (~240 kB) first: slow on a busy machine
        title = page.locator(".swagger-ui .info .title")
        expect(title).to_contain_text("Atelier", timeout=3 * WAIT_MS)
        create_key = page.locator("#operations-auth-keys_create")
        expect(create_key.locator(".opblock-summary-path")).to_have_text("/v1/keys")
        expect(create_key.locator(".opblock-summary-description")).to_have_text("Create Key")
        assert page.locator(".opblock").count() > 40
        create_key.locator(".opblock-summary").click()  # open it: its schema, its answers
        expect(create_key.locator(".responses-table")).to_be_visible()
        page.get_by_role("button", name="Authorize").click()
        expect(page.locator(".modal-ux")).to_be_visible()
        assert blocked == []
        assert page.evaluate("() => window.violations") == []
    finally:
        context.close()


def test_api_keys_made_used_and_revoked_on_the_account_page(
    browser: Browser, server: Server
) -> None:
    page = new_page(browser, server, signed_in=True)
    program = browser.new_context(base_url=server.url).request  # no cookies: the key only
    page.on("dialog", lambda dialog: dialog.accept())  # "Revoke …?" confirmed
    try:
        page.goto("/account")
        page.get_by_role("link", name="API keys").click()
        expect(page).to_have_url(f"{server.url}/account/keys")
        expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()
        assert unlabelled_controls(page) == []

        page.get_by_label("read", exact=True).uncheck()  # no scope at all: refused, nothing made
        page.get_by_label("Name").fill("render farm")
        page.get_by_role("button", name="Make key").click()
        expect(page.get_by_role("alert")).to_contain_text("scopes must be")
        expect(page.get_by_label("Name")).to_have_value("render farm")
        assert server.studio.accounts.keys(server.who) == []

        page.get_by_label("read", exact=True).check()
        expect(page.get_by_label("write", exact=True)).not_to_be_checked()
        with page.expect_response(lambda r: r.request.method == "POST") as made:
            page.get_by_role("button", name="Make key").click()
        assert made.value.headers["cache-control"] == "no-store"  # the secret is not kept
        expect(page.get_by_role("status")).to_have_text("Key render farm made.")
        secret = page.get_by_label("Key", exact=True).input_value()
        assert secret.startswith("atk_")
        row = page.locator("tr", has_text="render farm")
        expect(row).to_contain_text(f"atk_{secret.split('_')[1]}_…")
        expect(row.locator("td").nth(2)).to_have_text("read")

        bearer = {"Authorization": f"Bearer {secret}"}
        me = program.get("/v1/auth/me", headers=bearer)
        assert me.status == 200 and me.json()["email"] == EMAIL
        job = program.post("/v1/jobs", headers=bearer, data={"engine": "image.compose"})
        assert job.status == 403
        assert job.headers["content-type"] == "application/problem+json"
        assert "may only read" in job.json()["detail"]

        page.goto("/account/keys")  # shown once: never again
        assert secret not in page.content()
        page.get_by_role("button", name="Revoke render farm").click()
        expect(page.get_by_role("status")).to_have_text("Key render farm revoked.")
        expect(row).to_contain_text("revoked")
        expect(page.get_by_role("button", name="Revoke render farm")).to_have_count(0)
        gone = program.get("/v1/auth/me", headers=bearer)
        assert gone.status == 401
        assert gone.headers["content-type"] == "application/problem+json"

        forged = page.request.post("/account/keys", form={"name": "forged", "scopes": "write"})
        assert forged.status == 403  # no CSRF token: the form is refused
        assert [k.name for k in server.studio.accounts.keys(server.who)] == ["render farm"]
    finally:
        program.dispose()
        page.context.close()


def test_the_keys_table_scrolls_inside_its_card_at_phone_width(
    browser: Browser, server: Server
) -> None:
    """At 390 px the table is wider than its card: it scrolls inside its wrapper (the page
    itself never scrolls sideways) and a key's prefix stays on one line."""
    page = new_page(browser, server, signed_in=True, viewport={"width": 390, "height": 844})
    try:
        page.goto("/account/keys")
        page.get_by_label("Name").fill("render farm (phone)")
        page.get_by_role("button", name="Make key").click()
        expect(page.get_by_role("status")).to_have_text("Key render farm (phone) made.")
        wrap = page.locator(".table-wrap", has=page.locator("table.audit"))
        sizes = wrap.evaluate(
            """(el) => ({overflow: getComputedStyle(el).overflowX, wide: el.scrollWidth,
                shown: el.clientWidth, page: document.scrollingElement.scrollWidth,
                viewport: window.innerWidth})"""
        )
        assert sizes["overflow"] == "auto"
        assert sizes["page"] <= sizes["viewport"]
        prefix = page.locator("tr", has_text="render farm (phone)").locator("code")
        line = prefix.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)")
        assert prefix.bounding_box()["height"] < 1.5 * line  # type: ignore[index]
        if sizes["wide"] > sizes["shown"]:  # scrolled to its end, the last column shows
            wrap.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
            last = page.locator("table.audit th").last
            box, card = last.bounding_box(), wrap.bounding_box()
            assert box is not None and card is not None
            assert box["x"] + box["width"] <= card["x"] + card["width"] + 1
    finally:
        page.context.close()


def test_an_unknown_url_is_a_page_for_a_browser_and_a_problem_for_a_program(
    browser: Browser, server: Server
) -> None:
    page = new_page(browser, server, signed_in=True)
    try:
        answer = page.goto("/no/such/place")
        assert answer is not None and answer.status == 404
        expect(page).to_have_title("Not found · Atelier")
        expect(page.get_by_role("heading", name="No such page")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Nothing lives at /no/such/place.")
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="My works")).to_be_visible()  # signed in
        for path, accept in (("/no/such/place", "application/json"), ("/v1/nope", "text/html")):
            problem = page.request.get(path, headers={"Accept": accept})
            assert problem.status == 404
            assert problem.headers["content-type"] == "application/problem+json"
            assert problem.json() == {
                "type": "about:blank",
                "title": "Not found (or not yours)",
                "status": 404,
                "detail": f"nothing at {path}",
            }
    finally:
        page.context.close()


def test_the_favicon(browser: Browser, server: Server) -> None:
    page = new_page(browser, server, signed_in=False)
    try:
        page.goto("/")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        for path in (str(icon), "/favicon.ico"):
            answer = page.request.get(path)
            assert answer.status == 200, path
            assert answer.headers["content-type"] == "image/svg+xml", path
            assert answer.body().startswith(b"<svg"), path
        width = page.evaluate(
            """async (src) => {
                const image = new Image();
                image.src = src;
                await image.decode();
                return image.naturalWidth;
            }""",
            icon,
        )
        assert width > 0  # a picture the browser can draw
    finally:
        page.context.close()
