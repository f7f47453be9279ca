"""A reporter on a phone sends an item with a picture; an editor at a desk receives it.

Runs in Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, against pytest-django's
live server. The browser asks for Chinese, as an office's browsers do, so the assertions rest on
the data typed in (Chinese), element ids and the database, never on translated labels.
Screenshots go to ``var/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.accounts.models import Role, User
from xinbao.browser import BROWSER_MARKS, DESK, PHONE, first_county, log_in, new_context
from xinbao.items.models import AttachmentKind, Item, ItemKind, ItemStatus, Urgency
from xinbao.test import make_user

pytestmark = BROWSER_MARKS

TITLE = "东城县突降暴雨部分道路积水"
BODY = (
    "7月3日下午，东城县城区突降暴雨，两小时降雨量达86毫米。\n县应急局已组织抽排积水，暂无人员伤亡。"
)


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    """A small PNG such as a phone camera might send: red with a white band."""
    path = tmp_path / "积水现场.png"
    image = Image.new("RGB", (640, 480), (164, 22, 26))
    image.paste((255, 255, 255), (0, 200, 640, 280))
    image.save(path, "PNG")
    return path


@pytest.fixture
def cast(live_server: LiveServer) -> dict[str, User]:
    """A county reporter and an editor (the live server's database is real, not rolled back)."""
    county = first_county()
    return {
        "alice": make_user("alice", Role.REPORTER, county, full_name="赵小红", phone="13800000001"),
        "ed": make_user("ed", Role.EDITOR, full_name="钱编辑"),
    }


def _open_phone_menu(page: Page) -> None:
    """On a phone the navbar is collapsed behind its toggler."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.tap()
        # Bootstrap adds "show" once the opening animation has ended.
        expect(page.locator("#xb-nav")).to_have_class(re.compile(r"\bshow\b"))


def _expect_picture_loaded(page: Page, name: str) -> None:
    img = page.locator(f"img[alt='{name}']")
    expect(img).to_be_visible()
    # The <img> is there and the browser actually decoded the picture the server sent.
    assert img.evaluate("el => el.complete && el.naturalWidth > 0") is True


def test_it_sends_a_picture_from_a_phone_and_the_editor_receives_it(
    live_server: LiveServer,
    browser: Browser,
    cast: dict[str, User],
    picture: Path,
    screenshots: Path,
) -> None:
    base = live_server.url

    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "alice")
    _open_phone_menu(page)
    new_item = page.locator("#xb-nav").locator("a[href='/items/new/']")
    expect(new_item).to_be_visible()
    page.screenshot(path=screenshots / "0-phone-menu.png")
    new_item.tap()
    expect(page).to_have_url(base + "/items/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.select_option("#id_kind", ItemKind.DYNAMIC.value)
    page.select_option("#id_urgency", Urgency.IMPORTANT.value)
    expect(page.locator("#id_writer_name")).to_have_value("赵小红")
    page.fill("#id_writer_phone", "13800000001")
    page.set_input_files("#item-form input[type=file]", picture)
    page.screenshot(path=screenshots / "1-phone-item-form.png", full_page=True)
    page.locator("button[name=action][value=submit]").tap()

    # Two sentences are short for a report: the quality check advises before submitting and
    # keeps the draft; the reporter submits it anyway.
    expect(page).to_have_url(re.compile(r"/items/\d+/quality/$"))
    expect(page.locator("h1")).to_have_text("报送前的修改建议")
    page.locator("#submit-anyway").tap()
    expect(page).to_have_url(re.compile(r"/items/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".xb-body")).to_contain_text("暂无人员伤亡")
    _expect_picture_loaded(page, picture.name)
    page.screenshot(path=screenshots / "2-phone-item-sent.png", full_page=True)
    phone.close()

    item = Item.objects.get()
    assert item.title == TITLE
    assert item.status == ItemStatus.SUBMITTED
    assert item.created_by == cast["alice"]
    assert item.urgency == Urgency.IMPORTANT
    assert [(a.kind, a.content_type) for a in item.attachments.all()] == [
        (AttachmentKind.PICTURE, "image/png")
    ]

    desk = new_context(browser, **DESK)
    page = desk.new_page()
    log_in(page, base, "ed")
    page.locator("#xb-nav").locator("a[href='/items/']").click()
    expect(page).to_have_url(base + "/items/")
    row = page.locator("#item-table a", has_text=TITLE)
    expect(row).to_contain_text("东城县")
    page.screenshot(path=screenshots / "3-desk-inbox.png", full_page=True)
    row.click()
    expect(page).to_have_url(f"{base}/items/{item.pk}/")
    expect(page.locator(".xb-body")).to_contain_text("两小时降雨量达86毫米")
    _expect_picture_loaded(page, picture.name)
    page.locator(f"form[action='/items/{item.pk}/receive/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"form[action='/items/{item.pk}/receive/']")).to_have_count(0)
    page.screenshot(path=screenshots / "4-desk-item-received.png", full_page=True)
    desk.close()

    item.refresh_from_db()
    assert item.status == ItemStatus.RECEIVED
    assert item.received_by == cast["ed"]
    assert item.received_at is not None


def test_it_keeps_the_typed_body_when_the_title_is_missing(
    live_server: LiveServer,
    browser: Browser,
    cast: dict[str, User],
    picture: Path,
    screenshots: Path,
) -> None:
    base = live_server.url
    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "alice")
    page.goto(base + "/items/new/")
    page.fill("#id_body", BODY)
    page.set_input_files("#item-form input[type=file]", picture)
    page.locator("button[name=action][value=submit]").tap()

    expect(page).to_have_url(base + "/items/new/")
    expect(page.locator("#id_title")).to_have_class(re.compile(r"\bis-invalid\b"))
    title_block = page.locator("div.mb-3", has=page.locator("#id_title"))
    expect(title_block.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value(BODY)
    # The chosen file cannot survive a round trip; the page says so instead of losing it quietly.
    expect(page.locator(".alert-warning")).to_be_visible()
    page.screenshot(path=screenshots / "5-phone-form-error.png", full_page=True)
    phone.close()

    assert not Item.objects.exists()
