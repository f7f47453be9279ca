"""In Chromium: an editor opens a raised signal, sees its chart drawn from the page's JSON by the
static script with no Content-Security-Policy violation, reads the evidence and dismisses it with
a reason."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, DESK, log_in, new_context

pytestmark = BROWSER_MARKS

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_it_draws_the_chart_and_dismisses_a_signal(
    live_server: LiveServer, browser: Browser, screenshots: Path
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.signals import services
    from xinbao.signals.models import EarlySignal, SignalState
    from xinbao.signals.tests import factory
    from xinbao.test import make_user

    ed = make_user("ed", Role.EDITOR, full_name="钱编辑")
    src = factory.source(ed)
    term = factory.term(ed, "停水")
    now = timezone.now()
    factory.flat_week(src, now, hit=term)
    factory.posts(src, now - dt.timedelta(minutes=10), 8, title="小区停水三天", hit=term)
    [signal] = services.evaluate(now=now).raised

    context = new_context(browser, **DESK)
    page = context.new_page()
    page.add_init_script(LISTEN)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, live_server.url, "ed")
    page.goto(f"{live_server.url}/signals/{signal.pk}/")
    chart = page.locator('[data-chart="counts"] canvas')
    expect(chart).to_have_count(1)
    size = chart.evaluate("c => [c.width, c.height]")
    assert size[0] > 0 and size[1] > 0, size
    expect(page.get_by_text("小区停水三天（").first).to_be_visible()
    page.screenshot(path=screenshots / "signal-detail.png", full_page=True)
    assert page.evaluate("window.__violations") == [] and refused == []

    page.locator("details", has=page.locator('form[action$="/dismiss/"]')).locator(
        "summary"
    ).click()
    page.fill("#id_reason", "商场促销引发讨论，非舆情")
    page.locator('form[action$="/dismiss/"] button[type=submit]').click()
    expect(page).to_have_url(re.compile(rf"/signals/{signal.pk}/$"))
    expect(page.get_by_text("商场促销引发讨论，非舆情")).to_be_visible()
    assert EarlySignal.objects.get(pk=signal.pk).state == SignalState.DISMISSED
    context.close()
