"""The kit of the browser tests: Debian's Chromium driven by Playwright.

The fixtures ``browser`` and ``screenshots`` are registered in the root conftest.py. A browser
test module sets ``pytestmark = BROWSER_MARKS`` and opens pages with :func:`new_context` and
:func:`log_in`. The browser asks for Chinese, as an office's browsers do. Where the second
factor is on (tests marked ``second_factor``), :func:`pass_second_factor` plays the phone: it
reads the key off the enrolment page, as an authenticator app does when it scans the QR code,
and types the codes that key gives.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

if TYPE_CHECKING:
    from xinbao.org.models import Unit

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium from reaching for the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
TIMEOUT_MS = 10_000

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's Chromium: apt-get install chromium",
    ),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the test's own ORM calls as "called from an async context".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    """Where browser tests leave screenshots for a person to look at (var/screenshots/)."""
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in through the login form and land on the home page."""
    from xinbao.test import PASSWORD  # models: imported once Django is set up

    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, username)
    expect(page).to_have_url(base_url + "/")


#: The key each user's authenticator app holds, read off the enrolment page, by username.
AUTHENTICATORS: dict[str, bytes] = {}
#: The last time step whose code each user typed: the server takes a code only once.
_LAST_STEP: dict[str, int] = {}


def authenticator_code(username: str) -> str:
    """The code the user's authenticator app shows now (or, when this step's code was already
    used, the next step's, which the server accepts as one step of clock drift)."""
    from django_otp.oath import TOTP, hotp

    key = AUTHENTICATORS[username]
    while True:
        totp = TOTP(key)
        totp.time = time.time()
        now: int = totp.t()
        step = max(now, _LAST_STEP.get(username, -1) + 1)
        if step <= now + 1:
            break
        time.sleep(1)
    _LAST_STEP[username] = step
    return f"{hotp(key, step, 6):06d}"


def pass_second_factor(page: Page, username: str) -> None:
    """After the password: enrol an authenticator (keeping the recovery codes page's promise by
    reading all ten) or enter its code, whichever page the site shows; nothing otherwise."""
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if "/accounts/second-factor/enrol/" in page.url:
        secret = page.locator("#second-factor-secret").inner_text()
        AUTHENTICATORS[username] = b32decode("".join(secret.split()))
        expect(page.locator("#second-factor-qr svg")).to_be_visible()
        page.fill("#id_code", authenticator_code(username))
        page.locator("#second-factor-enrol button[type=submit]").click()
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        page.locator("#second-factor-continue").click()
    elif re.search(r"/accounts/second-factor/(\?|$)", page.url):
        page.fill("#id_code", authenticator_code(username))
        page.locator("#second-factor-verify button[type=submit]").click()


def first_county() -> Unit:
    """东城县, a county of the first class: the unit the browser tests' reporters belong to.

    The live server's database is flushed between tests, so each test writes it again."""
    from xinbao.org.models import Unit, UnitClass, UnitKind  # models: once Django is set up

    unit_class = UnitClass.objects.create(name="一类", rank=1, quota_per_month=6)
    return Unit.objects.create(
        code="C01",
        name="东城县委办公室",
        short_name="东城县",
        kind=UnitKind.COUNTY,
        unit_class=unit_class,
    )
