"""On a phone (390 px) in Chromium: a leader sets an interest through the menu; an item matching
it is submitted and the matcher runs; the leader sees it on their page with why it matched and
marks it useful."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, PHONE, first_county, log_in, new_context

pytestmark = BROWSER_MARKS


def _fits_the_phone(page: Page) -> None:
    """Nothing wider than the 390 px screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_it_serves_a_leader_first_on_a_phone(
    live_server: LiveServer, browser: Browser, screenshots: Path
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.interests.models import Interest, Mark
    from xinbao.interests.services import serve_new_items
    from xinbao.items.services import ItemData, create_item
    from xinbao.test import make_user

    county = first_county()
    leader = make_user("leader", Role.LEADER_IN_CHARGE, full_name="李分管")
    alice = make_user("alice", Role.REPORTER, county, full_name="赵小红")
    base = live_server.url

    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "leader")
    # Through the menu, folded on a phone.
    page.wait_for_load_state("load")
    page.locator(".navbar-toggler").tap()
    page.locator("#xb-nav a[href='/interests/']").tap()
    expect(page).to_have_url(f"{base}/interests/")
    page.locator("a[href='/interests/new/']").tap()
    page.fill("#id_name", "防汛")
    page.fill("#id_keywords", "防汛、山洪")
    _fits_the_phone(page)
    page.screenshot(path=screenshots / "interests-1-phone-new.png", full_page=True)
    page.locator("main form button[type=submit]").first.tap()
    expect(page).to_have_url(f"{base}/interests/")
    expect(page.locator("#interests")).to_contain_text("防汛、山洪")
    interest = Interest.objects.get()
    assert interest.leader == leader and interest.keywords == ["防汛", "山洪"]

    # A unit submits a matching item; the scanner's matcher runs once it has settled.
    item = create_item(
        user=alice,
        data=ItemData(
            title="东城县青石镇连夜转移山洪威胁区群众",
            body="7月10日凌晨，青石镇启动防汛应急响应，转移群众200人。",
            kind="dynamic",
            urgency="routine",
            writer_name="赵小红",
            writer_phone="13800000001",
        ),
        submit=True,
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert serve_new_items().hits == 1

    page.reload()
    row = page.locator("#served .list-group-item").first
    expect(row).to_contain_text("东城县青石镇连夜转移山洪威胁区群众")
    # Why it matched: the terms found in the title and the text.
    expect(row.locator(".xb-reasons")).to_contain_text("山洪")
    expect(row.locator(".xb-reasons")).to_contain_text("防汛")
    _fits_the_phone(page)
    page.screenshot(path=screenshots / "interests-2-phone-served.png", full_page=True)
    row.locator("button[name=useful][value='1']").tap()
    expect(page).to_have_url(f"{base}/interests/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(
        page.locator("#served .list-group-item").first.locator("button.btn-success")
    ).to_have_count(1)
    mark = Mark.objects.get()
    assert (mark.leader, mark.item, mark.useful) == (leader, item, True)

    # The item's own page, from the list, carries the same mark.
    page.locator(f"#served a[href='/items/{item.pk}/']").tap()
    expect(page).to_have_url(re.compile(rf"/items/{item.pk}/$"))
    expect(page.locator("#usefulness-mark .badge.text-bg-success")).to_be_visible()
    expect(page.locator("#usefulness-mark button[name=useful][value='0']")).to_be_visible()
    _fits_the_phone(page)
    page.screenshot(path=screenshots / "interests-3-phone-item.png", full_page=True)
    phone.close()
