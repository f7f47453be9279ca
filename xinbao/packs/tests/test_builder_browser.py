"""In Chromium: an editor searches on the builder, adds a hit with one click and then an item of
its same-event group, each swapped in by htmx without the page loading again, and delivers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, DESK, first_county, log_in, new_context


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_it_adds_hits_and_their_group_in_place(
    live_server: LiveServer, browser: Browser, screenshots: Any
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.items import services as items
    from xinbao.items.tests.test_similarity import FLOOD_A, FLOOD_B, data
    from xinbao.packs import services
    from xinbao.packs.models import Pack, PackState
    from xinbao.test import make_user

    county = first_county()
    alice = make_user("alice", Role.REPORTER, county, full_name="赵小红")
    ed = make_user("ed", Role.EDITOR, full_name="钱编辑")
    leader = make_user("leader", Role.LEADER_IN_CHARGE, full_name="顾立言")
    first = items.create_item(user=alice, data=data("青石镇遭遇强降雨", FLOOD_A), submit=True)
    second = items.create_item(user=alice, data=data("青石镇灾情续报", FLOOD_B), submit=True)
    pack = services.create_pack(
        user=ed,
        title="青石镇汛情参阅",
        occasion="meeting",
        occasion_at=first.created_at + dt.timedelta(days=1),
        subject="青石镇",
        recipients=[leader],
    )
    base = live_server.url
    build = reverse("packs:build", args=[pack.pk])

    page = new_context(browser, **DESK).new_page()
    log_in(page, base, "ed")
    page.goto(base + build)
    page.wait_for_load_state("load")  # htmx and Bootstrap are deferred
    page.evaluate("window.xbSamePage = true")  # gone if the page were loaded again
    page.fill("#builder input[type=search]", "强降雨")
    page.locator("#builder form[role=search] button").click()
    expect(page).to_have_url(re.compile(re.escape("q=" + quote("强降雨"))))
    expect(page.locator("#hits li")).to_have_count(2)
    page.locator(f"#hits form:has(input[name=item][value='{first.pk}']) button").click()
    expect(page.locator("#entries li")).to_have_count(1)
    group = page.locator("#group li")
    expect(group).to_have_count(1)
    expect(group.first).to_contain_text("青石镇灾情续报")
    group.first.locator("button").click()
    expect(page.locator("#entries li")).to_have_count(2)
    assert page.evaluate("window.xbSamePage") is True  # htmx swapped the builder in place
    assert [e.item_id for e in pack.entries.all()] == [first.pk, second.pk]
    page.screenshot(path=screenshots / "packs-1-builder.png", full_page=True)

    page.locator(f"form[action='{reverse('packs:deliver', args=[pack.pk])}'] button").click()
    page.wait_for_load_state("load")
    assert Pack.objects.get(pk=pack.pk).state == PackState.DELIVERED
