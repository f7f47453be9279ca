"""In Chromium: the editor opens the breadth matrix and the office's mix; both charts are drawn
from the pages' JSON by the static script with no Content-Security-Policy violation, and a
count of the matrix opens its items."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, DESK, first_county, log_in, new_context

pytestmark = BROWSER_MARKS

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
TITLE = "部分居民反映菜价上涨较快"


def test_it_draws_the_breadth_and_mix_charts_and_opens_a_cell(
    live_server: LiveServer, browser: Browser, screenshots: Path
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.analysis.services import place_missing
    from xinbao.items.models import ItemKind
    from xinbao.test import Personas, make_user

    county = first_county()
    alice = make_user("alice", Role.REPORTER, county, full_name="赵小红")
    ed = make_user("ed", Role.EDITOR, full_name="钱编辑")
    now = timezone.now()
    Personas.make_item(
        alice,
        title=TITLE,
        body="近日，部分居民反映，菜市场蔬菜价格上涨明显，群众对此有所担忧。",
        submitted_at=now,
    )
    Personas.make_item(ed, unit=county, kind=ItemKind.ANALYSIS, submitted_at=now)
    assert place_missing() == 2

    context = new_context(browser, **DESK)
    page = context.new_page()
    page.add_init_script(LISTEN)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, live_server.url, "ed")
    for path, chart in (("/analysis/", "breadth"), ("/analysis/mix/", "mix")):
        page.goto(live_server.url + path)
        canvas = page.locator(f'[data-chart="{chart}"] canvas')
        expect(canvas).to_have_count(1)
        size = canvas.evaluate("c => [c.width, c.height]")
        assert size[0] > 0 and size[1] > 0, (path, size)
        page.screenshot(path=screenshots / f"analysis-{chart}.png", full_page=True)
    page.goto(live_server.url + "/analysis/")
    page.locator("#breadth-cells tr.table-warning a").first.wait_for()
    cell = "horizon=early_sign&sphere=daily_life&region=local"
    page.locator(f'#breadth-cells a[href*="{cell}"]').click()
    expect(page.get_by_text(TITLE)).to_be_visible()
    assert page.evaluate("window.__violations") == [] and refused == []
    context.close()
