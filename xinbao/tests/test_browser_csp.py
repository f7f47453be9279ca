"""The pages keep working under the Content-Security-Policy: Chromium reports no violation on the
pages with charts, htmx parts and bars, the charts draw on their canvas, htmx loads its parts.

Runs in Debian's Chromium driven by Playwright against pytest-django's live server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.accounts.models import Role, User
from xinbao.browser import BROWSER_MARKS, DESK, first_county, log_in, new_context
from xinbao.org.models import Unit, UnitKind
from xinbao.test import make_user

pytestmark = BROWSER_MARKS

# Collects what the page itself sees refused: the event fires for every violation.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def cast(live_server: LiveServer) -> dict[str, User]:
    county = first_county()
    Unit.objects.create(
        code="C02", name="西山县委办公室", short_name="西山县", kind=UnitKind.COUNTY,
        unit_class=county.unit_class,
    )  # fmt: skip
    return {
        "alice": make_user("alice", Role.REPORTER, county, full_name="赵小红"),
        "ed": make_user("ed", Role.EDITOR, full_name="钱编辑"),
    }


class Watched:
    """A page whose console messages and policy violations are kept."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(message.text)

    def assert_no_violation(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        refused = [text for text in self.console if "Content Security Policy" in text]
        assert violations == [] and refused == [], (where, violations, refused)


def _expect_charts_drawn(page: Page, count: int) -> None:
    expect(page.locator(".xb-charts").first).to_be_visible()
    canvases = page.locator(".xb-chart canvas")
    expect(canvases).to_have_count(count)
    for index in range(count):
        size = canvases.nth(index).evaluate("c => [c.width, c.height]")
        assert size[0] > 0 and size[1] > 0, size


def test_it_draws_charts_and_loads_htmx_parts_with_no_violation(
    live_server: LiveServer, browser: Browser, cast: dict[str, User], screenshots: Path
) -> None:
    base = live_server.url
    context = new_context(browser, **DESK)
    page = context.new_page()
    watched = Watched(page)

    with page.expect_response(lambda r: r.url.endswith("/notify/bell/") and r.ok):
        log_in(page, base, "alice")
    # The home page's bars take their width from data-xb-width through the static script.
    bar = page.locator("#my-month [data-xb-width]").first
    expect(bar).to_have_attribute("data-xb-width", "0")
    assert bar.evaluate("el => el.style.width") == "0%"
    watched.assert_no_violation("reporter's home")

    page.goto(f"{base}/scoring/units/{cast['alice'].unit_id}/")
    _expect_charts_drawn(page, 2)
    page.screenshot(path=screenshots / "csp-unit-scores.png", full_page=True)
    watched.assert_no_violation("our scores")
    context.close()

    context = new_context(browser, **DESK)
    page = context.new_page()
    watched = Watched(page)
    log_in(page, base, "ed")
    page.goto(base + "/scoring/")
    _expect_charts_drawn(page, 4)
    # A tooltip is built when the pointer comes over a chart: it must not need inline style.
    for index in range(4):
        page.locator(".xb-chart canvas").nth(index).hover()
        if index == 1:
            page.screenshot(path=screenshots / "csp-scores-tooltip.png")
        page.mouse.move(640, 300 + 400 * (index // 2))
    page.screenshot(path=screenshots / "csp-scores.png", full_page=True)
    watched.assert_no_violation("scores")

    # An htmx filter: the table is swapped in without a page load.
    page.goto(base + "/items/")
    with page.expect_response(lambda r: "/items/?" in r.url and r.ok):
        page.locator("form[hx-get] select").first.select_option(index=1)
    watched.assert_no_violation("items list")

    # The API's interactive documentation (Swagger UI, served from static files).
    page.goto(base + "/api/v1/docs")
    expect(page.locator("#swagger-ui .info")).to_be_visible()
    watched.assert_no_violation("API documentation")
    context.close()
