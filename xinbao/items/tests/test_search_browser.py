"""In Chromium: an editor opens 搜索 from the menu, types Chinese words, sees the hits with the
words marked (swapped in by htmx, the address following) and opens one at the desk."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, DESK, first_county, log_in, new_context


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_it_finds_marks_and_opens_an_item(
    live_server: LiveServer, browser: Browser, screenshots: Any
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.items import services
    from xinbao.items.models import ItemKind, Urgency
    from xinbao.items.services import ItemData
    from xinbao.test import make_user

    county = first_county()
    alice = make_user("alice", Role.REPORTER, county, full_name="赵小红", phone="13800000001")
    make_user("ed", Role.EDITOR, full_name="钱编辑")
    for title, body in (
        ("东城县召开防汛工作会议", "县委部署全县防汛工作，转移群众三百人。"),
        ("东城县春季植树", "全县植树造林两千亩。"),
    ):
        data = ItemData(
            title=title,
            body=body,
            kind=ItemKind.DYNAMIC,
            urgency=Urgency.ROUTINE,
            writer_name="赵小红",
            writer_phone="13800000001",
        )
        item = services.create_item(user=alice, data=data, submit=True)
        if title.startswith("东城县召开"):
            wanted = item
    base = live_server.url

    page = new_context(browser, **DESK).new_page()
    log_in(page, base, "ed")
    page.wait_for_load_state("load")  # htmx and Bootstrap are deferred
    page.locator("#xb-nav").get_by_role("link", name="搜索", exact=True).click()
    expect(page).to_have_url(base + reverse("items:search"))
    expect(page.locator("#search-hint")).to_be_visible()

    page.evaluate("window.xbSamePage = true")  # gone if the page were loaded again
    page.fill("#id_q", "防汛")
    page.locator("#search-submit").click()
    hits = page.locator("#search-hits .list-group-item")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("mark").first).to_have_text("防汛")
    expect(page.locator("#search-total")).to_contain_text("1")
    expect(page).to_have_url(re.compile(re.escape("q=" + quote("防汛"))))
    assert "东城县春季植树" not in page.content()
    assert page.evaluate("window.xbSamePage") is True  # htmx swapped the results in place
    page.screenshot(path=screenshots / "search-1-hits.png", full_page=True)

    hits.first.locator("a.fw-semibold").click()
    expect(page).to_have_url(base + reverse("desk:item", args=[wanted.pk]))
    expect(page.locator("main")).to_contain_text("东城县召开防汛工作会议")
