"""In Chromium: the quality advice appears on the item form as the reporter types, and goes when
the text is mended; submitting with advice left leads to "submit anyway"."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, DESK, first_county, log_in, new_context
from xinbao.items.models import Item, ItemStatus

VAGUE = (
    "今年以来，我县高度重视安全生产工作，积极开展隐患排查整治，切实加强宣传教育，"
    "各项工作扎实推进，取得明显成效，营造了良好氛围。"
)
FIGURES = "全年排查整改隐患326处，事故起数同比下降12%，培训企业负责人1800人次。"


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_it_advises_the_reporter_as_they_type(
    live_server: LiveServer, browser: Browser, screenshots: Any
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.test import make_user

    county = first_county()
    make_user("alice", Role.REPORTER, county, full_name="赵小红", phone="13800000001")
    base = live_server.url

    page = new_context(browser, **DESK).new_page()
    log_in(page, base, "alice")
    page.goto(base + reverse("items:create"))
    page.fill("#id_title", "东城县安全生产工作")
    page.locator("#id_body").press_sequentially(VAGUE, delay=5)
    vague = page.locator("#quality-advice [data-code=vague]")
    expect(vague).to_be_visible()
    page.screenshot(path=screenshots / "quality-1-advice-as-typed.png", full_page=True)

    # Figures mend it: the advice goes without a click.
    page.locator("#id_body").press_sequentially(FIGURES, delay=5)
    expect(vague).to_have_count(0)

    # Back to the vague text; submitting leads to the advice and "submit anyway".
    page.fill("#id_body", VAGUE)
    page.locator("#quality-check").click()
    expect(vague).to_be_visible()
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(r"/items/\d+/quality/$"))
    expect(page.locator("#quality-advice [data-code=vague]")).to_be_visible()
    item = Item.objects.get(title="东城县安全生产工作")
    assert item.status == ItemStatus.DRAFT
    page.locator("#submit-anyway").click()
    expect(page).to_have_url(re.compile(rf"/items/{item.pk}/$"))
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
