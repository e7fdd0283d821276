"""The everyday path in Chinese, in a real browser (Debian Chromium through Playwright,
its language set to zh-CN, against a real server with one in-process worker), at desktop
and phone sizes: sign up, read the first screen, make a picture from a Chinese prompt,
and see dates and credits written the Chinese way; the switch back to English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.support.accounts import PASSWORD
from tests.support.pages import unlabelled_controls
from tests.support.site import WAIT_MS, Site, browser, no_sideways_scroll, playwright, site, tab

__all__ = ["browser", "playwright", "site"]  # fixtures from tests/support/site.py
pytestmark = pytest.mark.integration
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CHINESE_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"


@pytest.mark.parametrize("size", SIZES)
def test_a_chinese_speaker_signs_up_and_makes_a_picture(
    browser: Browser, site: Site, size: str
) -> None:
    email = f"lin-{size}@example.com"
    page = tab(browser, site, locale="zh-CN", viewport=SIZES[size])
    try:
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("heading", level=1)).to_have_text("你想创作什么？")
        no_sideways_scroll(page)

        page.goto("/signup")
        expect(page.get_by_role("heading", level=1)).to_have_text("创建账户")
        assert unlabelled_controls(page) == []
        page.get_by_label("显示名称").fill(f"林 {size}")
        page.get_by_label("电子邮箱").fill(email)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="注册").click()
        expect(page.get_by_role("status")).to_contain_text("现在用你选择的邮箱和密码登录")
        page.get_by_label("电子邮箱").fill(email)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

        # The first screen: the welcome, what the trial gives and not, the examples.
        expect(page).to_have_url(f"{site.url}/welcome")
        expect(page.get_by_role("heading", level=1)).to_have_text("欢迎来到 Atelier")
        expect(page.locator("#plan-h")).to_have_text("你的试用版")
        expect(page.locator("[data-trial-credits]")).to_have_text("200 积分")
        expect(page.locator("#not-included")).to_contain_text("不可商用")
        fox = page.locator('[data-example="fox-woodcut"]')
        expect(fox.get_by_role("heading")).to_have_text("夕阳下的狐狸，木刻风格")
        assert unlabelled_controls(page) == []
        no_sideways_scroll(page)
        fox.get_by_role("link", name="试一试").click()

        # The example's form: its note, the image tools, the prompt and its hint.
        expect(page.locator("#example-note")).to_have_text(
            "已按示例“夕阳下的狐狸，木刻风格”填好：可随意修改，然后点击“创作”。"
        )
        tabs = page.get_by_role("navigation", name="图像工具")
        expect(tabs.get_by_role("link", name="构图")).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=1)).to_have_text("构图")
        expect(page.locator("#h-prompt")).to_contain_text("要画什么，例如")
        expect(page.locator("details.advanced summary")).to_have_text("高级设置")
        assert unlabelled_controls(page) == []
        no_sideways_scroll(page)

        page.get_by_role("textbox", name="提示词").fill("雪地里睡觉的红狐狸")
        page.get_by_label("宽度").fill("512")
        page.get_by_label("高度").fill("512")
        expect(page.locator("#estimate")).to_have_text(re.compile(r"约 [\d.]+ 秒 · [\d,.]+ 积分"))
        page.get_by_role("button", name="创作").click()

        expect(page).to_have_url(re.compile(r"/jobs/\w+$"))
        expect(page.locator("#job-status")).to_have_text("已完成", timeout=WAIT_MS)
        expect(page.locator("#results img").first).to_be_visible()
        results = page.locator("#results")
        expect(page.locator(".variants-note")).to_contain_text(
            re.compile(r"^4 个变体，种子从 \d+ 到")
        )
        expect(results.get_by_role("button", name="保留").first).to_be_visible()
        expect(results.get_by_role("link", name="细化").first).to_be_visible()
        page.get_by_text("设置", exact=True).click()
        expect(page.locator("details.settings")).to_contain_text(re.compile(CHINESE_DATE))
        expect(page.locator("details.settings")).to_contain_text("积分")
        no_sideways_scroll(page)

        # The account: the trial's end and every movement dated the Chinese way.
        page.goto("/account")
        expect(page.get_by_role("heading", level=1)).to_have_text("你的账户")
        expect(page.get_by_text(re.compile(rf"试用积分于 {CHINESE_DATE} 过期。"))).to_be_visible()
        balance = float(page.locator("[data-balance]").inner_text().replace(",", ""))
        assert 0 < balance < 200  # the Trial's 200, less the picture
        history = page.locator("#history-h + .table-wrap tbody tr").first
        expect(history).to_contain_text(re.compile(CHINESE_DATE))
        no_sideways_scroll(page)

        # The switch: back to English, and it stays there.
        if size == "phone":
            page.get_by_role("button", name="菜单").click()
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("What will you make?")
    finally:
        page.context.close()
