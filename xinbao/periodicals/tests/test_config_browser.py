"""The section chief sets up a periodical in Chromium: the form, then distribution rows added,
edited and removed in place (htmx, no page load), readers following the list.

Assertions rest on the data typed in, element ids and the database, never on translated
labels. A screenshot goes to ``var/screenshots/periodical_setup.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.accounts.models import Role
from xinbao.browser import BROWSER_MARKS, DESK, log_in, new_context
from xinbao.periodicals.models import DistributionEntry, Periodical
from xinbao.test import make_user

pytestmark = BROWSER_MARKS


def test_it_sets_up_a_periodical_with_rows_edited_in_place(
    live_server: LiveServer, browser: Browser, screenshots: Path
) -> None:
    make_user("chief", Role.SECTION_CHIEF, full_name="周科长")
    leader = make_user("leader", Role.LEADER_IN_CHARGE, full_name="李副书记")
    context = new_context(browser, **DESK)
    page = context.new_page()
    log_in(page, live_server.url, "chief")

    page.goto(live_server.url + reverse("periodicals:setup_create"))
    page.fill("#id_name", "澜江要情")
    page.fill("#id_issuing_office", "中共澜江市委办公室")
    page.fill("#id_copies", "40")
    page.locator("#periodical-form button[type=submit]").click()
    periodical_url = re.compile(r"/periodicals/setup/\d+/$")
    expect(page).to_have_url(periodical_url)
    periodical = Periodical.objects.get(name="澜江要情")
    assert periodical.masthead == "澜江要情"

    # A marker on the window survives only if the rows change without a page load.
    page.evaluate("window.xbMarker = 'kept'")
    page.fill("#id_new-label", "省委办公厅")
    page.fill("#id_new-copies", "2")
    page.locator("#add-recipient button[type=submit]").click()
    expect(page.locator("#distribution")).to_contain_text("省委办公厅")
    page.select_option("#id_new-group", "send")
    page.select_option("#id_new-user", str(leader.pk))
    page.fill("#id_new-copies", "11")
    page.locator("#add-recipient button[type=submit]").click()
    expect(page.locator("#readers ul")).to_contain_text("李副书记")
    assert page.evaluate("window.xbMarker") == "kept"

    first = DistributionEntry.objects.get(label="省委办公厅")
    page.locator(f"#entry-{first.pk} a").first.click()
    copies = page.locator(f"#id_e{first.pk}-copies")
    expect(copies).to_have_value("2")
    copies.fill("3")
    page.locator(f"#entry-{first.pk} button[type=submit]").click()
    expect(page.locator(f"#id_e{first.pk}-copies")).to_have_count(0)
    first.refresh_from_db()
    assert first.copies == 3

    second = DistributionEntry.objects.get(label="李副书记")
    page.locator(f"#entry-{second.pk} form button[type=submit]").click()
    expect(page.locator(f"#entry-{second.pk}")).to_have_count(0)
    expect(page.locator("#readers ul")).not_to_contain_text("李副书记")
    assert page.evaluate("window.xbMarker") == "kept"
    assert not periodical.readers.exists()
    expect(page).to_have_url(periodical_url)
    page.screenshot(path=str(screenshots / "periodical_setup.png"), full_page=True)
    context.close()
