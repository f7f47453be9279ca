"""A leader on a phone (390×844) opens the issue awaiting signature, revises an item, signs and
writes an instruction; the editor then sees the revision as a diff at a desk.

Runs in Debian's Chromium driven by Playwright against pytest-django's live server, like
``xinbao/tests/test_browser.py`` (same launch flags). The assertions rest on the Chinese
data typed in, element ids and the database, never on translated labels. Screenshots go to
``var/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.accounts.models import Role, User
from xinbao.browser import BROWSER_MARKS, DESK, PHONE, first_county, log_in, new_context
from xinbao.desk.models import Adoption, AdoptionLevel, ItemVersion
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.periodicals import services
from xinbao.periodicals.models import (
    Frequency,
    Instruction,
    Issue,
    IssueState,
    Periodical,
    SignRoute,
)
from xinbao.test import make_user

pytestmark = BROWSER_MARKS

TITLE = "东城县全力做好强降雨防范应对工作"
BODY = "7月3日以来，东城县普降暴雨，累计转移群众300人。\n县应急局已组织抽排积水，暂无人员伤亡。"
REVISED = "7月3日以来，东城县普降暴雨，累计转移群众320人。\n县应急局已组织抽排积水，暂无人员伤亡。"
INSTRUCTION = "请东城县妥善安置转移群众，确保不漏一户、不落一人，及时报告进展。"


@pytest.fixture
def awaiting(live_server: LiveServer) -> Issue:
    """An issue checked by the section chief and waiting for the leader in charge.

    The live server's database is flushed between tests, data migrations included, so the
    routing table is written again here.
    """
    for urgency, role in (
        ("routine", "leader_in_charge"),
        ("general_urgent", "leader_in_charge"),
        ("important", "principal_leader"),
        ("major_emergency", "principal_leader"),
    ):
        SignRoute.objects.get_or_create(urgency=urgency, defaults={"signer_role": role})
    county = first_county()
    alice = make_user("alice", Role.REPORTER, county, full_name="赵小红")
    ed = make_user("ed", Role.EDITOR, full_name="钱编辑")
    chief = make_user("chief", Role.SECTION_CHIEF, full_name="孙科长")
    make_user("leader", Role.LEADER_IN_CHARGE, full_name="李分管")
    periodical = Periodical.objects.create(
        name="每日要情", frequency=Frequency.DAILY, issuing_office="中共澜江市委办公室"
    )
    item = Item.objects.create(
        title=TITLE,
        body=BODY,
        kind=ItemKind.DYNAMIC,
        urgency=Urgency.GENERAL_URGENT,
        status=ItemStatus.ADOPTED,
        unit=county,
        writer_name="赵小红",
        writer_phone="13800000001",
        created_by=alice,
    )
    Adoption.objects.create(
        item=item,
        level=AdoptionLevel.OFFICE,
        periodical=periodical,
        adopted_on=timezone.localdate(),
        by=ed,
    )
    issue = services.create_issue(user=ed, periodical=periodical, title="防汛专刊")
    services.add_items(user=ed, issue=issue, items=[item])
    issue = services.submit(user=ed, issue=issue)
    return services.check(user=chief, issue=issue)


def _in_thumb_reach(page: Page, selector: str) -> None:
    """The button sits in the lower part of the screen, wide enough for a thumb."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert box["y"] > 844 * 0.8, box
    assert box["height"] >= 44 and box["width"] >= 100, box


def test_it_lets_a_leader_revise_sign_and_instruct_on_a_phone(
    live_server: LiveServer, browser: Browser, awaiting: Issue, screenshots: Path
) -> None:
    base = live_server.url
    issue = awaiting
    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "leader")
    # The home page lists the issue waiting for this leader's signature.
    to_sign = page.locator("#to-sign a", has_text="每日要情")
    expect(to_sign).to_be_visible()
    page.screenshot(path=screenshots / "sign-0-home.png", full_page=True)
    to_sign.tap()
    expect(page).to_have_url(f"{base}/periodicals/sign/{issue.pk}/")
    expect(page.locator(".entry-body").first).to_contain_text("转移群众300人")
    _in_thumb_reach(page, "#sign-button")
    # Nothing runs off the side of a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots / "sign-1-issue.png")

    page.locator(".revise-link").first.tap()
    expect(page).to_have_url(re.compile(r"/entries/\d+/revise/$"))
    expect(page.locator("#id_body")).to_have_value(BODY)
    page.fill("#id_body", REVISED)
    _in_thumb_reach(page, "#save-revision")
    page.screenshot(path=screenshots / "sign-2-revise.png")
    page.locator("#save-revision").tap()
    expect(page).to_have_url(f"{base}/periodicals/sign/{issue.pk}/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".entry-body").first).to_contain_text("转移群众320人")

    page.locator("#sign-button").tap()
    expect(page).to_have_url(f"{base}/periodicals/sign/{issue.pk}/")
    expect(page.locator("#issue-state")).to_have_attribute("data-state", IssueState.SIGNED)
    expect(page.locator("#sign-button")).to_have_count(0)
    page.screenshot(path=screenshots / "sign-3-signed.png", full_page=True)

    page.locator(".instruct-link").first.tap()
    expect(page).to_have_url(re.compile(r"/instruct/\?entry=\d+$"))
    # The deadline is filled in: a week from today.
    expect(page.locator("#id_feedback_due")).to_have_value(
        (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    )
    page.fill("#id_text", INSTRUCTION)
    page.screenshot(path=screenshots / "sign-4-instruction.png")
    page.locator("#give-instruction").tap()
    expect(page).to_have_url(f"{base}/periodicals/sign/{issue.pk}/")
    expect(page.locator("#issue-instructions")).to_contain_text("请东城县妥善安置转移群众")
    page.screenshot(path=screenshots / "sign-5-done.png", full_page=True)
    phone.close()

    issue.refresh_from_db()
    leader = User.objects.get(username="leader")
    assert issue.state == IssueState.SIGNED and issue.signed_by == leader
    assert "转移群众320人" in issue.frozen["items"][0]["body"]
    version = ItemVersion.objects.filter(item__title=TITLE).order_by("-number").first()
    assert version is not None and version.author == leader and version.role == "leader_in_charge"
    instruction = Instruction.objects.get()
    assert instruction.leader == leader and instruction.text == INSTRUCTION
    assert [u.name for u in instruction.units.all()] == ["东城县委办公室"]
    assert instruction.forwarded_at is not None

    desk = new_context(browser, **DESK)
    page = desk.new_page()
    log_in(page, base, "ed")
    page.goto(f"{base}/periodicals/issues/{issue.pk}/")
    expect(page.locator("#revisions del")).to_have_text("300")
    expect(page.locator("#revisions ins")).to_have_text("320")
    page.screenshot(path=screenshots / "sign-6-editor-diff.png", full_page=True)
    desk.close()
